"""What the probe (tests/test_probe.py) and the form fuzzer (tests/test_forms_fuzz.py)
share: the URL patterns that take an object's id, the records of one side of the probe
(an academy, or one provider organisation in it) built for every object kind the
matrix names, the pages a role may open, and a snapshot of every academy-owned row.

A side's text is marked: the probe's other academy writes `SENTINEL-B-<n>` into names,
notes, e-mail addresses and titles, so that any page of the home academy that shows one
has shown another academy's data."""

import datetime as dt
import functools
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from PIL import Image

from academy.models import (
    Academy,
    ExportRun,
    Membership,
    Organisation,
    RefreshRun,
    User,
)
from academy.permissions import Role
from academy.tenancy import AcademyQuerySet
from participants.models import (
    CaseNote,
    ConsentRecord,
    ImportRun,
    SuspectedDoubleOutcome,
    SustainmentCheck,
)
from reporting.models import FunderReturn, Indicator, ReportRun
from tests.academy.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.participants.factories import (
    AppointmentFactory,
    EnquiryFactory,
    MeetingFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlanActionFactory,
    SkillsActionPlanFactory,
    SupportFactory,
    TaskFactory,
)
from tests.test_permissions import MATRIX
from tests.vacancies.factories import (
    EventFactory,
    ReferralFactory,
    SignUpFactory,
    TrainingFactory,
    VacancyFactory,
)
from vacancies.models import ReferralEvent, SignUp

ROLES = ["coordinator", "provider", "manager", "admin", "platform"]
PROJECT_APPS = ("academy", "participants", "vacancies", "reporting")
# Object URLs that are not rows of MATRIX (their rule is not a role): their kind.
EXTRA_KINDS = {
    "academy:invitation-answer": "invitation",  # one's own invitations only
    "vacancies:board-detail": "vacancy",  # public, the academy's open vacancies only
    # Public, the academy's public events only; the second only for the browser
    # that signed up.
    "vacancies:event-board-detail": "event",
    "vacancies:event-board-signed-up": "event",
    "account-session-end": "user_session",  # one's own sessions only
}
# Kinds that are one user's own: no colleague may reach them either.
PER_USER_KINDS = {"invitation", "user_session", "export_run"}
# Kinds that are the whole academy's, not one organisation's: a provider reaches its
# academy's, so another provider's side has no other one to try.
ACADEMY_WIDE_KINDS = {"academy_logo"}


def role_allowed(role: str, allowed: set[str]) -> bool:
    """Whether a persona passes a matrix row's role check: platform staff are admins
    of the home academy who are also superusers (the rows with no role)."""
    if role == "platform":
        return "admin" in allowed or not allowed
    return role in allowed


def is_post_only(name: str) -> bool:
    return MATRIX.get(name, (None, None))[2:] == ("post",)


def _patterns(
    resolver: URLResolver | None = None, namespace: str = "", converters=None
) -> Iterator[tuple[str, dict[str, Any]]]:
    resolver = resolver or get_resolver()
    converters = converters or {}
    for pattern in resolver.url_patterns:
        found = {**converters, **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django admin: platform staff only, behind the same sign-in
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from _patterns(pattern, inner, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", found


@functools.cache
def object_url_names() -> dict[str, dict[str, Any]]:
    """Every named URL that takes an object's id, with its converters."""
    return {
        name: converters
        for name, converters in _patterns()
        if any(isinstance(c, IntConverter) for c in converters.values())
    }


def url_kind(name: str) -> str | None:
    """The object kind an object URL takes: its matrix row's, or EXTRA_KINDS'."""
    if name in MATRIX and MATRIX[name][1]:
        return str(MATRIX[name][1])
    return EXTRA_KINDS.get(name)


def object_url(name: str, obj: Any, *, academy: Academy) -> str:
    """`name`'s address for `obj`; a slug in the address is the home academy's."""
    kwargs: dict[str, Any] = {}
    for key, converter in object_url_names()[name].items():
        if isinstance(converter, IntConverter):
            kwargs[key] = obj.pk
        elif key == "academy_slug":
            kwargs[key] = academy.slug
        else:
            pytest.fail(f"{name}: the probe cannot fill in <{key}>")
    return reverse(name, kwargs=kwargs)


@dataclass
class Side:
    """The records of one side of the probe: an academy and, for providers, one
    organisation in it; `mark` gives each text field its own value."""

    academy: Academy
    organisation: Organisation
    coordinator: Membership
    mark: Callable[[str], str]
    built: dict[str, Any] = field(default_factory=dict)

    def get(self, kind: str) -> Any:
        """The side's object of `kind`, built the first time it is asked for."""
        if kind not in self.built:
            builder = BUILDERS.get(kind)
            if builder is None:
                pytest.fail(
                    f"the probe cannot build an object of kind {kind!r}: add a builder "
                    "to BUILDERS in tests/probe.py"
                )
            self.built[kind] = builder(self)
        return self.built[kind]

    def email(self, label: str) -> str:
        return f"{self.mark(label).lower().replace(' ', '-')}@example.net"


def _participant(side: Side) -> Any:
    person = ParticipantFactory(
        academy=side.academy,
        first_name=side.mark("first name"),
        last_name=side.mark("last name"),
        email=side.email("participant"),
        coordinator=side.coordinator.user,
        referring_organisation=side.organisation,
        hours_wanted=20,
    )
    MeetingFactory(
        participant=person, notes=side.mark("meeting"), location=side.mark("place")
    )
    SupportFactory(participant=person, notes=side.mark("support"))
    CaseNote.objects.create(
        participant=person, text=side.mark("case note"), written_at=timezone.now()
    )
    ConsentRecord.objects.create(
        participant=person,
        kind=ConsentRecord.Kind.SHARE_WITH_PROVIDERS,
        is_given=True,
        recorded_at=timezone.now(),
        note=side.mark("consent note"),
    )
    return person


def _plan(side: Side) -> Any:
    return SkillsActionPlanFactory(
        participant=side.get("participant"),
        target_role=side.mark("target role"),
        goals=side.mark("goals"),
    )


def _action(side: Side) -> Any:
    return PlanActionFactory(plan=side.get("plan"), description=side.mark("action"))


def _check(side: Side) -> Any:
    outcome = OutcomeFactory(
        participant=side.get("participant"),
        employer=side.mark("employer"),
        role=side.mark("job"),
    )
    # A start recorded twice: the pair waits on the doubles page.
    double = OutcomeFactory(
        participant=outcome.participant, employer=side.mark("employer again")
    )
    side.built["double"] = SuspectedDoubleOutcome.objects.create(
        first=outcome, second=double
    )
    return SustainmentCheck.objects.create(
        outcome=outcome,
        weeks=13,
        due_on=timezone.localdate(),
        confirmed_by=side.mark("confirmed by"),
    )


def _appointment(side: Side) -> Any:
    """A booked appointment of the side's participant, in its coordinator's diary."""
    return AppointmentFactory(
        participant=side.get("participant"),
        coordinator=side.coordinator.user,
        place=side.mark("appointment place"),
    )


def _attended_appointment(side: Side) -> Any:
    """An appointment the side's participant came to yesterday: its meeting's notes."""
    from participants.models import Appointment

    person = side.get("participant")
    meeting = MeetingFactory(
        participant=person,
        held_at=timezone.now() - dt.timedelta(days=1),
        notes=side.mark("appointment notes"),
    )
    return AppointmentFactory(
        participant=person,
        coordinator=side.coordinator.user,
        starts_at=meeting.held_at,
        place=side.mark("attended place"),
        status=Appointment.Status.ATTENDED,
        meeting=meeting,
    )


def _referral(side: Side) -> Any:
    vacancy = side.get("vacancy")
    referral = ReferralFactory(
        participant=side.get("participant"),
        vacancy=vacancy,
        note=side.mark("referral's note"),
    )
    ReferralEvent.objects.create(
        referral=referral,
        stage=referral.stage,
        on=timezone.localdate(),
        note=side.mark("referral note"),
        by=side.coordinator.user,
    )
    ReferralFactory(
        participant=referral.participant,
        vacancy=None,
        training=side.get("training"),
        note=side.mark("training referral's note"),
    )
    return referral


def _import_run(side: Side) -> Any:
    return ImportRun.objects.create(
        academy=side.academy,
        kind="support",
        file="imports/x.csv",
        original_name=f"{side.mark('file')}.csv",
        status=ImportRun.Status.REJECTED,
        problems=[f"row 2: first_name: {side.mark('problem')}"],
        created_by=side.coordinator.user,
    )


def _task(side: Side) -> Any:
    """An open task of the side's participant, in its coordinator's list."""
    return TaskFactory(
        participant=side.get("participant"),
        owner=side.coordinator.user,
        title=side.mark("task"),
    )


def _report_run(side: Side) -> Any:
    run = ReportRun.objects.create(
        academy=side.academy,
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 1, 31),
        status=ReportRun.Status.DONE,
        requested_by=side.coordinator.user,
        # The next PDF's form starts from it: never another academy's.
        narrative=side.mark("narrative"),
    )
    run.file.save("r.pdf", ContentFile(b"%PDF-1.7 " + side.mark("pdf").encode()))
    return run


def _export_run(side: Side) -> Any:
    """A finished export of the people list, asked for by the side's coordinator."""
    run = ExportRun.objects.create(
        academy=side.academy,
        kind="people",
        requested_by=side.coordinator.user,
        query={"status": ["open"]},
        total=1,
        filename="participants-2026-01-01.csv",
        status=ExportRun.Status.DONE,
    )
    body = f"Reference,Last name\r\nCA-000001,{side.mark('exported name')}\r\n"
    run.file.save(run.filename, ContentFile(body.encode()))
    return run


def _funder_return(side: Side) -> Any:
    """A return of the side's academy with one figure, its text marked."""
    funder_return = FunderReturn.objects.create(
        academy=side.academy,
        code=side.mark("return code").lower(),
        name=side.mark("funder return"),
        funder=side.mark("funder"),
        description=side.mark("return description"),
    )
    side.built["indicator"] = Indicator.objects.create(
        funder_return=funder_return,
        code=side.mark("figure code"),
        title=side.mark("figure"),
        definition=side.mark("figure definition"),
        metric="action_plan_people",
    )
    return funder_return


def _academy_logo(side: Side) -> Any:
    """The side's academy with a logo (its URL takes the academy's id)."""
    picture = io.BytesIO()
    Image.new("RGB", (2, 2), "navy").save(picture, "PNG")
    side.academy.logo.save("logo.png", ContentFile(picture.getvalue()))
    return side.academy


def _refresh_run(side: Side) -> Any:
    return RefreshRun.objects.create(
        academy=side.academy,
        source=RefreshRun.Source.SKILLS_FOR_CARE,
        action=RefreshRun.Action.PREVIEW,
        status=RefreshRun.Status.PREVIEWED,
        filename=f"{side.mark('source file')}.xlsx",
        created_by=side.coordinator.user,
    )


def _invitation(side: Side) -> Any:
    """An invitation of someone else, not yet answered."""
    user = UserFactory(first_name=side.mark("invited"), email=side.email("invited"))
    return MembershipFactory(academy=side.academy, user=user, accepted_at=None)


def _user_session(side: Side) -> Any:
    """A signed-in session of the side's coordinator."""
    from academy.models import UserSession

    return UserSession.objects.create(
        user=side.coordinator.user,
        session_key=side.mark("session").lower().replace("-", "")[:40],
        created_at=timezone.now(),
        last_seen_at=timezone.now(),
        user_agent=side.mark("browser"),
    )


def _event(side: Side) -> Any:
    """An event the side's organisation hosts, full, with someone booked, someone
    waiting, the side's participant who came and a walk-in (the side's "signup")."""
    event = EventFactory(
        academy=side.academy,
        title=side.mark("event"),
        description=side.mark("event text"),
        venue=side.mark("venue"),
        capacity=3,
        created_by=side.coordinator.user,
    )
    event.hosts.add(side.organisation)
    person = side.get("participant")
    for status, participant in (
        (SignUp.Status.BOOKED, None),
        (SignUp.Status.ATTENDED, person),
        (SignUp.Status.ATTENDED, None),
        (SignUp.Status.WAITING, None),
    ):
        signup = SignUpFactory(
            event=event,
            participant=participant,
            first_name=side.mark("sign-up"),
            last_name=side.mark("sign-up surname"),
            email=side.email("sign-up"),
            status=status,
            source=SignUp.Source.STAFF if participant else SignUp.Source.WALK_IN,
        )
        if status == SignUp.Status.ATTENDED and participant is None:
            side.built["signup"] = signup
    return event


BUILDERS: dict[str, Callable[[Side], Any]] = {
    "participant": _participant,
    "plan": _plan,
    "action": _action,
    "check": _check,
    "double": lambda side: side.get("check") and side.built["double"],
    "enquiry": lambda side: EnquiryFactory(
        academy=side.academy,
        first_name=side.mark("enquirer"),
        last_name=side.mark("enquirer surname"),
        email=side.email("enquirer"),
        interest=side.mark("interest"),
    ),
    "import_run": _import_run,
    "appointment": _appointment,
    "attended_appointment": _attended_appointment,
    "membership": lambda side: side.coordinator,
    "organisation": lambda side: side.organisation,
    "vacancy": lambda side: VacancyFactory(
        academy=side.academy,
        organisation=side.organisation,
        title=side.mark("vacancy"),
        description=side.mark("vacancy text"),
    ),
    "training": lambda side: TrainingFactory(
        academy=side.academy,
        organisation=side.organisation,
        title=side.mark("training"),
        description=side.mark("training text"),
    ),
    "referral": _referral,
    "task": _task,
    "event": _event,
    "signup": lambda side: side.get("event") and side.built["signup"],
    "report_run": _report_run,
    "export_run": _export_run,
    "funder_return": _funder_return,
    "indicator": lambda side: side.get("funder_return") and side.built["indicator"],
    "refresh_run": _refresh_run,
    "academy_logo": _academy_logo,
    "invitation": _invitation,
    "user_session": _user_session,
}


class Marks:
    """Unique marked strings (`SENTINEL-B-007`), remembered to look for later."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.given: list[str] = []
        self._numbers = itertools.count(1)

    def __call__(self, label: str) -> str:
        mark = f"{self.prefix}-{next(self._numbers):03d}"
        self.given.append(mark)
        return mark

    def found_in(self, body: str) -> list[str]:
        """The marks `body` holds (e-mail addresses hold them in lower case)."""
        lowered = body.lower()
        return [mark for mark in self.given if mark.lower() in lowered]


def side_of(
    academy: Academy,
    *,
    mark: Callable[[str], str],
    organisation: Organisation | None = None,
    coordinator: Membership | None = None,
) -> Side:
    """A side in `academy`: its coordinator and organisation (made, with marked names,
    unless given) and marked text in every record built for it."""
    if coordinator is None:
        coordinator = MembershipFactory(
            academy=academy,
            role=Role.COORDINATOR,
            user__first_name=mark("coordinator"),
            user__last_name=mark("coordinator surname"),
            user__email=f"{mark('coordinator e-mail').lower()}@example.net",
        )
    if organisation is None:
        organisation = OrganisationFactory(
            academy=academy, name=mark("organisation"), email=f"{mark('org')}@x.org"
        )
    return Side(academy, organisation, coordinator, mark)


def page_urls(
    role: str, side: Side, *, with_objects: bool = True
) -> Iterator[tuple[str, str]]:
    """(name, address) of every page `role` may open with GET, for `side`'s objects."""
    for name, (allowed, kind, *method) in sorted(MATRIX.items()):
        if not role_allowed(role, allowed) or method == ["post"]:
            continue
        if kind in PER_USER_KINDS and role != "coordinator":
            continue  # one's own only: the side's are its coordinator's
        if kind is None:
            yield name, reverse(name)
        elif kind == "metric":
            yield name, reverse(name, args=["action_plan_people"])
        elif with_objects:
            yield name, object_url(name, side.get(kind), academy=side.academy)


# Rows whose change the probe does not look for: bookkeeping, not academy data.
SNAPSHOT_SKIP_FIELDS = {"last_login"}


def academy_models() -> list[type[models.Model]]:
    """Every model of the project whose rows belong to an academy: the academy itself,
    models with an AcademyQuerySet, and models with a foreign key to one of those."""
    owned: set[type[models.Model]] = {Academy}
    project = [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]
    for model in project:
        if isinstance(model._default_manager.all(), AcademyQuerySet):
            owned.add(model)
    grew = True
    while grew:
        grew = False
        for model in project:
            if model in owned:
                continue
            targets = {
                f.related_model
                for f in model._meta.get_fields()
                if isinstance(f, models.ForeignKey)
            }
            if targets & owned:
                owned.add(model)
                grew = True
    return sorted(owned, key=lambda m: m._meta.label)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every academy-owned row, and every account's row, as the database holds it."""
    rows = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in [*academy_models(), User]
    }
    for row in rows[User._meta.label]:
        for name in SNAPSHOT_SKIP_FIELDS:
            row.pop(name, None)
    return rows


def snapshot_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The models whose rows differ between two snapshots, with the rows that do."""
    changed = []
    for label, rows in before.items():
        if after[label] != rows:
            old = {r["id"]: r for r in rows}
            new = {r["id"]: r for r in after[label]}
            ids = sorted(
                {i for i in old.keys() | new.keys() if old.get(i) != new.get(i)}
            )
            changed.append(f"{label} rows {ids}")
    return changed


@dataclass
class Page:
    status: int
    body: str
    location: str = ""


def fetch(client: Any, url: str, data: Any = None, *, method: str = "GET", **extra):
    """A response read in full, as a Page. A streamed one (a CSV, a file) is read to
    its end, where the test client closes it (closing it again would end the test's
    database connection)."""
    if method == "GET":
        response = client.get(url, data, **extra)
    else:
        response = client.post(url, data or {}, **extra)
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return Page(
        response.status_code,
        content.decode("utf-8", errors="replace"),
        response.get("Location", ""),
    )


def view_name(path: str) -> str | None:
    """The URL name a path on this site resolves to, or None."""
    from django.urls import Resolver404, resolve

    try:
        return resolve(path.split("?", 1)[0]).view_name
    except Resolver404:
        return None
