"""The demo academy that `make run` seeds, with one login per role."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from django.db import transaction

from .models import Academy, Membership, Organisation, User
from .permissions import Role

DEMO_SLUG = "demo"
DEMO_DOMAIN = "demo.example.org"

ORGANISATIONS = [
    ("Tamar View Care Homes", Organisation.Kind.CARE_PROVIDER, "PL1 2AA"),
    ("Sound Homecare", Organisation.Kind.CARE_PROVIDER, "PL4 6AB"),
    ("Plymouth Hospitals NHS Trust (demo)", Organisation.Kind.NHS_TRUST, "PL6 8DH"),
    ("Plymouth Jobcentre Plus (demo)", Organisation.Kind.JOB_CENTRE, "PL1 1HE"),
    ("City College (demo)", Organisation.Kind.COLLEGE, "PL1 5QG"),
    ("Care Skills Training (demo)", Organisation.Kind.TRAINING_PROVIDER, "PL7 4JH"),
    ("Improving Lives (demo)", Organisation.Kind.VOLUNTARY, "PL2 2PQ"),
    ("Plymouth City Council (demo)", Organisation.Kind.COUNCIL, "PL1 3BJ"),
]

# (role, first name, last name, organisation name or None)
PEOPLE = [
    (Role.COORDINATOR, "Cara", "Coleman", None),
    (Role.PROVIDER, "Priya", "Shah", "Tamar View Care Homes"),
    (Role.MANAGER, "Martin", "Hughes", None),
    (Role.ADMIN, "Ada", "Lovell", None),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


@dataclass(frozen=True)
class DemoSeed:
    created: bool
    logins: list[DemoLogin]
    mfa_key: str  # the demo users' shared authenticator key, in hex


def demo_mfa_key_file(credentials_file: Path) -> Path:
    return credentials_file.with_name("demo-mfa-key")


def _demo_mfa(credentials_file: Path) -> str:
    """Give every demo user an authenticator with one shared key (kept beside the
    logins), so that the demo stays easy to try: add the key to any authenticator app,
    or print the current code with `manage.py demo_code`. Only the demo has this."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key_file = demo_mfa_key_file(credentials_file)
    try:
        key = key_file.read_text().strip()
        bytes.fromhex(key)
    except (OSError, ValueError):
        key = secrets.token_hex(20)
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(key)
        key_file.chmod(0o600)
    for role, *_ in PEOPLE:
        user = User.objects.get(email=f"{role.value}@{DEMO_DOMAIN}")
        TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
        TOTPDevice.objects.get_or_create(
            user=user, key=key, defaults={"name": "Demo authenticator"}
        )
    return key


def _new_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def demo_seed(*, credentials_file: Path) -> DemoSeed:
    """Create the demo academy once; return its logins, kept in `credentials_file`.

    A second run changes no data. If the credentials file was lost, the demo users get
    new passwords, so the printed logins always work.
    """
    academy, created = Academy.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "name": "Demo Care Academy (Plymouth)",
            "region": "South West",
            "area_code": "E06000026",
            "launched_on": dt.date(2023, 11, 1),
        },
    )
    if created:
        organisations = {
            name: Organisation.objects.create(
                academy=academy, name=name, kind=kind, postcode=postcode
            )
            for name, kind, postcode in ORGANISATIONS
        }
        for role, first, last, organisation in PEOPLE:
            user = User.objects.create_user(
                f"{role.value}@{DEMO_DOMAIN}",
                first_name=first,
                last_name=last,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            Membership.objects.create(
                user=user,
                academy=academy,
                role=role,
                organisation=organisations[organisation] if organisation else None,
            )
    logins = _stored_logins(credentials_file) if not created else None
    if logins is None:
        logins = []
        for role, *_ in PEOPLE:
            password = _new_password()
            user = User.objects.get(email=f"{role.value}@{DEMO_DOMAIN}")
            user.set_password(password)
            user.save(update_fields=["password"])
            logins.append(
                DemoLogin(role=role.value, email=user.email, password=password)
            )
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        credentials_file.write_text(
            json.dumps([asdict(login) for login in logins], indent=2)
        )
        credentials_file.chmod(0o600)
    return DemoSeed(created=created, logins=logins, mfa_key=_demo_mfa(credentials_file))


def _stored_logins(credentials_file: Path) -> list[DemoLogin] | None:
    try:
        rows = json.loads(credentials_file.read_text())
        return [DemoLogin(**row) for row in rows]
    except (OSError, ValueError, TypeError):
        return None
