# The portal's production image: gunicorn for the web, the same image for the Celery
# worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango and fonts to lay out PDFs; `manage.py backup` needs pg_dump
# of the same major version as docker-compose.yml's PostgreSQL (16), from the PGDG
# repository (Debian 12 ships 15).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Exactly the pinned dependencies, each file checked against its hash (`make lock`
# writes the lock). The portal runs from /app, so the project itself needs no install.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
# Static files are collected at build time and served by WhiteNoise. The settings need
# a secret key and an encryption key to load: throwaway ones, for this command only.
RUN SECRET_KEY=build-only-not-secret \
    FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app portal \
    && mkdir -p /app/var/media /app/var/backups \
    && chown -R portal /app/var

USER portal
EXPOSE 8000
# gunicorn, set on purpose (README, "Serving: gunicorn"). gthread: 3 processes of 4
# threads each, so a page that waits on PostgreSQL does not hold a whole process and
# 12 requests run at once on 2 cores (12 database connections). No request comes near
# the 30 s timeout: anything long (exports over 5,000 rows, PDFs, imports, loads) is a
# run a Celery worker does; a gthread worker keeps telling the arbiter it is alive
# while its threads work, so the timeout catches a hung process, not a slow page.
# A restart lets requests in flight finish for up to 30 s; each process is replaced
# after 1,000 requests (give or take 100, so they do not all restart at once), which
# bounds any slow leak; connections are kept open 5 s for the next request through
# the proxy; the heartbeat file is in memory (/dev/shm), not on the image's overlay.
# More cores: more --workers (about 2 per core), through docker-compose's `command:`.
CMD ["gunicorn", "academy.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--workers", "3", "--worker-class", "gthread", "--threads", "4", \
     "--timeout", "30", "--graceful-timeout", "30", "--keep-alive", "5", \
     "--max-requests", "1000", "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*"]
