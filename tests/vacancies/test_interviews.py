"""Interviews on referrals (issue 13): moving a referral to "Interview arranged" takes
a date, a time (London) and a place; it can be rearranged; it shows on the referral
page, the person's timeline, the diaries and the provider's home; the person is told
and reminded when they agreed to be."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from participants.diary import diary_entries
from participants.models import Participant
from tests.academy.factories import MembershipFactory
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import ReferralFactory
from tests.vacancies.pages import detail_url, move
from vacancies import services, tasks
from vacancies.hooks import referral_timeline
from vacancies.models import Referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# A Wednesday in summer (BST): 09:00 in London.
NOW = dt.datetime(2026, 6, 10, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def interview(on="2026-06-12", time="14:30", how="in_person", place="Oak House"):
    return {
        "interview_on": on,
        "interview_time": time,
        "interview_how": how,
        "interview_place": place,
    }


def test_a_provider_arranges_an_interview_with_a_date_time_and_place(
    client_of, provider, referral, clock
):
    response = move(client_of(provider), referral, "interview", interview())
    assert response.status_code == 302, response.content.decode()
    referral.refresh_from_db()
    assert referral.stage == Referral.Stage.INTERVIEW
    # 14:30 in London in June (BST) is 13:30 UTC.
    assert referral.interview_at == dt.datetime(2026, 6, 12, 13, 30, tzinfo=dt.UTC)
    assert referral.interview_place == "Oak House"
    page = client_of(provider).get(detail_url(referral)).content.decode()
    assert "Fri 12 Jun 2026, 14:30" in page
    assert "Oak House" in page


def test_the_time_is_london_time_in_winter_too(client_of, coordinator, referral):
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)):
        response = move(
            client_of(coordinator), referral, "interview", interview(on="2026-12-03")
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.interview_at == dt.datetime(2026, 12, 3, 14, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("how", "place", "stored"),
    [
        ("phone", "", "By phone"),
        (
            "phone",
            "We ring you on the number you gave",
            "By phone: We ring you on the number you gave",
        ),
        (
            "video",
            "https://meet.example.org/abc",
            "By video call: https://meet.example.org/abc",
        ),
    ],
)
def test_an_interview_by_phone_or_video(
    client_of, provider, referral, clock, how, place, stored
):
    response = move(
        client_of(provider), referral, "interview", interview(how=how, place=place)
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.interview_place == stored
    # Mid-sentence it is "…, 14:30, by phone", not "By phone".
    [event] = referral.events.all()
    assert event.note == f"Interview: Fri 12 Jun 2026, 14:30, b{stored[1:]}"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"interview_on": ""}, "Give the date of the interview."),
        ({"interview_time": ""}, "Give the time of the interview."),
        ({"interview_time": "25:00"}, "Enter a time such as 14:30."),
        ({"interview_on": "2026-02-30"}, "Enter a date such as 31/12/2026."),
        ({"interview_place": "  "}, "Give the address of the interview."),
        (
            {"interview_how": "video", "interview_place": ""},
            "Give the link to join the video call, or who sends it.",
        ),
        (
            {"interview_on": "2026-06-10", "interview_time": "08:59"},
            "The interview&#x27;s date and time have passed. Give a time in the "
            "future.",
        ),
        ({"interview_how": "carrier pigeon"}, "Select a valid choice."),
    ],
)
def test_an_interview_without_a_date_time_or_place_or_in_the_past_is_refused(
    client_of, provider, referral, clock, changes, message
):
    response = move(client_of(provider), referral, "interview", interview() | changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    referral.refresh_from_db()
    assert referral.stage == Referral.Stage.REFERRED
    assert referral.interview_at is None
    assert not referral.events.exists()


def test_the_service_refuses_an_interview_without_its_time(referral, coordinator):
    with pytest.raises(ValidationError) as error:
        services.referral_advance(
            referral=referral, to="interview", by=coordinator.user, interview_place="X"
        )
    assert error.value.message_dict == {
        "interview_on": ["Give the date and time of the interview."]
    }


def test_other_moves_need_no_interview(client_of, provider, referral, clock):
    response = move(client_of(provider), referral, "offered", {"interview_on": ""})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.stage == Referral.Stage.OFFERED
    assert referral.interview_at is None


def _arranged(client, referral):
    assert move(client, referral, "interview", interview()).status_code == 302
    referral.refresh_from_db()
    return referral


def rearrange_url(referral):
    return reverse("vacancies:referral-interview", args=[referral.pk])


def test_the_interview_is_noted_in_the_history_and_on_the_timeline(
    client_of, provider, coordinator, referral, clock
):
    _arranged(client_of(provider), referral)
    [event] = referral.events.all()
    assert event.note == "Interview: Fri 12 Jun 2026, 14:30, Oak House"
    [entry] = referral_timeline(referral.participant)
    assert "Fri 12 Jun 2026, 14:30, Oak House" in entry.detail
    page = client_of(coordinator).get(
        reverse("participants:detail", args=[referral.participant.pk])
    )
    assert "Fri 12 Jun 2026, 14:30, Oak House" in page.content.decode()


def test_an_interview_is_rearranged_while_arranged(
    client_of, provider, referral, clock
):
    client = client_of(provider)
    _arranged(client, referral)
    page = client.get(detail_url(referral)).content.decode()
    assert "Rearrange the interview" in page
    assert 'value="2026-06-12"' in page
    assert 'value="14:30"' in page
    response = client.post(
        rearrange_url(referral),
        interview(on="2026-06-15", time="09:00", place="Oak House, room 2")
        | {"note": "Manager away"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.interview_at == dt.datetime(2026, 6, 15, 8, 0, tzinfo=dt.UTC)
    assert referral.interview_place == "Oak House, room 2"
    assert referral.stage == Referral.Stage.INTERVIEW
    notes = list(referral.events.values_list("note", flat=True))
    # The note does not run into the place when shown on one line.
    assert notes[-1] == (
        "Interview: moved to Mon 15 Jun 2026, 09:00, Oak House, room 2.\nManager away"
    )
    page = client.get(detail_url(referral)).content.decode()
    assert "Mon 15 Jun 2026, 09:00, Oak House, room 2" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "That is when and where the interview is already."),
        ({"interview_on": "2026-06-01"}, "have passed"),
        ({"interview_place": ""}, "Give the address of the interview."),
    ],
)
def test_a_rearrangement_that_changes_nothing_or_is_past_is_refused(
    client_of, provider, referral, clock, changes, message
):
    client = client_of(provider)
    _arranged(client, referral)
    response = client.post(rearrange_url(referral), interview() | changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert referral.events.count() == 1


def test_only_an_arranged_interview_is_rearranged(client_of, provider, referral, clock):
    response = client_of(provider).post(rearrange_url(referral), interview())
    assert response.status_code == 200
    assert "Only an arranged interview can be rearranged" in response.content.decode()
    referral.refresh_from_db()
    assert referral.interview_at is None


def test_moving_on_keeps_the_record_of_the_interview(
    client_of, provider, referral, clock
):
    client = client_of(provider)
    _arranged(client, referral)
    assert move(client, referral, "unsuccessful").status_code == 302
    referral.refresh_from_db()
    assert referral.interview_at == dt.datetime(2026, 6, 12, 13, 30, tzinfo=dt.UTC)
    page = client.get(detail_url(referral)).content.decode()
    assert "Fri 12 Jun 2026, 14:30, Oak House" in page
    assert "Rearrange the interview" not in page
    assert (
        client.post(rearrange_url(referral), interview(on="2026-06-20")).status_code
        == 200
    )
    referral.refresh_from_db()
    assert referral.interview_at == dt.datetime(2026, 6, 12, 13, 30, tzinfo=dt.UTC)


def test_another_organisations_provider_or_academy_cannot_rearrange(
    client_of, provider, second_provider, other_coordinator, manager, referral, clock
):
    _arranged(client_of(provider), referral)
    for member, status in (
        (second_provider, 404),
        (other_coordinator, 404),
        (manager, 403),
    ):
        response = client_of(member).post(
            rearrange_url(referral), interview(on="2026-06-20")
        )
        assert response.status_code == status
    referral.refresh_from_db()
    assert referral.interview_at == dt.datetime(2026, 6, 12, 13, 30, tzinfo=dt.UTC)


# ---- diaries ------------------------------------------------------------------------


def _week():
    start = dt.datetime(2026, 6, 8, tzinfo=LONDON)
    return start, start + dt.timedelta(days=7)


def test_the_providers_and_the_coordinators_diaries_show_the_interview(
    client_of,
    provider,
    second_provider,
    coordinator,
    other_coordinator,
    referral,
    clock,
):
    person = referral.participant
    person.coordinator = coordinator.user
    person.save()
    _arranged(client_of(provider), referral)
    [entry] = diary_entries(provider, *_week())
    assert entry.kind == "interview"
    assert entry.starts_at == dt.datetime(2026, 6, 12, 13, 30, tzinfo=dt.UTC)
    assert entry.title == (
        f"Interview: Amira Haddad — Home carer, Plympton, {provider.organisation}"
    )
    assert entry.private_title == (
        f"Interview — Home carer, Plympton, {provider.organisation}"
    )
    assert "Amira" not in entry.private_title
    assert entry.place == "Oak House"
    assert entry.url == detail_url(referral)
    [mine] = diary_entries(coordinator, *_week())
    assert mine.uid == entry.uid
    assert "Amira Haddad" in mine.title
    # Another organisation's provider, a coordinator of another academy, and a
    # colleague whose caseload it is not: nothing.
    assert diary_entries(second_provider, *_week()) == []
    assert diary_entries(other_coordinator, *_week()) == []
    colleague = MembershipFactory(role="coordinator", academy=coordinator.academy)
    assert diary_entries(colleague, *_week()) == []


def test_a_provider_sees_no_name_once_consent_to_share_is_withdrawn(
    client_of, provider, referral, clock
):
    _arranged(client_of(provider), referral)
    Participant.objects.filter(pk=referral.participant.pk).update(
        has_consent_to_share=False
    )
    [entry] = diary_entries(provider, *_week())
    assert "Amira" not in entry.title
    assert entry.title.startswith("Interview: a candidate — ")


def test_a_withdrawn_interview_shows_cancelled(client_of, provider, referral, clock):
    client = client_of(provider)
    _arranged(client, referral)
    assert move(client, referral, "withdrawn").status_code == 302
    [entry] = diary_entries(provider, *_week())
    assert entry.is_cancelled
    assert entry.status == "Withdrawn"


# ---- the person is told, and reminded ------------------------------------------------


@pytest.fixture
def sent():
    """The e-mails sent so far: runs what waits for the test's transaction to commit,
    then the outbox."""

    def flush():
        while connection.run_on_commit:
            waiting, connection.run_on_commit[:] = list(connection.run_on_commit), []
            for _savepoints, callback, _robust in waiting:
                callback()
        return mail.outbox

    return flush


def _agreed(person, contact_by="email"):
    Participant.objects.filter(pk=person.pk).update(
        contact_by=contact_by, email="amira@example.net", phone="07700900123"
    )
    person.refresh_from_db()


def _to(messages, address):
    return [m for m in messages if address in m.to]


def test_the_person_who_agreed_is_told_of_their_interview_and_its_move(
    client_of, provider, referral, clock, sent
):
    _agreed(referral.participant)
    client = client_of(provider)
    _arranged(client, referral)
    [told] = _to(sent(), "amira@example.net")
    assert told.subject == "Your interview on Fri 12 Jun at 14:30"
    assert "Home carer, Plympton" in told.body
    assert "Friday 12 June at 14:30" in told.body
    assert "Oak House" in told.body
    client.post(rearrange_url(referral), interview(on="2026-06-15", time="09:00"))
    _first, moved = _to(sent(), "amira@example.net")
    # The old time is said to be off, not left for them to work out.
    assert moved.subject == (
        "Your interview on Fri 12 Jun at 14:30 has moved to Mon 15 Jun at 09:00"
    )
    assert "on Fri 12 Jun at 14:30 has moved. It is now:" in moved.body
    assert "When: Monday 15 June at 09:00" in moved.body
    # The same time again (moved back and forth) is a new message only once.
    client.post(rearrange_url(referral), interview(on="2026-06-16"))
    assert len(_to(sent(), "amira@example.net")) == 3
    # A new place at the same time is told too.
    client.post(rearrange_url(referral), interview(on="2026-06-16", place="Elm House"))
    new_place = _to(sent(), "amira@example.net")[-1]
    assert new_place.subject == "Your interview on Tue 16 Jun at 14:30: a new place"
    assert "Where: Elm House" in new_place.body


def test_a_text_says_the_interview_moved_from_its_old_time(
    client_of, provider, referral, clock, sent, fake_notify
):
    _agreed(referral.participant, contact_by="sms")
    client = client_of(provider)
    _arranged(client, referral)
    client.post(rearrange_url(referral), interview(on="2026-06-15", time="09:00"))
    sent()
    _first, moved = [r["personalisation"]["body"] for r in fake_notify.sms]
    assert "on Fri 12 Jun at 14:30 has moved to Mon 15 Jun at 09:00, Oak House." in (
        moved
    )


def test_an_interview_next_year_is_said_with_its_year(
    client_of, provider, referral, clock, sent
):
    _agreed(referral.participant)
    move(client_of(provider), referral, "interview", interview(on="2027-01-05"))
    [told] = _to(sent(), "amira@example.net")
    assert told.subject == "Your interview on Tue 5 Jan 2027 at 14:30"
    assert "Tuesday 5 January 2027 at 14:30" in told.body


def test_the_persons_interview_messages_say_how_to_reach_the_academy(
    client_of, provider, referral, clock, sent, fake_notify
):
    academy = referral.participant.academy
    academy.public_phone = "01752 123456"
    academy.save()
    _agreed(referral.participant)
    _arranged(client_of(provider), referral)
    [told] = _to(sent(), "amira@example.net")
    assert "Can't go? Phone 01752 123456." in told.body
    assert "tell your coordinator" not in told.body
    assert "stop" not in told.body.split("\n--\n")[0]  # only the opt-out link
    _agreed(referral.participant, contact_by="sms")
    Referral.objects.filter(pk=referral.pk).update(
        interview_at=_tomorrow_at(), interview_place="Oak House"
    )
    referral.events.all().delete()  # not told today: reminded
    services.interview_reminders_send()
    sent()
    [text] = [r["personalisation"]["body"] for r in fake_notify.sms]
    assert text.startswith(f"{academy.name}: ")
    assert "Can't go? Call 01752 123456." in text
    assert text.endswith("Reply STOP to stop these texts.")


def test_nobody_is_told_who_did_not_agree(client_of, provider, referral, clock, sent):
    Participant.objects.filter(pk=referral.participant.pk).update(
        email="amira@example.net"
    )
    _arranged(client_of(provider), referral)
    assert _to(sent(), "amira@example.net") == []


def _tomorrow_at(hour=10):
    return dt.datetime(2026, 6, 11, hour, 0, tzinfo=LONDON)


def test_the_reminder_the_day_before_goes_once(provider, referral, clock, sent):
    _agreed(referral.participant)
    Referral.objects.filter(pk=referral.pk).update(
        stage="interview", interview_at=_tomorrow_at(), interview_place="Oak House"
    )
    later = ReferralFactory(
        participant=ParticipantFactory(academy=referral.participant.academy),
        vacancy=referral.vacancy,
        stage="interview",
        interview_at=dt.datetime(2026, 6, 12, 0, 30, tzinfo=LONDON),  # the day after
        interview_place="Oak House",
    )
    assert tasks.interview_reminders_send.delay().get() == 1
    [reminder] = _to(sent(), "amira@example.net")
    assert reminder.subject == "Tomorrow: your interview at 10:00"
    assert "Thursday 11 June at 10:00" in reminder.body
    # Run again (the next hour, or after a worker was lost): nothing more.
    services.interview_reminders_send()
    assert len(_to(sent(), "amira@example.net")) == 1
    # Moved to another time tomorrow: reminded again, of the new time.
    Referral.objects.filter(pk=referral.pk).update(interview_at=_tomorrow_at(15))
    services.interview_reminders_send()
    assert _to(sent(), "amira@example.net")[-1].subject == (
        "Tomorrow: your interview at 15:00"
    )
    assert later.interview_at  # not tomorrow: not reminded
    assert len(_to(sent(), "amira@example.net")) == 2


def test_someone_told_today_is_not_reminded_today(
    client_of, provider, referral, clock, sent
):
    _agreed(referral.participant)
    move(client_of(provider), referral, "interview", interview(on="2026-06-11"))
    assert len(_to(sent(), "amira@example.net")) == 1
    services.interview_reminders_send()
    assert len(_to(sent(), "amira@example.net")) == 1


def test_an_interview_moved_on_or_withdrawn_is_not_reminded(referral, clock, sent):
    _agreed(referral.participant)
    Referral.objects.filter(pk=referral.pk).update(
        stage="withdrawn", interview_at=_tomorrow_at(), interview_place="Oak House"
    )
    assert services.interview_reminders_send() == 0
    assert _to(sent(), "amira@example.net") == []


def test_the_beat_runs_the_reminders(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["vacancies-interview-reminders-send"]
    assert entry["task"] == "vacancies.tasks.interview_reminders_send"


# ---- the provider's home -----------------------------------------------------------


def test_the_providers_home_lists_upcoming_interviews(
    client_of, provider, second_provider, other_provider, coordinator, referral, clock
):
    _arranged(client_of(provider), referral)
    ReferralFactory(  # in three weeks: past the 14 days
        participant=ParticipantFactory(
            academy=provider.academy, first_name="Later", last_name="Person"
        ),
        vacancy=referral.vacancy,
        stage="interview",
        interview_at=dt.datetime(2026, 7, 1, 10, 0, tzinfo=LONDON),
        interview_place="Oak House",
    )
    ReferralFactory(  # held already, moved on
        participant=ParticipantFactory(
            academy=provider.academy, first_name="Offered", last_name="Person"
        ),
        vacancy=referral.vacancy,
        stage="offered",
        interview_at=dt.datetime(2026, 6, 11, 10, 0, tzinfo=LONDON),
        interview_place="Oak House",
    )
    page = client_of(provider).get(reverse("home")).content.decode()
    assert "Upcoming interviews" in page
    assert "Fri 12 Jun, 14:30" in page
    assert "Amira Haddad" in page
    assert "Home carer, Plympton" in page
    assert "Oak House" in page
    assert detail_url(referral) in page
    # Listed among the referrals to move along, but not as upcoming interviews.
    upcoming = page.split('id="provider-interviews-heading"', 1)[1]
    upcoming = upcoming.split("</section>", 1)[0]
    assert "Later Person" not in upcoming
    assert "Offered Person" not in upcoming
    for member in (second_provider, other_provider):
        theirs = client_of(member).get(reverse("home")).content.decode()
        assert "No interviews arranged in the next 14 days." in theirs
        assert "Amira Haddad" not in theirs
    assert "Upcoming interviews" not in (
        client_of(coordinator).get(reverse("home")).content.decode()
    )


def test_the_providers_home_says_a_candidate_without_consent_to_share(
    client_of, provider, referral, clock
):
    _arranged(client_of(provider), referral)
    Participant.objects.filter(pk=referral.participant.pk).update(
        has_consent_to_share=False
    )
    page = client_of(provider).get(reverse("home")).content.decode()
    assert "A candidate" in page
    assert "Amira" not in page
