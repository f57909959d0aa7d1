"""spec/roles.md as one table: every role against every page, in two academies.

`MATRIX` lists, per URL name, the roles that may open it; everyone else must be refused
(403 for pages, 404 for another academy's objects). `test_every_url_is_in_the_matrix`
fails when a new view is added without a row here, so no page escapes the check.
"""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from academy import permissions
from academy.models import ExportRun, RefreshRun
from participants.models import Appointment, ImportRun, SustainmentCheck
from reporting.funders.services import funder_returns_install
from reporting.models import FunderReturn, Indicator, ReportRun
from tests.academy.factories import OrganisationFactory
from tests.conftest import log_in
from tests.participants.factories import (
    AppointmentFactory,
    EnquiryFactory,
    MeetingFactory,
    OutcomeFactory,
    ParticipantFactory,
    PlanActionFactory,
    SkillsActionPlanFactory,
    TaskFactory,
)
from tests.vacancies.factories import (
    EventFactory,
    ReferralFactory,
    SignUpFactory,
    TrainingFactory,
    VacancyFactory,
)

ROLES = ["coordinator", "provider", "manager", "admin"]
# The role sets as academy/permissions.py names them (spec/roles.md).
EVERY_ROLE = {str(role) for role in permissions.EVERYONE}
CASEWORK = {str(role) for role in permissions.CASEWORK}
REPORTS = {str(role) for role in permissions.REPORT_READERS}
# Providers work on their own organisation's opportunities and referrals.
OPPORTUNITIES = {str(role) for role in permissions.OPPORTUNITIES}

# url name -> (roles allowed, object kind the URL takes or None[, "post" if POST-only,
# "redirect" if it only sends the browser on])
MATRIX = {
    "home": (EVERY_ROLE, None),
    "participants:list": (CASEWORK, None),
    "participants:export": (CASEWORK, None),
    "participants:register": (CASEWORK, None),
    "participants:detail": (CASEWORK, "participant"),
    "participants:edit": (CASEWORK, "participant"),
    "participants:consent": (CASEWORK, "participant"),
    "participants:meeting-add": (CASEWORK, "participant"),
    "participants:plan-agree": (CASEWORK, "participant"),
    "participants:support-add": (CASEWORK, "participant"),
    "participants:outcome-add": (CASEWORK, "participant"),
    "participants:close": (CASEWORK, "participant"),
    "participants:reopen": (CASEWORK, "participant", "post"),
    "participants:merge": (CASEWORK, "participant"),
    "participants:rights": (CASEWORK, "participant"),
    "participants:access-export": (CASEWORK, "participant"),
    "participants:erase": ({"admin"}, "participant", "post"),
    "participants:plan-review": (CASEWORK, "plan"),
    # The plan to take away (tests/participants/test_plan_print.py).
    "participants:plan-print": (CASEWORK, "plan"),
    "participants:plan-pdf": (CASEWORK, "plan"),
    "participants:action-complete": (CASEWORK, "action", "post"),
    # The old lists, kept for links and bookmarks: redirects to the task list.
    "participants:actions-overdue": (CASEWORK, None, "redirect"),
    "participants:checks-due": (CASEWORK, None, "redirect"),
    "participants:check-record": (CASEWORK, "check"),
    "participants:enquiry-list": (CASEWORK, None),
    "participants:enquiry-detail": (CASEWORK, "enquiry"),
    "participants:enquiry-contacted": (CASEWORK, "enquiry", "post"),
    "participants:enquiry-close": (CASEWORK, "enquiry", "post"),
    "participants:import-upload": (CASEWORK, None),
    "participants:import-detail": (CASEWORK, "import_run"),
    "participants:import-format": (CASEWORK, None),
    "participants:outcome-doubles": (CASEWORK, None),
    "participants:task-list": (CASEWORK, None),
    "participants:tasks-hand-all": (CASEWORK, None),
    "participants:task-add": (CASEWORK, "participant"),
    "participants:task-done": (CASEWORK, "task", "post"),
    "participants:task-reopen": (CASEWORK, "task", "post"),
    "participants:task-cancel": (CASEWORK, "task"),
    "participants:task-hand": (CASEWORK, "task"),
    "participants:caseload-reassign": ({"admin"}, "membership"),
    # The diary: everyone who has bookings (a provider: its interviews and events).
    "participants:diary": (OPPORTUNITIES, None),
    "participants:diary-week": (OPPORTUNITIES, None),
    "participants:diary-book": (CASEWORK, None),
    "participants:appointment-add": (CASEWORK, "participant"),
    "participants:appointment-edit": (CASEWORK, "appointment"),
    "participants:appointment-attended": (CASEWORK, "appointment", "post"),
    "participants:appointment-missed": (CASEWORK, "appointment"),
    "participants:appointment-cancel": (CASEWORK, "appointment"),
    "participants:appointment-notes": (CASEWORK, "attended_appointment"),
    "vacancies:list": (OPPORTUNITIES, None),
    "vacancies:add": (OPPORTUNITIES, None),
    "vacancies:detail": (EVERY_ROLE, "vacancy"),
    "vacancies:edit": (OPPORTUNITIES, "vacancy"),
    "vacancies:status": (OPPORTUNITIES, "vacancy", "post"),
    "vacancies:matches": (CASEWORK, "vacancy"),
    "vacancies:training-list": (OPPORTUNITIES, None),
    "vacancies:training-add": (OPPORTUNITIES, None),
    "vacancies:training-detail": (EVERY_ROLE, "training"),
    "vacancies:training-edit": (OPPORTUNITIES, "training"),
    "vacancies:participant-matches": (CASEWORK, "participant"),
    "vacancies:referral-list": (OPPORTUNITIES, None),
    "vacancies:referral-create": (CASEWORK, None, "post"),
    "vacancies:referral-detail": (OPPORTUNITIES, "referral"),
    "vacancies:referral-advance": (OPPORTUNITIES, "referral", "post"),
    "vacancies:referral-interview": (OPPORTUNITIES, "referral", "post"),
    # Events: staff run every one; a provider those its organisation hosts. Booking,
    # linking people and making enquiries reach the academy's people: casework.
    "vacancies:event-list": (OPPORTUNITIES, None),
    "vacancies:event-add": (OPPORTUNITIES, None),
    "vacancies:event-detail": (OPPORTUNITIES, "event"),
    "vacancies:event-edit": (OPPORTUNITIES, "event"),
    "vacancies:event-cancel": (OPPORTUNITIES, "event"),
    "vacancies:event-book": (CASEWORK, "event"),
    "vacancies:event-register": (OPPORTUNITIES, "event"),
    "vacancies:event-mark-all": (OPPORTUNITIES, "event", "post"),
    "vacancies:event-walk-in": (OPPORTUNITIES, "event", "post"),
    "vacancies:event-print": (OPPORTUNITIES, "event"),
    "vacancies:event-qr": (OPPORTUNITIES, "event"),
    "vacancies:signup-mark": (OPPORTUNITIES, "signup", "post"),
    "vacancies:signup-promote": (OPPORTUNITIES, "signup", "post"),
    "vacancies:signup-cancel": (OPPORTUNITIES, "signup", "post"),
    "vacancies:signup-link": (CASEWORK, "signup"),
    "vacancies:signup-enquiry": (CASEWORK, "signup"),
    # A member's calendar feed address (the feeds themselves are opened by address).
    "vacancies:event-calendar": (OPPORTUNITIES, None),
    "vacancies:event-calendar-new": (OPPORTUNITIES, None, "post"),
    "labour_market:area": (EVERY_ROLE, None),
    "labour_market:runs": ({"admin"}, None),
    "labour_market:upload": (set(), None),  # platform staff who are admins
    "labour_market:run-detail": ({"admin"}, "refresh_run"),
    "labour_market:run-confirm": (set(), "refresh_run", "post"),
    "reporting:impact": (REPORTS, None),
    "reporting:impact-csv": (REPORTS, None),
    "reporting:people": (CASEWORK, "metric"),
    # The PDF's form (GET) and asking for it (POST: test_targets_and_narrative.py).
    "reporting:run-request": (REPORTS, None),
    "reporting:run-detail": (REPORTS, "report_run"),
    "reporting:run-download": (REPORTS, "report_run"),
    "reporting:run-retry": (REPORTS, "report_run", "post"),
    # Targets are report settings: managers and admins (coordinators read the report).
    "reporting:targets": ({"manager", "admin"}, None),
    # Funder returns: built by the report readers, kept by admins.
    "reporting:funder-returns": (REPORTS, None),
    "reporting:funder-return": (REPORTS, "funder_return"),
    "reporting:funder-return-xlsx": (REPORTS, "funder_return"),
    "reporting:funder-return-csv": (REPORTS, "funder_return"),
    "reporting:funder-return-add": ({"admin"}, None),
    "reporting:funder-return-edit": ({"admin"}, "funder_return"),
    "reporting:indicator-add": ({"admin"}, "funder_return"),
    "reporting:indicator-edit": ({"admin"}, "indicator"),
    "academy:settings": ({"admin"}, None),
    "academy:logo": (EVERY_ROLE, "academy_logo"),  # the report cover's logo
    "academy:organisation-list": ({"admin"}, None),
    "academy:organisation-add": ({"admin"}, None),
    "academy:organisation-edit": ({"admin"}, "organisation"),
    "academy:member-list": ({"admin"}, None),
    "academy:member-add": ({"admin"}, None),
    "academy:membership-edit": ({"admin"}, "membership"),
    "academy:lockout-lift": ({"admin"}, "membership", "post"),
    "academy:mfa-reset": ({"admin"}, "membership", "post"),
    "academy:member-sessions-end": ({"admin"}, "membership", "post"),
    # Sending a new member's invitation again (tests/academy/test_invitations.py).
    "academy:invitation-resend": ({"admin"}, "membership", "post"),
    "academy:audit": ({"admin"}, None),
    "academy:audit-export": ({"admin"}, None),
    # An export run: only the member who asked, of a role that may export its list.
    "academy:export-run": (CASEWORK, "export_run"),
    "academy:export-run-download": (CASEWORK, "export_run"),
    "academy:academy-list": (set(), None),  # platform staff (superusers) only
    "academy:academy-create": (set(), None),
    "academy:platform-runs": (set(), None),
    # The kinds of notice a member chooses about (academy/notices.py).
    "notice-choices": ({"coordinator", "provider", "admin"}, None),
}

# Pages anyone may open, and views whose rule is not a role (tested on their own).
PUBLIC = {
    "health",
    "accessibility",  # the accessibility statement (tests/e2e/test_accessibility.py)
    "vacancies:board",
    "vacancies:board-detail",
    "vacancies:event-board",  # the academy's public events and signing up to one
    "vacancies:event-board-detail",
    "vacancies:event-board-signed-up",  # only the browser that signed up
    "vacancies:booking-cancel",  # by the sign-up's secret token
    "vacancies:event-check-in",  # by the event's check-in token (its QR code)
    "vacancies:event-feed",  # the academy's public events as a calendar
    "vacancies:event-feed-private",  # by the member's secret token (test_event_feeds)
    "participants:enquiry-public",
    "participants:enquiry-thanks",
    "message-opt-out",  # by the e-mail's signed link (tests/academy/test_notify_sms.py)
    "notify-delivery-receipt",  # GOV.UK Notify's callbacks, by their bearer token
    "notify-received-text",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation-set-password",  # by the invitation's token (test_invitations.py)
    "invitation-done",
}
OWN_RULE = {
    "academy:switch",
    "academy:invitations",  # one's own invitations (tests/academy/test_views.py)
    "academy:invitation-answer",
    "password_change",
    "password_change_done",
    "mfa-verify",  # one's own second step (tests/academy/test_mfa.py)
    "mfa-setup",
    "mfa-recovery",
    "reauth",  # confirm it's you (tests/academy/test_reauth.py)
    "account-sessions",  # one's own sessions (tests/academy/test_user_sessions.py)
    "account-session-end",
    "account-sessions-end-others",
}


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django admin: staff only, guarded by Django itself
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix():
    names = set(_url_names())
    missing = names - set(MATRIX) - PUBLIC - OWN_RULE
    assert not missing, (
        f"add these URLs to tests/test_permissions.py MATRIX: {sorted(missing)}"
    )


def test_every_role_guarded_view_declares_its_roles():
    resolver = get_resolver()
    for name in MATRIX:
        view = resolver.resolve(_url(name, 1 if MATRIX[name][1] else None)).func
        assert hasattr(view, "required_roles") or name == "home", name


def _url(name, obj):
    """A matrix row's URL for an object (or its pk); a figure's key for 'metric'."""
    if MATRIX[name][1] == "metric":
        return reverse(name, args=["action_plan_people"])
    if obj is None:
        return reverse(name)
    return reverse(name, args=[getattr(obj, "pk", obj)])


def _provider_organisation(academy, request):
    """The organisation of the `provider` persona when it is in `academy`, so that the
    provider's own rows are tested in its academy (another provider's are tested in
    tests/vacancies)."""
    provider = request.getfixturevalue("provider")
    if provider.academy_id == academy.pk:
        return provider.organisation
    return OrganisationFactory(academy=academy)


def _object(kind, academy, request):
    if kind == "refresh_run":
        return RefreshRun.objects.create(
            academy=academy,
            source=RefreshRun.Source.SKILLS_FOR_CARE,
            action=RefreshRun.Action.PREVIEW,
            status=RefreshRun.Status.PREVIEWED,
            filename="LA-data-download-2023-24.xlsx",
        )
    if kind == "vacancy":
        return VacancyFactory(
            academy=academy, organisation=_provider_organisation(academy, request)
        )
    if kind == "training":
        return TrainingFactory(
            academy=academy, organisation=_provider_organisation(academy, request)
        )
    if kind == "referral":
        return ReferralFactory(
            participant__academy=academy,
            vacancy__academy=academy,
            vacancy__organisation=_provider_organisation(academy, request),
        )
    if kind == "event":
        event = EventFactory(academy=academy)
        event.hosts.add(_provider_organisation(academy, request))
        return event
    if kind == "signup":
        return SignUpFactory(event=_object("event", academy, request))
    if kind == "metric":
        return "action_plan_people"
    if kind == "report_run":
        run = ReportRun.objects.create(
            academy=academy,
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 1, 31),
            status=ReportRun.Status.DONE,
        )
        run.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"))
        return run
    if kind == "export_run":
        # Asked for by the persona the test signs in as (one's own runs only).
        callspec = getattr(request.node, "callspec", None)  # unparametrised: none
        role = callspec.params.get("role", "coordinator") if callspec else "coordinator"
        run = ExportRun.objects.create(
            academy=academy,
            kind="people",
            requested_by=request.getfixturevalue(role).user,
            total=1,
            filename="participants-2026-01-01.csv",
            status=ExportRun.Status.DONE,
        )
        run.file.save(run.filename, ContentFile(b"Reference\r\nCA-000001\r\n"))
        return run
    if kind == "funder_return":
        funder_returns_install(academy)
        return FunderReturn.objects.for_academy(academy).first()
    if kind == "indicator":
        funder_returns_install(academy)
        return Indicator.objects.for_academy(academy).first()
    if kind == "participant":
        return ParticipantFactory(academy=academy)
    if kind == "plan":
        return SkillsActionPlanFactory(participant__academy=academy)
    if kind == "action":
        return PlanActionFactory(plan__participant__academy=academy)
    if kind == "check":
        outcome = OutcomeFactory(participant__academy=academy)
        return SustainmentCheck.objects.create(
            outcome=outcome, weeks=13, due_on=outcome.started_on
        )
    if kind == "appointment":
        return AppointmentFactory(participant__academy=academy)
    if kind == "attended_appointment":
        appointment = AppointmentFactory(participant__academy=academy)
        meeting = MeetingFactory(participant=appointment.participant)
        Appointment.objects.filter(pk=appointment.pk).update(
            status=Appointment.Status.ATTENDED, meeting=meeting
        )
        return appointment
    if kind == "task":
        return TaskFactory(participant__academy=academy)
    if kind == "enquiry":
        return EnquiryFactory(academy=academy)
    if kind == "import_run":
        return ImportRun.objects.create(
            academy=academy,
            kind="support",
            file="imports/x.csv",
            original_name="x.csv",
            status=ImportRun.Status.REJECTED,
        )
    if kind == "organisation":
        return OrganisationFactory(academy=academy)
    if kind == "academy_logo":
        picture = io.BytesIO()
        Image.new("RGB", (2, 2)).save(picture, "PNG")
        academy.logo.save("logo.png", ContentFile(picture.getvalue()))
        return academy
    if kind == "membership":
        return request.getfixturevalue(
            "other_coordinator" if academy.slug == "other" else "coordinator"
        )
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix_on_own_academy(request, client_of, academy, role, name):
    allowed, kind, *method = MATRIX[name]
    membership = request.getfixturevalue(role)
    obj = _object(kind, academy, request)
    url = _url(name, obj)
    client = client_of(membership)
    if method == ["post"]:
        status = client.post(url, {}).status_code
        # An empty POST may be refused as bad input, never as forbidden or unknown.
        ok = status not in (403, 404, 405)
    else:
        response = client.get(url)
        response.close()  # a file download holds the file open until closed
        status = response.status_code
        ok = status == 200 or (method == ["redirect"] and status == 302)
    if role in allowed:
        assert ok, f"{role} should reach {name}, got {status}"
    else:
        assert status == 403, f"{role} must be refused {name}, got {status}"


OBJECT_CASES = sorted(
    (name, role)
    for name, (allowed, kind, *_) in MATRIX.items()
    if kind and kind != "metric"
    for role in allowed
)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), OBJECT_CASES)
def test_objects_of_another_academy_are_404(
    request, client_of, other_academy, name, role
):
    membership = request.getfixturevalue(role)
    obj = _object(MATRIX[name][1], other_academy, request)
    client = client_of(membership)
    url = reverse(name, args=[obj.pk])
    if MATRIX[name][2:] != ("post",):
        assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["academy:academy-list", "academy:academy-create", "academy:platform-runs"]
)
def test_platform_pages_open_for_superusers_only(client, name):
    from tests.academy.factories import UserFactory

    log_in(client, UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    url = _url(name, 1 if MATRIX[name][1] else None)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
