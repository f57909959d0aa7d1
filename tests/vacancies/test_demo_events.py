"""The demo academy's year of events (issue 17), consistent with its casework: the
impact report shows event figures, and what people went on to follows their event."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from academy.models import Academy
from participants.selectors import participant_timeline
from reporting.impact import impact_report
from vacancies.models import Event, SignUp

pytestmark = pytest.mark.django_db
YEAR = (dt.date(2023, 11, 1), dt.date(2024, 10, 31))


@pytest.fixture
def demo(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    return Academy.objects.get(slug="demo")


def test_a_year_of_events_as_the_casework_tells_it_and_some_coming_up(demo):
    report = impact_report(academy=demo, start=YEAR[0], end=YEAR[1])
    held = {k.kind: k.events_held for k in report.events.kinds if k.events_held}
    # 53 Wednesdays less the one called off at Christmas; 12 months; two fairs.
    assert held == {"all": 66, "drop_in": 52, "information": 12, "recruitment": 2}
    assert Event.objects.get(status="cancelled").cancel_reason
    assert report.value("event_attendees") == 485
    assert report.value("event_attendees_new") == 394
    assert report.value("event_attendees", "event_kind", "recruitment") == 140
    # What people went on to after their event.
    went_on = report.events.all.went_on
    assert went_on["plan_3m"] > 100
    assert went_on["referral_6m"] > 20
    assert went_on["job_start_6m"] > 50
    assert went_on["plan_3m"] <= went_on["plan_6m"] <= report.value("event_attendees")

    # Someone who came through a drop-in came to one before registering.
    signup = (
        SignUp.objects.filter(
            participant__source="drop_in", status="attended", event__kind="drop_in"
        )
        .select_related("participant", "event")
        .order_by("participant__reference")
        .first()
    )
    person = signup.participant
    assert timezone.localdate(signup.event.starts_at) <= person.registered_on
    titles = [e.title for e in participant_timeline(participant=person)]
    assert "Came to Wednesday drop-in: careers in care" in titles

    # Coming up: eight drop-ins, a session and a fair, with places booked.
    coming = Event.objects.for_academy(demo).filter(starts_at__gt=timezone.now())
    assert coming.count() == 10
    assert {e.kind for e in coming} == {"drop_in", "information", "recruitment"}
    assert SignUp.objects.filter(event__in=coming, status="booked").count() == 46
    assert (
        SignUp.objects.filter(event__in=coming, participant__isnull=False).count() == 4
    )
    assert not SignUp.objects.filter(event__in=coming, status="attended").exists()


def test_the_figures_stay_when_retention_removes_the_publics_details(demo):
    from academy.retention import retention_apply

    retention_apply()

    assert SignUp.objects.filter(first_name="Erased").count() > 300
    report = impact_report(academy=demo, start=YEAR[0], end=YEAR[1])
    assert report.value("event_attendees") == 485
    assert report.value("event_attendees_new") == 394


def test_seeding_again_adds_no_events(demo):
    count = (Event.objects.count(), SignUp.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Event.objects.count(), SignUp.objects.count()) == count
