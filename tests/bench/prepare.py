"""`python -m tests.bench.prepare`: run by tests/bench/harness.py inside the bench
database (DATABASE_URL, production settings). In the largest academy it gives one
member of each role the password BENCH_PASSWORD and an authenticator of its own, finds
a real record of every kind each role opens, lists every page each role opens (the URL
registry and tests/test_permissions.py say which) and counts each page's queries
through Django's test client. Prints one JSON line."""

import json
import os
import re
import secrets
import sys
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy.settings")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, QuerySet  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.urls.converters import IntConverter  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from academy.models import Academy, Membership, Organisation, RefreshRun  # noqa: E402
from participants.models import (  # noqa: E402
    Appointment,
    Enquiry,
    ImportRun,
    Participant,
    PlanAction,
    SkillsActionPlan,
    SustainmentCheck,
    Task,
)
from reporting.models import FunderReturn, Indicator, ReportRun  # noqa: E402
from tests.conftest import log_in  # noqa: E402
from tests.probe import _patterns, url_kind  # noqa: E402
from tests.test_permissions import MATRIX  # noqa: E402
from vacancies.models import (  # noqa: E402
    Event,
    Referral,
    SignUp,
    TrainingOpportunity,
    Vacancy,
)

ROLES = ("coordinator", "provider", "manager", "admin")
DEVICE_NAME = "Bench authenticator"
# Pages of one's own that are part of a member's day (the rest of OWN_RULE are forms
# of the second step, confirming it's you, or POST-only).
OWN_PAGES = {"account-sessions", "academy:invitations", "password_change"}
PUBLIC_PAGES = {
    "vacancies:board",
    "vacancies:board-detail",
    "vacancies:event-board",
    "vacancies:event-board-detail",
    "participants:enquiry-public",
    "accessibility",
}
# Files, images and feeds: not pages (exports are benchmarked on their own, and
# each is limited to BULK_LIMIT an hour per person).
NOT_PAGE = re.compile(
    r"(export|csv|xlsx|pdf|download|logo|qr|feed)", flags=re.IGNORECASE
)
SLUGS = {
    ("reporting:people", "metric"): ["action_plan_people"],
    ("academy:audit", "kind"): ["changes", "sign-ins"],
}


def _scoped(model: Any, membership: Membership) -> QuerySet[Any]:
    manager = model.objects
    if hasattr(manager, "for_membership"):
        return manager.for_membership(membership)
    return manager.for_academy(membership.academy)


def _heaviest_participant(membership: Membership) -> Any:
    """The person with the most meetings: the longest timeline a coordinator opens."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT m.participant_id FROM participants_meeting m
            JOIN participants_participant p ON p.id = m.participant_id
            WHERE p.academy_id = %s GROUP BY 1 ORDER BY count(*) DESC LIMIT 1""",
            [membership.academy_id],
        )
        row = cursor.fetchone()
    people = _scoped(Participant, membership)
    return people.filter(pk=row[0]).first() if row else people.order_by("-pk").first()


KINDS: dict[str, Callable[[Membership], Any]] = {
    "participant": _heaviest_participant,
    "plan": lambda m: (
        _scoped(SkillsActionPlan, m)
        .annotate(n=Count("actions"))
        .order_by("-n", "-pk")
        .first()
    ),
    "action": lambda m: _scoped(PlanAction, m).order_by("-pk").first(),
    "check": lambda m: _scoped(SustainmentCheck, m).order_by("-pk").first(),
    "appointment": lambda m: _scoped(Appointment, m).order_by("-pk").first(),
    "attended_appointment": lambda m: (
        _scoped(Appointment, m)
        .filter(status=Appointment.Status.ATTENDED, meeting__isnull=False)
        .order_by("-pk")
        .first()
    ),
    "task": lambda m: _scoped(Task, m).order_by("-pk").first(),
    "enquiry": lambda m: _scoped(Enquiry, m).order_by("-pk").first(),
    "import_run": lambda m: _scoped(ImportRun, m).order_by("-pk").first(),
    "membership": lambda m: (
        _scoped(Membership, m).filter(role="coordinator").order_by("pk").first()
    ),
    "organisation": lambda m: _scoped(Organisation, m).order_by("pk").first(),
    "vacancy": lambda m: _scoped(Vacancy, m).order_by("-pk").first(),
    "training": lambda m: _scoped(TrainingOpportunity, m).order_by("-pk").first(),
    "referral": lambda m: _scoped(Referral, m).order_by("-pk").first(),
    "event": lambda m: _scoped(Event, m).order_by("-pk").first(),
    "signup": lambda m: _scoped(SignUp, m).order_by("-pk").first(),
    "report_run": lambda m: _scoped(ReportRun, m).order_by("-pk").first(),
    "funder_return": lambda m: _scoped(FunderReturn, m).order_by("pk").first(),
    "indicator": lambda m: _scoped(Indicator, m).order_by("pk").first(),
    "refresh_run": lambda m: _scoped(RefreshRun, m).order_by("-pk").first(),
}


def largest_academy() -> Academy:
    """The academy with the most people (the 100,000 of a bench data set)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT academy_id FROM participants_participant
            GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"""
        )
        row = cursor.fetchone()
    academy = Academy.objects.filter(pk=row[0]).first() if row else None
    if academy is None:
        sys.exit("the bench database has no academy: generate data first")
    return academy


def member(academy: Academy, role: str) -> Membership:
    """An active member of `role`; a coordinator with the largest caseload."""
    members = Membership.objects.filter(
        academy=academy, role=role, user__is_active=True
    ).select_related("user", "organisation")
    if role == "provider":
        members = members.exclude(organisation=None)
    if role == "coordinator":
        members = members.annotate(
            caseload=Count("user__caseload", distinct=True)
        ).order_by("-caseload", "pk")
    found = members.order_by("pk").first() if role != "coordinator" else members.first()
    if found is None:
        sys.exit(f"the academy {academy.slug} has no active {role}")
    return found


def sign_in_ready(membership: Membership, password: str) -> str:
    """Give the member `password` and an authenticator of the bench's; its key."""
    user = membership.user
    user.password = make_password(password)
    user.save(update_fields=["password"])
    TOTPDevice.objects.filter(user=user, name=DEVICE_NAME).delete()
    key = secrets.token_hex(20)
    TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    return key


def audience(name: str) -> set[str]:
    if name in MATRIX:
        allowed, _kind, *method = MATRIX[name]
        return set() if method else set(allowed)
    if name in OWN_PAGES:
        return set(ROLES)
    if name in PUBLIC_PAGES:
        return {"public"}
    return set()


def pages_of(who: str, objects: dict[str, Any], academy: Academy) -> list[list[str]]:
    """[name, url] of every page `who` opens, or [name, "", why] when none can be
    built (no such record in the data)."""
    found: list[list[str]] = []
    for name, converters in _patterns():
        if who not in audience(name) or NOT_PAGE.search(name):
            continue
        choices: list[dict[str, Any]] = [{}]
        missing = ""
        for key, converter in converters.items():
            if isinstance(converter, IntConverter):
                kind = url_kind(name)
                obj = objects.get(kind or "")
                if obj is None:
                    missing = f"no {kind} in the data"
                    break
                choices = [{**c, key: obj.pk} for c in choices]
            elif key == "academy_slug":
                choices = [{**c, key: academy.slug} for c in choices]
            elif (name, key) in SLUGS:
                choices = [{**c, key: v} for c in choices for v in SLUGS[(name, key)]]
            else:
                missing = f"<{key}> is not filled in by the bench"
                break
        if missing:
            found.append([name, "", missing])
            continue
        for kwargs in choices:
            url = reverse(name, kwargs=kwargs)
            if not any(page[1] == url for page in found):
                found.append([name, url])
    return found


def query_counts(membership: Membership | None, pages: list[list[str]]) -> None:
    """Append each page's status, content type and query count (in-process)."""
    client = Client()
    if membership is not None:
        log_in(client, membership.user)
    for page in pages:
        if not page[1]:
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page[1], secure=True)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
        page.extend(
            [
                str(response.status_code),
                response.get("Content-Type", ""),
                str(len(queries)),
                # Where the time goes, for the pages that miss their goal.
                json.dumps(
                    [[float(q["time"]) * 1000, q["sql"][:1500]] for q in slowest[:3]]
                ),
            ]
        )


def main() -> None:
    password = os.environ["BENCH_PASSWORD"]
    academy = largest_academy()
    result: dict[str, Any] = {
        "academy": academy.slug,
        "people": Participant.objects.filter(academy=academy).count(),
        "academies": Academy.objects.count(),
        "people_everywhere": Participant.objects.count(),
        "members": {},
        "pages": {},
    }
    public_objects: dict[str, Any] = {}
    for role in ROLES:
        membership = member(academy, role)
        objects = {kind: find(membership) for kind, find in KINDS.items()}
        if role == "admin":
            public_objects = {
                "vacancy": Vacancy.objects.for_academy(academy)
                .filter(pk__in=_public_ids(academy, "jobs"))
                .first(),
                # The one that ends last: the soonest may end while the run lasts.
                "event": Event.objects.for_academy(academy)
                .filter(pk__in=_public_ids(academy, "events"))
                .order_by("-ends_at", "pk")
                .first(),
            }
        pages = pages_of(role, objects, academy)
        if not os.environ.get("BENCH_SKIP_QUERY_COUNTS"):
            query_counts(membership, pages)
        result["members"][role] = {
            "email": membership.user.email,
            "totp_key": sign_in_ready(membership, password),
        }
        result["pages"][role] = pages
    pages = pages_of("public", public_objects, academy)
    if not os.environ.get("BENCH_SKIP_QUERY_COUNTS"):
        query_counts(None, pages)
    result["pages"]["public"] = pages
    print(json.dumps(result))


def _public_ids(academy: Academy, board: str) -> list[int]:
    """Ids the public board links to on its first page."""
    response = Client().get(f"/{board}/{academy.slug}/", secure=True)
    text = response.content.decode()
    return [int(n) for n in re.findall(rf"/{board}/{academy.slug}/(\d+)/", text)]


if __name__ == "__main__":
    main()
