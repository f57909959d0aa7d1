"""The portal's only settings module: what differs between machines comes from the env.

Defaults give the embedded runtime (SQLite under var/, Celery in-process, mail to the
console). Production sets DEBUG=false and must then give SECRET_KEY and ALLOWED_HOSTS.
"""

import secrets
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# Lets annotations such as ModelAdmin[Academy] run, not only type-check.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# `make run` writes the development settings of a checkout here (DEBUG on), so that
# `python manage.py ...` in that checkout uses them too. The environment wins over it;
# production has no such file.
LOCAL_ENV_FILE = VAR_DIR / "local.env"
if LOCAL_ENV_FILE.exists():
    environ.Env.read_env(LOCAL_ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key() -> str:
    """Return the key kept in var/secret_key, generating it on first use."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if env("SECRET_KEY", default=""):
    SECRET_KEY = env("SECRET_KEY")
elif DEBUG:
    SECRET_KEY = _development_secret_key()
else:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

# Casework notes are stored encrypted under keys of their own, not derived from
# SECRET_KEY (spec/security.md DP-2; academy/crypto.py): Fernet keys, comma-separated,
# newest first. With DEBUG on and none set, a fixed development key (not for real data).
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "d2hLkn0gOeusk1-nu_9x4wTNrImyPomTWpfjeXmdG8o="
_GENERATE_FERNET_KEY = (
    'python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)
FIELD_ENCRYPTION_KEYS = [
    key.strip() for key in env.list("FIELD_ENCRYPTION_KEYS", default=[]) if key.strip()
]
if not FIELD_ENCRYPTION_KEYS and DEBUG:
    FIELD_ENCRYPTION_KEYS = [DEVELOPMENT_FIELD_ENCRYPTION_KEY]
elif not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off: the keys that encrypt "
        f"casework notes. Generate one with: {_GENERATE_FERNET_KEY}"
    )
elif not DEBUG and DEVELOPMENT_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS holds the development key, which is public. Generate "
        f"a key of your own with: {_GENERATE_FERNET_KEY}"
    )
for _number, _key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key {_number} of {len(FIELD_ENCRYPTION_KEYS)} is "
            "not a Fernet key (32 url-safe base64-encoded bytes). Generate one with: "
            f"{_GENERATE_FERNET_KEY}"
        ) from None

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Phone numbers are UK-first and stored in E.164; templates show them with the `phone`
# filter, as a UK caller dials them (academy/rules.py).
PHONENUMBER_DEFAULT_REGION = "GB"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "js_lib_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "phonenumber_field",
    "academy",
    "participants",
    "vacancies",
    "reporting",
]

MIDDLEWARE = [
    "academy.middleware.RefuseTraceMiddleware",
    "academy.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After sign-in, nothing but the second step until it is done (academy/mfa.py).
    "academy.mfa.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "academy.middleware.SessionLifetimeMiddleware",
    # "Your sessions": the session's row, touched at most once a minute.
    "academy.user_sessions.SessionActivityMiddleware",
    # A form a member sends makes their home (kept a minute) read afresh.
    "academy.home.HomeRefreshMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "academy.tenancy.CurrentAcademyMiddleware",
    # The request id, user and academy behind every access record and change.
    "academy.audit.AuditMiddleware",
    "academy.middleware.PrivateResponseMiddleware",
    # Last, so that it sees failed logins after authentication has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "academy.urls"
# make bench's baseline: a minimal signed-in page at /bench/minimal/
# (academy/views_bench.py). Off unless the benchmark's own gunicorn turns it on.
BENCH_MINIMAL_VIEW = env.bool("BENCH_MINIMAL_VIEW", default=False)
WSGI_APPLICATION = "academy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["academy.templatetags.portal"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "academy.context_processors.portal",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's JIT compiles a plan when its estimated cost is high: pages' queries
    # read few rows through indexes, and compiling cost them up to a second (a deep
    # page of the people list, ranking a vacancy's matches) for nothing.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "academy.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    # 30,000 passwords from breaches, offline (academy/passwords.py; AUTH-3).
    {"NAME": "academy.passwords.BreachedPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A reset link works once and for one hour (spec/security.md AUTH-6).
PASSWORD_RESET_TIMEOUT = 3600
# A new member's invitation link (set your password) lasts a week
# (academy/invitations.py).
INVITATION_TIMEOUT = 7 * 24 * 3600
# Sensitive actions (password, two-step sign-in, members' roles, lockouts, sessions,
# bulk exports) ask for the password and code again once this many seconds have passed
# since the person last typed them (academy/reauth.py; AUTH-7).
REAUTH_SECONDS = env.int("REAUTH_SECONDS", default=300)

# Lock an account after 5 failures in a row, for 30 minutes (spec/security.md AUTH-1).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
# Per account, whatever address the guesses come from (an office sharing one address
# is not locked out by one person's typos). The sign-in form posts `username`; axes
# would look for the user model's `email` field and record no account at all.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns when the address is not a lockout parameter: here that is deliberate (a
# shared office address must not lock out every colleague), and the per-account lock
# holds whatever addresses the guesses come from.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "academy.auth.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# A failed "Confirm it's you" counts too (academy/reauth.py); its code is not kept.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# Sessions: 30 minutes idle (spec/security.md SESS-2), and 12 hours after signing in
# whatever the activity (academy/middleware.py SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# HTTPS: on whenever DEBUG is off, unless the deployment says it terminates elsewhere.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # container health checks speak plain HTTP
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:  # host-only, secure, path / (browsers refuse the prefix over plain HTTP)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only a request that comes from one of these addresses (the deployment's proxy) may say
# who the client is in X-Forwarded-For: a client reaching gunicorn directly cannot pick
# its own address (sign-in lockout and the enquiry limit count addresses). Private and
# loopback networks by default: where the proxy runs beside the portal.
TRUSTED_PROXIES = env.list(
    "TRUSTED_PROXIES",
    default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# Uploads (issue 12, observation 7). No upload is read past UPLOAD_MAX_BYTES: the
# handler below stops storing it as it arrives and the form says it is too large
# (each form may allow less: imports 20 MB). An import may have IMPORT_MAX_ROWS rows;
# an XLSX may unpack to IMPORT_XLSX_MAX_UNPACKED_BYTES, checked before it is parsed.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=150_000)
IMPORT_XLSX_MAX_UNPACKED_BYTES = env.int(
    "IMPORT_XLSX_MAX_UNPACKED_BYTES", default=300 * 1024 * 1024
)
FILE_UPLOAD_HANDLERS = [
    "academy.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Where `manage.py backup` writes its archives (keep copies elsewhere too: README).
BACKUP_DIR = env.path("BACKUP_DIR", default=VAR_DIR / "backups")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed to the console unless EMAIL_URL names an SMTP server,
# e.g. smtp+tls://user:password@smtp.example.org:587
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
# filemail:///var/mail/portal writes each message to a file there (django-environ drops
# the path's leading slash, so it is put back).
EMAIL_FILE_PATH = (
    "/" + _email["EMAIL_FILE_PATH"] if _email.get("EMAIL_FILE_PATH") else ""
)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Care Academy Portal <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Operations", a) for a in env.list("ADMIN_EMAILS", default=[])]

# Text messages through GOV.UK Notify (academy/channels.py): NOTIFY_API_KEY (a key
# "name-<service id>-<secret>") and the id of a text template whose body is ((body));
# NOTIFY_SMS_TEMPLATES may give a template of its own per message
# ("appointment_reminder=<id>,..."). No key: texts are printed to the log.
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env(
    "NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk"
)
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_SMS_TEMPLATES: dict[str, str] = env.dict("NOTIFY_SMS_TEMPLATES", default={})
# The bearer token Notify sends with its delivery receipts and received texts.
NOTIFY_CALLBACK_TOKEN = env("NOTIFY_CALLBACK_TOKEN", default="")
NOTIFY_TIMEOUT = env.int("NOTIFY_TIMEOUT", default=20)
if NOTIFY_API_KEY and not (NOTIFY_SMS_TEMPLATE_ID or DEBUG):
    raise ImproperlyConfigured(
        "NOTIFY_API_KEY is set but NOTIFY_SMS_TEMPLATE_ID is not: give the id of a "
        "GOV.UK Notify text message template whose body is ((body)), or unset "
        "NOTIFY_API_KEY to print text messages to the log."
    )
if NOTIFY_API_KEY and not (NOTIFY_CALLBACK_TOKEN or DEBUG):
    raise ImproperlyConfigured(
        "NOTIFY_API_KEY is set but NOTIFY_CALLBACK_TOKEN is not: give the bearer "
        "token set for the delivery receipt and received text callbacks in GOV.UK "
        "Notify, so that delivery states and STOP replies are recorded."
    )
# Messages to one address in an hour, at most; more wait for the next hour.
NOTIFY_RATE_PER_HOUR = env.int("NOTIFY_RATE_PER_HOUR", default=10)
# Tries before a message that keeps failing is given up; the first retry after
# NOTIFY_RETRY_SECONDS, then twice as long each time (at most an hour).
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=6)
NOTIFY_RETRY_SECONDS = env.int("NOTIFY_RETRY_SECONDS", default=60)
# A message "being sent" this long belongs to a worker that stopped: tried again.
NOTIFY_SENDING_STALE_SECONDS = env.int("NOTIFY_SENDING_STALE_SECONDS", default=15 * 60)
# An e-mail's opt-out link works this many days.
NOTIFY_OPT_OUT_DAYS = env.int("NOTIFY_OPT_OUT_DAYS", default=365)

# Redis, when REDIS_URL is set, is Celery's broker and result store, and the cache.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# No broker: tasks run in-process, at once, as in pretix's embedded mode.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# The queue tasks are sent to and a worker without -Q reads. Tests give each real
# worker a queue of its own, so the tasks it queues itself come back to it.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# Redelivery waits past the longest task's hard limit (11 minutes; spec/security.md
# JOB-2, JOB-6), so a task whose worker was killed is delivered again within minutes;
# the reconciler below also restarts runs a worker lost.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 15 * 60}
# A broker that does not answer fails the enqueue in seconds, not tens of seconds: the
# run stays queued and the reconciler sends it again (academy/jobs.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Every five minutes: runs of every kind still waiting are sent to the worker again,
    # those a worker lost are restarted or, lost too long, marked failed with why.
    "academy-runs-reconcile": {
        "task": "academy.tasks.runs_reconcile",
        "schedule": crontab(minute="*/5"),
    },
    # Every minute: beat's heartbeat, which /health/ reads (older than 5 minutes: down).
    "academy-beat-heartbeat": {
        "task": "academy.tasks.beat_heartbeat",
        "schedule": 60.0,
    },
    # Every night at 03:15: delete expired sessions, so old cookies find nothing.
    "academy-session-cleanup": {
        "task": "academy.tasks.sessions_clear_expired",
        "schedule": crontab(hour=3, minute=15),
    },
    # Every night at 03:20: forget the one-time tokens of forms sent days ago.
    "academy-form-submissions-purge": {
        "task": "academy.tasks.form_submissions_purge",
        "schedule": crontab(hour=3, minute=20),
    },
    # Every night at 01:30: list outcomes that look like one job start recorded twice,
    # for coordinators to resolve.
    "participants-outcome-doubles-find": {
        "task": "participants.tasks.outcome_doubles_find",
        "schedule": crontab(hour=1, minute=30),
    },
    # Every night at 02:30: the retention schedule (README, Security): closed cases
    # past their period erased, enquiries never converted (as the public form's
    # privacy notice promises), import files, report files and the audit trail past
    # theirs removed, ended accounts anonymised.
    "academy-retention-apply": {
        "task": "academy.tasks.retention_apply",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every hour from 09:10 to 20:10: a reminder to everyone booked on an event that
    # starts tomorrow, once each (the first run sends them; later runs send only
    # those a lost worker left, or who booked since).
    "vacancies-event-reminders-send": {
        "task": "vacancies.tasks.event_reminders_send",
        "schedule": crontab(minute=10, hour="9-20"),
    },
    # Every hour from 09:15 to 20:15: a reminder of tomorrow's interviews to the person
    # (if they agreed) and the provider's members, once each (the message's key).
    "vacancies-interview-reminders-send": {
        "task": "vacancies.tasks.interview_reminders_send",
        "schedule": crontab(minute=15, hour="9-20"),
    },
    # Every hour from 08:05 to 20:05: a reminder to each person with an appointment
    # tomorrow who agreed to messages, once each (the key names the appointment and
    # its time: later runs send nothing, a moved appointment is reminded again).
    "participants-appointment-reminders-send": {
        "task": "participants.tasks.appointment_reminders_send",
        "schedule": crontab(minute=5, hour="8-20"),
    },
    # Every night at 04:10: the impact report's summaries rebuilt from the casework
    # (changes made past the per-record receivers, such as bulk updates, are counted).
    "reporting-impact-summaries-refresh": {
        "task": "reporting.tasks.impact_summaries_refresh",
        "schedule": crontab(hour=4, minute=10),
    },
    # Every five minutes: people whose casework changed are counted again in the
    # summaries, so that the next reader of the impact report does not wait for it.
    "reporting-impact-changes-apply": {
        "task": "reporting.tasks.impact_changes_apply",
        "schedule": crontab(minute="*/5"),
    },
    # Every night at 00:05: vacancies past their closing date close themselves.
    "vacancies-close-expired": {
        "task": "vacancies.tasks.vacancies_close_expired",
        "schedule": crontab(hour=0, minute=5),
    },
    # Every morning at 06:00: 13- and 26-week sustainment checks that fall due today
    # appear on coordinators' lists before they start work.
    "participants-sustainment-checks-raise": {
        "task": "participants.tasks.sustainment_checks_raise",
        "schedule": crontab(hour=6, minute=0),
    },
    # The 20th of each month at 05:30, after the ONS labour market release: the Nomis
    # claimant count (does nothing unless NOMIS_CLAIMANT_COUNT_URL is set).
    "academy-nomis-claimant-count": {
        "task": "academy.tasks.nomis_claimant_count_fetch",
        "schedule": crontab(day_of_month=20, hour=5, minute=30),
    },
    # Every minute: messages deferred by the rate limit that are now due, and any
    # whose send task the broker lost, are sent.
    "academy-messages-due-send": {
        "task": "academy.tasks.messages_due_send",
        "schedule": 60.0,
    },
    # Every morning at 07:00 (Europe/London): each member's daily digest of the
    # notices they chose to have that way (safe to run twice: one per member a day).
    "academy-notices-digest-send": {
        "task": "academy.tasks.notices_digest_send",
        "schedule": crontab(hour=7, minute=0),
    },
    # The 1st of each month at 07:00: last month's impact report to each academy's
    # managers.
    "reporting-monthly-reports": {
        "task": "reporting.tasks.monthly_reports_send",
        "schedule": crontab(day_of_month=1, hour=7, minute=0),
    },
}

# Labour-market data: this machine fetches the Nomis claimant count itself only when
# NOMIS_CLAIMANT_COUNT_URL is set ({geography} becomes every academy's area, region and
# England). spec/security.md INP-7: allow-listed hosts, a timeout, no redirects.
NOMIS_CLAIMANT_COUNT_URL = env("NOMIS_CLAIMANT_COUNT_URL", default="")
LMI_FETCH_ALLOWED_HOSTS = env.list(
    "LMI_FETCH_ALLOWED_HOSTS", default=["www.nomisweb.co.uk"]
)
LMI_FETCH_TIMEOUT = env.int("LMI_FETCH_TIMEOUT", default=30)

# The public forms: "register your interest" (participants/forms/enquiries.py), event
# sign-up and self check-in (vacancies/forms_public.py), all made with
# academy/public_forms.py and academy/ratelimit.py. In PUBLIC_RATE_WINDOW seconds, per
# academy: at most PUBLIC_RATE_PER_CONTACT forms giving one e-mail address or phone
# number, and PUBLIC_RATE_PER_EVENT sign-ups (or check-ins) to one event;
# PUBLIC_RATE_PER_ADDRESS, far higher, from one connection, which a job centre's or a
# venue's visitors share. A
# form sent sooner than PUBLIC_FORM_MIN_SECONDS after it was served is a robot's, one
# older than PUBLIC_FORM_MAX_AGE seconds is stale. Enquiries that never became a
# participant (and event sign-ups) are deleted after ENQUIRY_RETENTION_MONTHS, as the
# privacy notice promises.
PUBLIC_RATE_WINDOW = env.int("PUBLIC_RATE_WINDOW", default=60 * 60)
PUBLIC_RATE_PER_CONTACT = env.int("PUBLIC_RATE_PER_CONTACT", default=10)
PUBLIC_RATE_PER_EVENT = env.int("PUBLIC_RATE_PER_EVENT", default=300)
PUBLIC_RATE_PER_ADDRESS = env.int("PUBLIC_RATE_PER_ADDRESS", default=200)
PUBLIC_FORM_MIN_SECONDS = env.float("PUBLIC_FORM_MIN_SECONDS", default=3.0)
PUBLIC_FORM_MAX_AGE = env.int("PUBLIC_FORM_MAX_AGE", default=24 * 60 * 60)
# The names these had before they served every public form: a deployment still
# setting one is told, not silently ignored.
_RENAMED = {
    "ENQUIRY_RATE_LIMIT": "PUBLIC_RATE_PER_CONTACT (per e-mail or phone) and "
    "PUBLIC_RATE_PER_ADDRESS (per connection)",
    "ENQUIRY_RATE_WINDOW": "PUBLIC_RATE_WINDOW",
    "ENQUIRY_MIN_SECONDS": "PUBLIC_FORM_MIN_SECONDS",
    "ENQUIRY_FORM_MAX_AGE": "PUBLIC_FORM_MAX_AGE",
}
if _stale := [f"{old} is now {new}" for old, new in _RENAMED.items() if old in env]:
    raise ImproperlyConfigured("Renamed settings: " + "; ".join(_stale) + ".")
# Exports and PDFs of people's data each user may ask for in BULK_WINDOW seconds
# (academy/ratelimit.py), so that one account cannot copy out everything.
BULK_LIMIT = env.int("BULK_LIMIT", default=30)
BULK_WINDOW = env.int("BULK_WINDOW", default=3600)
ENQUIRY_RETENTION_MONTHS = env.int("ENQUIRY_RETENTION_MONTHS", default=12)

# The retention schedule (spec/security.md DP-1, DP-3): how long each class of record
# in academy/inventory.py is kept, and counted from when (README, Security). Enquiries
# never converted: ENQUIRY_RETENTION_MONTHS above; reference data: while in use.
RETENTION_CASEWORK_YEARS = env.int("RETENTION_CASEWORK_YEARS", default=6)  # case closed
RETENTION_ACCOUNT_YEARS = env.int("RETENTION_ACCOUNT_YEARS", default=6)  # account ended
RETENTION_AUDIT_YEARS = env.int("RETENTION_AUDIT_YEARS", default=2)  # the event
RETENTION_IMPORT_FILES_DAYS = env.int("RETENTION_IMPORT_FILES_DAYS", default=30)
RETENTION_REPORTS_YEARS = env.int("RETENTION_REPORTS_YEARS", default=1)
RETENTION_TRANSIENT_DAYS = env.int("RETENTION_TRANSIENT_DAYS", default=2)
# The message log's rows not to or about a participant (a participant's are casework).
RETENTION_MESSAGES_MONTHS = env.int("RETENTION_MESSAGES_MONTHS", default=12)

ADMIN_URL = env("ADMIN_URL", default="django-admin/")
# spec/impact-report.md: published counts below this read "<5".
SMALL_NUMBER_THRESHOLD = 5
SITE_NAME = env("SITE_NAME", default="Care Academy Portal")
# Two-step sign-in (academy/mfa.py): the name authenticator apps show for the portal.
OTP_TOTP_ISSUER = SITE_NAME
# Links in e-mails sent by background tasks, which have no request to build them from.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # A request that failed because the database or Redis is down logs one line.
    "filters": {"outage": {"()": "academy.health.OutageLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["outage"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Never below INFO, whatever LOG_LEVEL says: at DEBUG these log SQL parameters and
    # template contexts, that is people's data (spec/security.md LOG-5).
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        "django.template": {"level": "INFO"},
    },
}
