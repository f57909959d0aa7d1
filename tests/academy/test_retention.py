"""The retention schedule applied nightly (spec/security.md DP-3): for every class, a
record one day inside its period stays and one a day past it goes (or is anonymised),
in every table that held it."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from academy import tasks
from academy.audit import AccessRecord, ChangeRecord, SignInEvent, sign_in_event
from academy.models import User
from academy.retention import FORMER, retention_apply, retention_rules
from participants.models import Enquiry, ImportRun, Participant
from reporting.models import ReportRun
from tests.academy.factories import MembershipFactory, UserFactory
from tests.participants.factories import (
    EnquiryFactory,
    MeetingFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 6, 15, 3, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _years(n):
    return NOW.replace(year=NOW.year - n)


def test_every_retention_class_with_a_period_has_a_rule():
    from academy.inventory import RETENTION

    with_period = {r for r, c in RETENTION.items() if c.setting}
    ruled = {rule.retention for rule in retention_rules}
    # Transient sessions and form tokens have their own nightly tasks;
    # exported files have a rule.
    assert with_period - ruled == set()


def test_closed_cases_are_erased_a_day_after_their_period_not_before(academy):
    kept = ParticipantFactory(
        academy=academy,
        last_name="Kept",
        status=Participant.Status.CLOSED,
        closed_on=(_years(6) + DAY).date(),
    )
    gone = ParticipantFactory(
        academy=academy,
        last_name="Gone",
        status=Participant.Status.CLOSED,
        closed_on=(_years(6) - DAY).date(),
    )
    MeetingFactory(participant=gone, notes="Gone's note")
    still_open = ParticipantFactory(
        academy=academy, last_name="Open", registered_on=dt.date(2001, 1, 1)
    )

    with time_machine.travel(NOW, tick=False):
        done = retention_apply()

    assert done["closed cases past their period erased"] == 1
    kept.refresh_from_db()
    gone.refresh_from_db()
    still_open.refresh_from_db()
    assert kept.last_name == "Kept"
    assert still_open.last_name == "Open"
    assert gone.reference == f"ERASED-{gone.pk}"
    assert gone.meetings.get().notes == ""
    line = ChangeRecord.objects.get(participant_id=gone.pk)
    assert (line.operation, line.actor_id) == ("erase", None)
    # Run again: nothing more to do.
    with time_machine.travel(NOW, tick=False):
        assert retention_apply()["closed cases past their period erased"] == 0


def test_the_audit_trail_goes_after_its_period(academy):
    for when in (_years(2) + DAY, _years(2) - DAY):
        with time_machine.travel(when, tick=False):
            sign_in_event(SignInEvent.Kind.FAILED, username=f"at-{when:%Y%m%d}")
            AccessRecord.objects.create(
                at=timezone.now(), action="x", participant_ids=[1], count=1
            )
    with time_machine.travel(NOW, tick=False):
        retention_apply()
    assert list(SignInEvent.objects.values_list("username", flat=True)) == [
        f"at-{_years(2) + DAY:%Y%m%d}"
    ]
    assert AccessRecord.objects.count() == 1
    assert not ChangeRecord.objects.filter(at__lt=_years(2)).exists()


def test_enquiries_never_converted_go_after_twelve_months(academy):
    with time_machine.travel(NOW - dt.timedelta(days=400), tick=False):
        EnquiryFactory(academy=academy, last_name="Old")
    with time_machine.travel(NOW - dt.timedelta(days=300), tick=False):
        EnquiryFactory(academy=academy, last_name="Recent")
    tasks_result = None
    with time_machine.travel(NOW, tick=False):
        tasks_result = tasks.retention_apply.delay().get()
    assert tasks_result["enquiries never converted deleted"] == 1
    assert list(Enquiry.objects.values_list("last_name", flat=True)) == ["Recent"]


def test_import_files_go_after_thirty_days_and_report_files_after_a_year(academy):
    runs = []
    for age in (29, 31):
        with time_machine.travel(NOW - dt.timedelta(days=age), tick=False):
            run = ImportRun.objects.create(
                academy=academy,
                kind="participants",
                original_name="people.csv",
                status=ImportRun.Status.DONE,
                summary={"created": 1},
            )
            run.file.save("people.csv", ContentFile(b"first_name\nAda\n"))
            runs.append(run)
    reports = []
    for when in (_years(1) + DAY, _years(1) - DAY):
        with time_machine.travel(when, tick=False):
            report = ReportRun.objects.create(
                academy=academy,
                start=dt.date(2028, 1, 1),
                end=dt.date(2028, 1, 31),
                status=ReportRun.Status.DONE,
            )
            report.file.save("r.pdf", ContentFile(b"%PDF-1.7"))
            reports.append(report)
    old_path = runs[1].file.path

    with time_machine.travel(NOW, tick=False):
        retention_apply()

    for run in runs:
        run.refresh_from_db()
    assert runs[0].file
    assert runs[0].summary == {"created": 1}
    assert not runs[1].file
    assert runs[1].summary == {}
    assert not Path(old_path).exists()
    assert list(ReportRun.objects.values_list("pk", flat=True)) == [reports[0].pk]


@override_settings(RETENTION_ACCOUNT_YEARS=6)
def test_ended_accounts_are_anonymised_after_their_period(academy):
    with time_machine.travel(_years(6) - DAY, tick=False):
        ended = UserFactory(first_name="Ended", is_active=False)
        recent = UserFactory(first_name="Recent", is_active=False)
        working = MembershipFactory(academy=academy).user
    with time_machine.travel(_years(6) + DAY, tick=False):
        recent.last_login = timezone.now()
        recent.save()
    with time_machine.travel(NOW, tick=False):
        retention_apply()
    ended.refresh_from_db()
    recent.refresh_from_db()
    working.refresh_from_db()
    assert (ended.first_name, ended.email) == (
        FORMER,
        f"former-{ended.pk}@erased.invalid",
    )
    assert not ended.has_usable_password()
    assert recent.first_name == "Recent"
    assert working.first_name != FORMER
    assert User.objects.filter(first_name=FORMER).count() == 1


def test_event_sign_ups_lose_their_names_a_year_after_the_event(academy):
    from tests.vacancies.factories import EventFactory
    from vacancies.models import SignUp

    people = {}
    for label, ended in (("old", 400), ("recent", 300)):
        event = EventFactory(
            academy=academy,
            starts_at=NOW - dt.timedelta(days=ended, hours=2),
            ends_at=NOW - dt.timedelta(days=ended),
        )
        people[label] = SignUp.objects.create(
            event=event,
            first_name=label.capitalize(),
            email=f"{label}@example.org",
            status=SignUp.Status.ATTENDED,
            source=SignUp.Source.WALK_IN,
        )
    member = ParticipantFactory(academy=academy, last_name="Member")
    linked = SignUp.objects.create(
        event=people["old"].event,
        participant=member,
        first_name="Member",
        email="member@example.org",
        status=SignUp.Status.ATTENDED,
        source=SignUp.Source.STAFF,
    )
    with time_machine.travel(NOW, tick=False):
        done = retention_apply()
    assert done["event sign-ups past their period anonymised"] == 1
    for signup in (*people.values(), linked):
        signup.refresh_from_db()
    assert (people["old"].first_name, people["old"].email) == ("Erased", "")
    assert people["old"].status == "attended"  # still counted as having come
    assert people["recent"].email == "recent@example.org"
    assert linked.email == "member@example.org"  # follows the participant's record
