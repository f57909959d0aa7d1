"""Forms never answer 500, whatever is posted (spec/security.md INP-1), and never take
fields they do not show (AUTHZ-4, mass assignment).

The forms are found as a browser finds them: each page of the matrix is opened, as a
role allowed it, with one's own objects, and its POST forms are read (field names,
kinds, options). A URL that only takes POST is looked for on the pages of its kind. The
fuzzer then posts generated values for those fields: unicode text, NUL bytes, very long
strings, numbers out of range, dates such as 0001-01-01 and 9999-12-31, empty strings,
several values where one is expected, and fields left out. FORM_FUZZ_EXAMPLES sets how
many posts each form gets: 25 by default, more for a longer run (the spec asks for 200
in CI and 2,000 nightly).
"""

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academy.models import Membership
from academy.permissions import Role
from participants.models import ConsentRecord, Participant, Task
from participants.services.casework import consent_refresh
from reporting.models import ReportRun
from tests.academy.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.conftest import log_in
from tests.html_forms import Form, FormField, page_forms
from tests.probe import (
    Marks,
    Side,
    fetch,
    is_post_only,
    object_url,
    page_urls,
    role_allowed,
    side_of,
    snapshot,
    view_name,
)
from tests.test_permissions import MATRIX
from tests.vacancies.factories import VacancyFactory
from vacancies.models import Referral

settings.register_profile(
    "form-fuzz",
    max_examples=int(os.environ.get("FORM_FUZZ_EXAMPLES", "25")),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FORM_FUZZ = settings.get_profile("form-fuzz")
# The staff role each page is fuzzed as: the first of these it admits.
ROLE_ORDER = ["coordinator", "admin", "provider", "manager", "platform"]
# Keys some views read from POST without a form (action-complete's `next` and
# `undo`, a vacancy's `status`, the doubles page's buttons): posted now and then.
LOOSE_KEYS = ["next", "undo", "status", "find", "pair", "resolution", "keep", "q"]

NASTY = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=10).map(
        lambda text: f"{text}\x00"
    ),
    st.integers(min_value=300, max_value=100_000).map(lambda n: "x" * n),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "0",
            "1e309",
            "NaN",
            "-Infinity",
            "99999999999999999999",
            "0.0000000001",
            "12,80",
            "²",
            "٣",
            "0001-01-01",
            "9999-12-31",
            "0000-00-00",
            "2024-02-30",
            "31/12/9999",
            "10000-01-01",
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "<script>alert(1)</script>",
        ]
    ),
    st.dates().map(str),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
)


def _value(control: FormField) -> st.SearchStrategy[Any]:
    """Values for one control: what it offers or sends untouched, or anything nasty;
    one value, several, or none at all."""
    if control.kind == "file":
        return st.binary(max_size=2000).map(
            lambda data: SimpleUploadedFile("fuzz.csv", data, "text/csv")
        )
    kept = control.options + control.sent
    one = st.one_of(st.sampled_from(kept), NASTY) if kept else NASTY
    return st.one_of(st.none(), one, st.lists(one, min_size=2, max_size=3))


@st.composite
def _posted(draw: Any, form: Form) -> dict[str, Any]:
    data = {name: draw(_value(control)) for name, control in form.fields.items()}
    for key in draw(st.lists(st.sampled_from(LOOSE_KEYS), max_size=2, unique=True)):
        data.setdefault(key, draw(NASTY))
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def home(academy, coordinator, provider, settings):
    settings.BULK_LIMIT = 100_000
    return Side(academy, provider.organisation, coordinator, Marks("OWN"))


def _locked_out(side: Side) -> None:
    AccessAttempt.objects.create(
        username=side.coordinator.user.email.lower(),
        ip_address="192.0.2.1",
        user_agent="fuzz",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=99,
    )


def _closed(side: Side) -> None:
    Participant.objects.filter(pk=side.get("participant").pk).update(
        status=Participant.Status.CLOSED,
        closed_on=timezone.localdate(),
        close_reason=Participant.CloseReason.OTHER,
    )


def _appointment_started(side: Side) -> Any:
    """A booked appointment whose time has come: its page offers "Attended"."""
    from participants.models import Appointment

    appointment = side.get("appointment")
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=10)
    )
    return appointment


def _invited(side: Side) -> None:
    """The coordinator invited and not signed in yet: the members page offers to send
    the invitation again."""
    user = side.coordinator.user
    user.set_unusable_password()
    user.last_login, user.invited_at = None, timezone.now()
    user.save()
    Membership.objects.filter(pk=side.coordinator.pk).update(
        accepted_at=timezone.now(), is_active=True
    )


# The state in which a page shows the form of a URL (one that takes only POST: the
# form is on another page) or all of its form.
STATES: dict[str, Callable[[Side], Any]] = {
    "participants:appointment-attended": _appointment_started,
    "participants:action-complete": lambda side: side.get("action"),
    "participants:outcome-doubles": lambda side: side.get("check"),
    "academy:lockout-lift": _locked_out,
    "academy:invitation-resend": _invited,
    "academy:mfa-reset": lambda side: TOTPDevice.objects.create(
        user=side.coordinator.user, name="Phone"
    ),
    "academy:member-sessions-end": lambda side: log_in(
        Client(), side.coordinator.user
    ).get(reverse("home")),
    "participants:reopen": _closed,
    # A task done: the person's page offers to open it again.
    "participants:task-reopen": lambda side: Task.objects.filter(
        pk=side.get("task").pk
    ).update(status=Task.Status.DONE, closed_at=timezone.now()),
    "reporting:run-retry": lambda side: ReportRun.objects.filter(
        pk=side.get("report_run").pk
    ).update(status=ReportRun.Status.FAILED, error="fuzz"),
    # An interview arranged: the referral's page offers to rearrange it.
    "vacancies:referral-interview": lambda side: Referral.objects.filter(
        pk=side.get("referral").pk
    ).update(
        stage=Referral.Stage.INTERVIEW,
        interview_at=timezone.now() + dt.timedelta(days=3),
        interview_place="Oak House",
    ),
    # A vacancy the person is not referred to yet: the matches page offers Refer.
    "vacancies:referral-create": lambda side: VacancyFactory(
        academy=side.academy, organisation=side.organisation
    ),
}


def _member(role: str, request: Any, academy: Any) -> Any:
    if role == "platform":
        user = UserFactory(is_superuser=True, is_staff=True)
        return MembershipFactory(academy=academy, role=Role.ADMIN, user=user)
    return request.getfixturevalue(role)


def _forms_posting_to(name: str, client: Any, role: str, side: Side) -> list[Form]:
    """The POST forms whose action is `name`: on its own page, or (a URL that takes
    only POST) on the first page of the role that shows one, its kind's pages first."""
    kind = MATRIX[name][1]
    if is_post_only(name):
        pages = sorted(
            page_urls(role, side),
            key=lambda page: (MATRIX[page[0]][1] != kind, "detail" not in page[0]),
        )
    else:
        pages = [(name, _own_url(name, side))]
    for _, url in pages:
        page = fetch(client, url)
        forms = [
            form
            for form in page_forms(page.body, url)
            if form.method == "post" and view_name(form.action) == name
        ]
        if forms:
            return forms
    return []


def _own_url(name: str, side: Side) -> str:
    kind = MATRIX[name][1]
    if kind is None:
        return reverse(name)
    if kind == "metric":
        return reverse(name, args=["action_plan_people"])
    return object_url(name, side.get(kind), academy=side.academy)


FORM_URLS = sorted(
    name for name, (allowed, kind, *_) in MATRIX.items() if kind != "metric"
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORM_URLS)
def test_no_form_answers_500_whatever_is_posted(request, home, name):
    role = next(r for r in ROLE_ORDER if role_allowed(r, MATRIX[name][0]))
    client = log_in(Client(), _member(role, request, home.academy).user)
    if name in STATES:
        STATES[name](home)
    forms = _forms_posting_to(name, client, role, home)
    if not forms:
        if is_post_only(name):
            pytest.fail(f"no page {role} can open shows a form that posts to {name}")
        pytest.skip(f"{name} shows no form that posts to it")
    url = _own_url(name, home) if not is_post_only(name) else forms[0].action

    @FORM_FUZZ
    @given(data=st.data())
    def post(data: Any) -> None:
        form = data.draw(st.sampled_from(forms))
        values = data.draw(_posted(form), label=f"POST {form.action}")
        with transaction.atomic():
            page = fetch(client, form.action or url, values, method="POST")
        assert page.status < 500, (form.action, values)

    post()


# AUTHZ-4: a form saves only the fields it shows. Each create or edit form is sent
# valid values plus keys it does not have, naming another academy's (or, for a
# provider, another organisation's) rows and flags only the portal may set.
MASS_ASSIGNMENT = {
    "participants:register": "coordinator",
    "participants:edit": "coordinator",
    "participants:consent": "coordinator",
    "participants:meeting-add": "coordinator",
    "participants:plan-agree": "coordinator",
    "participants:support-add": "coordinator",
    "participants:outcome-add": "coordinator",
    "participants:plan-review": "coordinator",
    "participants:check-record": "coordinator",
    "participants:close": "coordinator",
    "participants:enquiry-contacted": "coordinator",
    "vacancies:add": "provider",
    "vacancies:edit": "provider",
    "vacancies:training-add": "provider",
    "vacancies:training-edit": "provider",
    "vacancies:referral-create": "coordinator",
    "vacancies:referral-advance": "provider",
    "vacancies:event-add": "provider",
    "vacancies:event-edit": "provider",
    "academy:settings": "admin",
    "academy:organisation-add": "admin",
    "academy:organisation-edit": "admin",
    "academy:member-add": "admin",
    "academy:membership-edit": "admin",
}
TODAY = timezone.localdate
# Valid values by field name, where what the page sends untouched is not enough.
VALID = {
    "first_name": "Ann",
    "last_name": "Example",
    "date_of_birth": "1990-01-01",
    "email": "ann.example@example.org",
    "phone": "07700 900123",
    "postcode": "PL1 1AA",
    "consent_to_hold": "on",
    "title": "Care worker",
    "name": "New Partner Ltd",
    "summary": "Reviewed together.",
    "note": "Spoke on the phone.",
    "reason": "other",
    "employer": "Tamar Care",
    "is_given": "True",
    "is_in_work": "True",
    "confirmed_by": "Manager",
    "posts": "1",
    "hours_per_week": "30",
    "works_days": "on",
    "pay_min": "14.00",
    "pay_max": "15.00",
    "is_claimant": "on",
    # A confirmed right to work, with its day (below) and the first document kind.
    "right_to_work": "yes",
    "places": "10",
    "area_code": "E06000026",
    "venue": "Skills Launchpad Plymouth",
    "starts": "10:00",
    "ends": "12:00",
    "interview_time": "10:30",
    "interview_place": "Oak House",
}
DAYS_FROM_TODAY = {
    "registered_on": 0,
    "held_at": 0,
    "given_on": 0,
    "started_on": 0,
    "agreed_on": 0,
    "reviewed_on": 0,
    "checked_on": 0,
    "right_to_work_checked_on": 0,
    "on": 0,
    "closing_on": 30,
    "starts_on": 40,
    "ends_on": 60,
    "first_on": 7,
    "interview_on": 3,
}


def _valid(form: Form) -> dict[str, list[str]]:
    """The form as sent untouched, with a choice made where none is and the values
    above where they are needed."""
    data = form.sent_untouched()
    for name, control in form.fields.items():
        if control.kind in ("select", "radio") and not any(data.get(name, [])):
            choices = [o for o in control.options if o]
            if choices:
                data[name] = [choices[0]]
        if name in VALID:
            data[name] = [VALID[name]]
        if name in DAYS_FROM_TODAY:
            day = TODAY() + dt.timedelta(days=DAYS_FROM_TODAY[name])
            if control.kind == "datetime-local":
                # Today's moments are this minute (09:00 is still ahead before nine).
                at = (
                    "09:00" if day > TODAY() else timezone.localtime().strftime("%H:%M")
                )
                data[name] = [f"{day.isoformat()}T{at}"]
            else:
                data[name] = [day.isoformat()]
    return data


def _forged(other: Side) -> dict[str, str]:
    user = str(other.coordinator.user.pk)
    person = str(other.get("participant").pk)
    return {
        "academy": str(other.academy.pk),
        "academy_id": str(other.academy.pk),
        "organisation": str(other.organisation.pk),
        "organisation_id": str(other.organisation.pk),
        "coordinator": user,
        "coordinator_id": user,
        "user": user,
        "user_id": user,
        "created_by": user,
        "recorded_by": user,
        "participant": person,
        "participant_id": person,
        "is_staff": "on",
        "is_superuser": "on",
        "role": Role.ADMIN.value,
        "has_consent_to_share": "on",
        "has_consent_to_hold": "false",
        "reference": "FORGED-REF",
        "stage": "started",
        "slug": "forged",
    }


# What a forged key, if taken, would have set: (column, value).
FLAGS = {
    "is_staff": ("is_staff", True),
    "is_superuser": ("is_superuser", True),
    "role": ("role", Role.ADMIN.value),
    "has_consent_to_share": ("has_consent_to_share", True),
    "has_consent_to_hold": ("has_consent_to_hold", False),
    "reference": ("reference", "FORGED-REF"),
    "stage": ("stage", "started"),
    "slug": ("slug", "forged"),
}


def _foreign_ids(other: Side, neighbour_organisation: Any) -> dict[Any, set[int]]:
    """Per model, the ids of rows no one of the home academy may attach to."""
    from django.apps import apps as django_apps

    from academy.models import Academy, Organisation, User
    from academy.tenancy import AcademyQuerySet

    found: dict[Any, set[int]] = {
        Academy: {other.academy.pk},
        User: set(
            User.objects.filter(memberships__academy=other.academy).values_list(
                "pk", flat=True
            )
        ),
    }
    for model in django_apps.get_models():
        if isinstance(model._default_manager.all(), AcademyQuerySet):
            rows = model._default_manager.all().for_academy(other.academy)
            found[model] = set(rows.values_list("pk", flat=True))
    if neighbour_organisation is not None:
        found[Organisation] = found[Organisation] | {neighbour_organisation.pk}
    return found


def _taken(
    before: dict[str, list[dict[str, Any]]],
    after: dict[str, list[dict[str, Any]]],
    foreign: dict[Any, set[int]],
    forged_flags: dict[str, Any],
) -> list[str]:
    """Rows added or changed that point at a foreign row, or took a forged flag."""
    from django.apps import apps as django_apps

    problems = []
    for label, rows in after.items():
        model = django_apps.get_model(label)
        old = {row["id"]: row for row in before.get(label, [])}
        keys = {
            f.attname: f.related_model
            for f in model._meta.get_fields()
            if getattr(f, "many_to_one", False) and f.concrete
        }
        for row in rows:
            was = old.get(row["id"])
            if was == row:
                continue
            for column, target in keys.items():
                if row.get(column) in foreign.get(target, set()):
                    problems.append(f"{label} {row['id']}: {column}={row[column]}")
            for column, value in forged_flags.values():
                changed = was is None or was.get(column) != row.get(column)
                if column in row and row[column] == value and changed:
                    problems.append(f"{label} {row['id']}: {column}={value!r}")
    return problems


@pytest.fixture
def forging(academy, other_academy, coordinator, provider, settings):
    """The home academy's side, another academy's, and another provider's
    organisation in the home academy."""
    settings.BULK_LIMIT = 100_000
    home = Side(academy, provider.organisation, coordinator, Marks("OWN"))
    other = side_of(other_academy, mark=Marks("OTHER"))
    for kind in ("referral", "check", "plan", "enquiry", "import_run"):
        other.get(kind)
    neighbour = OrganisationFactory(academy=academy)
    # A person whose consent to share was withdrawn: a forged flag must not give it.
    person = home.get("participant")
    ConsentRecord.objects.create(
        participant=person,
        kind=ConsentRecord.Kind.SHARE_WITH_PROVIDERS,
        is_given=False,
        recorded_at=timezone.now(),
    )
    consent_refresh(participant_ids=[person.pk])
    home.get("check")
    home.get("referral")
    home.get("enquiry")
    return home, other, neighbour


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MASS_ASSIGNMENT))
def test_forms_ignore_fields_they_do_not_show(request, forging, name):
    home, other, neighbour = forging
    role = MASS_ASSIGNMENT[name]
    client = log_in(Client(), request.getfixturevalue(role).user)
    if name in STATES:
        STATES[name](home)
    forms = _forms_posting_to(name, client, role, home)
    assert forms, f"no form posts to {name}"
    form = forms[0]
    forged = {k: v for k, v in _forged(other).items() if k not in form.fields}
    flags = {k: FLAGS[k] for k in forged if k in FLAGS}
    before = snapshot()
    response = client.post(form.action, {**_valid(form), **forged})
    # A saved form renders no page, but may render e-mails (their context has no form).
    shown = (
        response.context if response.context and "form" in response.context else None
    )
    errors = shown["form"].errors if shown else None
    assert response.status_code == 302, f"{name} did not save: {errors}"
    foreign = _foreign_ids(other, neighbour if role == "provider" else None)
    problems = _taken(before, snapshot(), foreign, flags)
    assert not problems, f"{name} took fields it does not show: {problems}"


# Choice fields whose options are rows, and the other academy's row of that kind.
CHOICES = {
    "coordinator": lambda other: other.coordinator.user.pk,
    "organisation": lambda other: other.organisation.pk,
    "referring_organisation": lambda other: other.organisation.pk,
    "referred_to": lambda other: other.organisation.pk,
    "to": lambda other: other.coordinator.pk,
    "participant": lambda other: other.get("participant").pk,
    "vacancy": lambda other: other.get("vacancy").pk,
    "training": lambda other: other.get("training").pk,
    "pair": lambda other: other.get("double").pk,
}
CHOICE_FORMS = {
    "participants:register": "coordinator",
    "participants:edit": "coordinator",
    "participants:support-add": "coordinator",
    "participants:caseload-reassign": "admin",
    "participants:outcome-doubles": "coordinator",
    "vacancies:add": "coordinator",
    "vacancies:edit": "coordinator",
    "vacancies:training-add": "coordinator",
    "vacancies:training-edit": "coordinator",
    "vacancies:referral-create": "coordinator",
    "academy:member-add": "admin",
    "academy:membership-edit": "admin",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CHOICE_FORMS))
def test_choices_never_take_another_academys_rows(request, forging, name):
    home, other, _ = forging
    role = CHOICE_FORMS[name]
    client = log_in(Client(), request.getfixturevalue(role).user)
    if name in STATES:
        STATES[name](home)
    forms = _forms_posting_to(name, client, role, home)
    chosen = [
        (form, field) for form in forms for field in CHOICES if field in form.fields
    ]
    assert chosen, f"no form posting to {name} has one of {sorted(CHOICES)}"
    foreign = _foreign_ids(other, None)
    for form, field in chosen:
        before = snapshot()
        data = {**_valid(form), field: str(CHOICES[field](other))}
        response = client.post(form.action, data)
        assert response.status_code in (200, 302, 404), (field, response.status_code)
        problems = _taken(before, snapshot(), foreign, {})
        assert not problems, f"{name} took another academy's {field}: {problems}"
