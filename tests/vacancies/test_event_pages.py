"""The staff's event pages (issue 17): the list, creating one date or a series, an
event's page with its sign-ups, changing and cancelling dates, the door's register
(ticks, mark all, walk-ins, linking people and making enquiries), the QR code and the
printed register; for coordinators, admins and the providers hosting an event."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from academy.models import AccessRecord
from participants.models import Enquiry
from tests.academy.factories import OrganisationFactory
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import EventFactory, SignUpFactory
from tests.vacancies.pages import messages_of
from vacancies.models import Event, EventSeries, SignUp

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
WITHHELD = "A person (details withheld)"


def _url(name, obj):
    return reverse(f"vacancies:{name}", args=[obj.pk])


def _in(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _event_data(**changes):
    data = {
        "kind": "drop_in",
        "title": "Wednesday drop-in",
        "description": "Come and talk about jobs in care.",
        "audience": ["over_50", "returner"],
        "venue": "Skills Launchpad Plymouth",
        "address": "Frankfort Gate",
        "postcode": "pl1 1qa",
        "online_url": "",
        "capacity": "12",
        "is_public": "yes",
        "how_often": "once",
        "first_on": _in(10),
        "last_on": "",
        "starts": "10:00",
        "ends": "13:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def event(academy, provider):
    """An event the `provider` persona's organisation hosts, a week ahead."""
    event = EventFactory(academy=academy, capacity=2, title="Careers in care")
    event.hosts.add(provider.organisation)
    return event


def _signup(event, status=SignUp.Status.BOOKED, **fields):
    fields.setdefault("source", SignUp.Source.PUBLIC)
    return SignUpFactory(event=event, status=status, **fields)


# ---- the list ------------------------------------------------------------------------


def test_the_list_shows_upcoming_events_soonest_first_and_past_ones_on_request(
    client_of, coordinator, academy
):
    now = timezone.now()
    for title, days in (("Later", 20), ("Sooner", 2), ("Gone", -3), ("Long gone", -30)):
        EventFactory(
            academy=academy,
            title=title,
            starts_at=now + dt.timedelta(days=days),
            ends_at=now + dt.timedelta(days=days, hours=2),
        )
    client = client_of(coordinator)
    page = client.get(reverse("vacancies:event-list")).content.decode()
    assert page.index("Sooner") < page.index("Later")
    assert "Gone" not in page
    page = client.get(
        reverse("vacancies:event-list"), {"show": "past"}
    ).content.decode()
    assert page.index("Gone") < page.index("Long gone")
    assert "Sooner" not in page


def test_the_list_filters_by_kind_and_ignores_a_kind_it_does_not_know(
    client_of, coordinator, academy
):
    EventFactory(academy=academy, title="Recruitment fair", kind="recruitment")
    EventFactory(academy=academy, title="Wednesday drop-in", kind="drop_in")
    client = client_of(coordinator)

    def shown(kind):
        response = client.get(reverse("vacancies:event-list"), {"kind": kind})
        assert response.status_code == 200
        return sorted(e.title for e in response.context["page"])

    assert shown("recruitment") == ["Recruitment fair"]
    assert shown("<script>") == ["Recruitment fair", "Wednesday drop-in"]


def test_the_list_shows_places_taken_and_costs_the_same_queries_for_more_events(
    client_of, coordinator, academy, django_assert_max_num_queries
):
    client = client_of(coordinator)
    for _ in range(3):
        event = EventFactory(academy=academy, capacity=5)
        event.hosts.add(OrganisationFactory(academy=academy))
        _signup(event)
        _signup(event, status=SignUp.Status.WAITING)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("vacancies:event-list")).content.decode()
    assert page.count("1 of 5 taken") == 3
    assert "1 waiting" in page


def test_a_provider_lists_only_the_events_its_organisation_hosts(
    client_of, provider, event, academy
):
    EventFactory(academy=academy, title="Someone else's fair")
    page = client_of(provider).get(reverse("vacancies:event-list")).content.decode()
    assert "Careers in care" in page
    assert "Someone else's fair" not in page


# ---- creating ------------------------------------------------------------------------


def test_a_coordinator_creates_one_date_at_london_time(
    client_of, coordinator, academy, provider
):
    data = _event_data(hosts=[provider.organisation.pk])
    response = client_of(coordinator).post(reverse("vacancies:event-add"), data)
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert timezone.localtime(event.starts_at, LONDON).time() == dt.time(10, 0)
    assert timezone.localtime(event.ends_at, LONDON).time() == dt.time(13, 0)
    assert event.postcode == "PL1 1QA"
    assert event.audience == ["over_50", "returner"]
    assert event.capacity == 12
    assert event.is_public
    assert list(event.hosts.all()) == [provider.organisation]
    assert event.series is None


def test_a_coordinator_creates_a_weekly_series_once(client_of, coordinator):
    client = client_of(coordinator)
    first = timezone.localdate() + dt.timedelta(days=7)
    data = _event_data(
        how_often="weekly",
        first_on=first.isoformat(),
        last_on=(first + dt.timedelta(weeks=3)).isoformat(),
        is_public="no",
        capacity="",
        submission="6f0b2a58-4a4e-4c35-9d48-4a8e0bbd1c01",
    )
    response = client.post(reverse("vacancies:event-add"), data)
    again = client.post(reverse("vacancies:event-add"), data)  # a double click
    events = list(Event.objects.order_by("starts_at"))
    assert [timezone.localtime(e.starts_at, LONDON).date() for e in events] == [
        first + dt.timedelta(weeks=n) for n in range(4)
    ]
    assert EventSeries.objects.get().frequency == "weekly"
    assert {e.capacity for e in events} == {None}
    assert not any(e.is_public for e in events)
    assert "4 dates" in " ".join(messages_of(response))
    assert again["Location"] == response["Location"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends": "09:00"}, "ends", "The end must be after the start."),
        (
            {"venue": "", "address": "", "online_url": ""},
            "venue",
            "Say where it is: a venue or address, or an online link.",
        ),
        ({"postcode": "nowhere"}, "postcode", "is not a UK postcode"),
        ({"first_on": "9999-12-31"}, "first_on", "more than two years ahead"),
        ({"how_often": "weekly"}, "last_on", "Give the last date of the series."),
        (
            {"how_often": "fortnightly", "last_on": _in(3)},
            "last_on",
            "The last date is before the first.",
        ),
        ({"capacity": "0"}, "capacity", "greater than or equal to 1"),
        ({"kind": "party"}, "kind", "Select a valid choice"),
    ],
)
def test_a_bad_event_is_refused_with_a_clear_message(
    client_of, coordinator, changes, field, message
):
    response = client_of(coordinator).post(
        reverse("vacancies:event-add"), _event_data(**changes)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Event.objects.exists()


def test_a_series_too_long_is_refused(client_of, coordinator):
    response = client_of(coordinator).post(
        reverse("vacancies:event-add"),
        _event_data(how_often="weekly", first_on=_in(-300), last_on=_in(700)),
    )
    assert response.status_code == 200
    assert "104 dates at most" in str(response.context["form"].errors)
    assert not Event.objects.exists()


def test_hosts_are_only_the_academys_organisations(
    client_of, coordinator, academy, other_academy
):
    OrganisationFactory(academy=academy)
    theirs = OrganisationFactory(academy=other_academy)
    response = client_of(coordinator).post(
        reverse("vacancies:event-add"), _event_data(hosts=[theirs.pk])
    )
    assert response.status_code == 200
    assert "hosts" in response.context["form"].errors
    assert not Event.objects.exists()


def test_a_providers_event_is_hosted_by_its_own_organisation_whatever_is_sent(
    client_of, provider, academy
):
    neighbour = OrganisationFactory(academy=academy)
    client = client_of(provider)
    assert (
        "Hosted by" not in client.get(reverse("vacancies:event-add")).content.decode()
    )
    response = client.post(
        reverse("vacancies:event-add"), _event_data(hosts=[neighbour.pk])
    )
    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert list(event.hosts.all()) == [provider.organisation]
    assert client.get(event.get_absolute_url()).status_code == 200


def test_managers_cannot_create_events(client_of, manager):
    response = client_of(manager).post(reverse("vacancies:event-add"), _event_data())
    assert response.status_code == 403
    assert not Event.objects.exists()


# ---- an event's page -----------------------------------------------------------------


def test_the_page_shows_places_and_everyone_by_status_and_records_the_access(
    client_of, coordinator, event, academy
):
    person = ParticipantFactory(academy=academy, first_name="Amira", last_name="Haddad")
    _signup(event, first_name="Bea", participant=person)
    _signup(event, status=SignUp.Status.ATTENDED, first_name="Cal")
    _signup(event, status=SignUp.Status.WAITING, first_name="Dev")
    _signup(event, status=SignUp.Status.CANCELLED, first_name="Eli")
    response = client_of(coordinator).get(event.get_absolute_url())
    page = response.content.decode()
    assert "2 of 2 taken" in page
    for heading in ("Booked (1)", "waiting list, in order (1)", "Came (1)"):
        assert heading in page
    assert "Cancelled (1)" in page
    assert person.reference in page
    assert "Give a place" in page
    record = AccessRecord.objects.get(action="vacancies:event-detail GET")
    assert record.participant_ids == [person.pk]


def test_a_hosting_provider_sees_details_only_of_people_who_agreed(
    client_of, provider, event, academy
):
    _signup(event, first_name="Agreed", email="agreed@example.org", has_consented=True)
    _signup(
        event, first_name="Private", email="private@example.org", has_consented=False
    )
    withdrawn = ParticipantFactory(
        academy=academy, first_name="Withdrawn", has_consent_to_share=False
    )
    _signup(
        event,
        status=SignUp.Status.WAITING,
        first_name="Withdrawn",
        email="withdrawn@example.org",
        has_consented=True,
        participant=withdrawn,
    )
    client = client_of(provider)
    for name in ("event-detail", "event-register", "event-print"):
        page = client.get(_url(name, event)).content.decode()
        assert "agreed@example.org" in page, name
        for hidden in ("Private", "private@", "Withdrawn", "withdrawn@"):
            assert hidden not in page, (name, hidden)
        assert page.count(WITHHELD) >= 2, name
    assert withdrawn.reference not in page
    assert (
        "Book a participant"
        not in client.get(event.get_absolute_url()).content.decode()
    )


def test_a_provider_not_hosting_the_event_gets_404_everywhere(
    client_of, second_provider, event
):
    signup = _signup(event)
    client = client_of(second_provider)
    names = ("event-detail", "event-edit", "event-register", "event-qr", "event-print")
    for name in names:
        assert client.get(_url(name, event)).status_code == 404, name
    for name in ("signup-mark", "signup-cancel", "signup-promote"):
        assert client.post(_url(name, signup), {"attended": "1"}).status_code == 404
    assert client.post(_url("event-mark-all", event)).status_code == 404
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.BOOKED


def test_another_academys_event_is_404(client_of, coordinator, other_academy):
    theirs = EventFactory(academy=other_academy)
    signup = _signup(theirs)
    client = client_of(coordinator)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert (
        client.post(_url("event-walk-in", theirs), {"first_name": "X"}).status_code
        == 404
    )
    assert client.get(_url("signup-link", signup)).status_code == 404
    assert client.post(_url("signup-cancel", signup)).status_code == 404
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.BOOKED


# ---- booking, the waiting list, cancelling -------------------------------------------


def test_a_coordinator_finds_a_participant_by_a_posted_search_and_books_them(
    client_of, coordinator, event, academy
):
    person = ParticipantFactory(academy=academy, first_name="Amira", last_name="Haddad")
    ParticipantFactory(academy=academy, first_name="Zed", last_name="Other")
    client = client_of(coordinator)
    found = client.post(_url("event-book", event), {"q": "amira haddad"})
    assert found.status_code == 200
    assert [p.pk for p in found.context["results"]] == [person.pk]
    assert "amira" not in found.wsgi_request.get_full_path().lower()
    response = client.post(_url("event-book", event), {"participant": person.pk})
    signup = SignUp.objects.get()
    assert response["Location"] == event.get_absolute_url()
    assert signup.participant == person
    assert signup.source == SignUp.Source.STAFF
    assert signup.status == SignUp.Status.BOOKED
    again = client.post(_url("event-book", event), {"participant": person.pk})
    assert "on this event's list already" in " ".join(messages_of(again))
    assert SignUp.objects.count() == 1


def test_booking_a_full_event_puts_the_person_on_the_waiting_list(
    client_of, coordinator, event, academy
):
    _signup(event)
    _signup(event)
    person = ParticipantFactory(academy=academy)
    response = client_of(coordinator).post(
        _url("event-book", event), {"participant": person.pk}
    )
    assert "waiting list" in " ".join(messages_of(response))
    assert SignUp.objects.get(participant=person).status == SignUp.Status.WAITING


def test_booking_refuses_another_academys_participant_and_an_empty_search(
    client_of, coordinator, event, other_academy
):
    theirs = ParticipantFactory(academy=other_academy)
    client = client_of(coordinator)
    response = client.post(_url("event-book", event), {"participant": theirs.pk})
    assert "not one of this academy's" in " ".join(messages_of(response))
    assert not SignUp.objects.exists()
    empty = client.post(_url("event-book", event), {"q": " "})
    assert empty.status_code == 200
    assert "Type a reference or a name" in str(empty.context["search_form"].errors)


def test_cancelling_a_booking_gives_the_place_to_the_first_waiting(
    client_of, coordinator, event
):
    booked = _signup(event, first_name="Bea")
    _signup(event)
    first = _signup(event, status=SignUp.Status.WAITING, first_name="First")
    second = _signup(event, status=SignUp.Status.WAITING, first_name="Second")
    response = client_of(coordinator).post(_url("signup-cancel", booked))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SignUp.Status.BOOKED
    assert second.status == SignUp.Status.WAITING
    assert "The place went to First Walker" in " ".join(messages_of(response))


def test_giving_a_waiting_person_a_place_is_refused_when_every_place_is_taken(
    client_of, coordinator, event
):
    _signup(event)
    booked = _signup(event)
    waiting = _signup(event, status=SignUp.Status.WAITING)
    client = client_of(coordinator)
    response = client.post(_url("signup-promote", waiting))
    assert "Every place is taken" in " ".join(messages_of(response))
    client.post(_url("signup-cancel", booked))  # the place goes to them anyway
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.BOOKED


def test_a_hosting_provider_gives_a_place_without_seeing_a_private_name(
    client_of, provider, event
):
    event.capacity = 3
    event.save()
    waiting = _signup(event, status=SignUp.Status.WAITING, has_consented=False)
    response = client_of(provider).post(_url("signup-promote", waiting))
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.BOOKED
    assert messages_of(response) == [f"{WITHHELD} has a place now."]


# ---- changing and cancelling dates ---------------------------------------------------


def _series(client):
    first = timezone.localdate() + dt.timedelta(days=7)
    client.post(
        reverse("vacancies:event-add"),
        _event_data(
            how_often="weekly",
            first_on=first.isoformat(),
            last_on=(first + dt.timedelta(weeks=3)).isoformat(),
        ),
    )
    return list(Event.objects.order_by("starts_at"))


def _edit_data(event, **changes):
    start = timezone.localtime(event.starts_at, LONDON)
    data = _event_data(on=start.date().isoformat(), apply_to="this")
    for name in ("how_often", "first_on", "last_on"):
        data.pop(name)
    data.update(changes)
    return data


def test_changing_this_date_and_all_that_follow(client_of, coordinator):
    client = client_of(coordinator)
    events = _series(client)
    response = client.post(
        _url("event-edit", events[1]),
        _edit_data(
            events[1], starts="11:00", title="Drop-in (later)", apply_to="following"
        ),
    )
    assert response["Location"] == events[1].get_absolute_url()
    after = list(Event.objects.order_by("starts_at"))
    assert [e.title for e in after] == ["Wednesday drop-in"] + ["Drop-in (later)"] * 3
    hours = [timezone.localtime(e.starts_at, LONDON).hour for e in after]
    assert hours == [10, 11, 11, 11]
    assert "3 dates" in " ".join(messages_of(response))


def test_moving_one_date_leaves_the_rest_of_the_series(client_of, coordinator):
    client = client_of(coordinator)
    events = _series(client)
    new_day = timezone.localtime(events[1].starts_at, LONDON).date() + dt.timedelta(1)
    client.post(
        _url("event-edit", events[1]), _edit_data(events[1], on=new_day.isoformat())
    )
    days = [
        timezone.localtime(e.starts_at, LONDON).date()
        for e in Event.objects.order_by("pk")
    ]
    assert days[1] == new_day
    assert days[2] - days[0] == dt.timedelta(weeks=2)


def test_a_bad_change_is_refused_and_changes_nothing(client_of, coordinator, event):
    response = client_of(coordinator).post(
        _url("event-edit", event), _edit_data(event, ends="08:00", title="New")
    )
    assert response.status_code == 200
    assert "The end must be after the start." in str(response.context["form"].errors)
    event.refresh_from_db()
    assert event.title == "Careers in care"


def test_cancelling_all_that_follow_needs_a_reason(client_of, coordinator):
    client = client_of(coordinator)
    events = _series(client)
    refused = client.post(
        _url("event-cancel", events[2]), {"reason": "  ", "apply_to": "following"}
    )
    assert refused.status_code == 200
    assert "Say why" in str(refused.context["form"].errors)
    response = client.post(
        _url("event-cancel", events[2]),
        {"reason": "The room is being rebuilt", "apply_to": "following"},
    )
    assert response["Location"] == events[2].get_absolute_url()
    statuses = [e.status for e in Event.objects.order_by("starts_at")]
    assert statuses == ["scheduled", "scheduled", "cancelled", "cancelled"]
    page = client.get(events[2].get_absolute_url()).content.decode()
    assert "The room is being rebuilt" in page
    assert client.get(_url("event-edit", events[2])).status_code == 302


def test_a_hosting_provider_changes_and_cancels_its_event_but_not_its_hosts(
    client_of, provider, event, academy
):
    other_host = OrganisationFactory(academy=academy)
    event.hosts.add(other_host)
    client = client_of(provider)
    response = client.post(
        _url("event-edit", event),
        _edit_data(event, title="Careers in care (moved)", hosts=[]),
    )
    assert response["Location"] == event.get_absolute_url()
    event.refresh_from_db()
    assert event.title == "Careers in care (moved)"
    assert set(event.hosts.all()) == {provider.organisation, other_host}
    client.post(_url("event-cancel", event), {"reason": "Our trainer is ill"})
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED


def test_a_provider_changes_later_dates_only_when_it_hosts_them_all(
    client_of, coordinator, provider
):
    events = _series(client_of(coordinator))
    for one in events:
        one.hosts.add(provider.organisation)
    client = client_of(provider)
    page = client.get(_url("event-edit", events[1])).content.decode()
    assert "This date and all that follow" in page
    events[3].hosts.clear()  # the last date is someone else's
    page = client.get(_url("event-edit", events[1])).content.decode()
    assert "This date and all that follow" not in page
    client.post(
        _url("event-edit", events[1]),
        _edit_data(events[1], title="Renamed", apply_to="following"),
    )
    titles = [e.title for e in Event.objects.order_by("starts_at")]
    assert titles == ["Wednesday drop-in", "Renamed", *["Wednesday drop-in"] * 2]


# ---- at the door ---------------------------------------------------------------------


def test_ticking_present_with_htmx_returns_the_row_and_the_counts(
    client_of, coordinator, event
):
    signup = _signup(event, first_name="Bea")
    response = client_of(coordinator).post(
        _url("signup-mark", signup), {"attended": "1"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.ATTENDED
    assert signup.checked_in_at is not None
    assert f'id="signup-{signup.pk}"' in page
    assert 'hx-swap-oob="true"' in page
    assert "<strong>1</strong> came" in page
    assert "<html" not in page


def test_marking_a_no_show_without_htmx_goes_back_to_the_register(
    client_of, coordinator, event
):
    signup = _signup(event)
    response = client_of(coordinator).post(
        _url("signup-mark", signup), {"attended": "0"}
    )
    assert response["Location"] == _url("event-register", event)
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.NO_SHOW


@pytest.mark.parametrize("value", ["", "yes", "2"])
def test_a_mark_that_is_neither_present_nor_absent_changes_nothing(
    client_of, coordinator, event, value
):
    signup = _signup(event)
    response = client_of(coordinator).post(
        _url("signup-mark", signup), {"attended": value}
    )
    assert "Choose present or did not attend." in messages_of(response)
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.BOOKED


def test_mark_all_present_ticks_everyone_still_expected(client_of, coordinator, event):
    booked = [_signup(event), _signup(event)]
    waiting = _signup(event, status=SignUp.Status.WAITING)
    response = client_of(coordinator).post(_url("event-mark-all", event))
    assert "2 people marked present." in messages_of(response)
    assert {s.status for s in SignUp.objects.filter(pk__in=[b.pk for b in booked])} == {
        "attended"
    }
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.WAITING


def test_a_walk_in_is_added_present_and_a_booked_person_is_not_added_twice(
    client_of, coordinator, event
):
    _signup(event, email="booked@example.org")
    client = client_of(coordinator)
    response = client.post(
        _url("event-walk-in", event),
        {"first_name": "Walk", "last_name": "In", "phone": "07700 900123"},
    )
    assert response["Location"] == _url("event-register", event)
    walk_in = SignUp.objects.get(first_name="Walk")
    assert walk_in.status == SignUp.Status.ATTENDED
    assert walk_in.source == SignUp.Source.WALK_IN
    assert walk_in.phone == "+447700900123"
    client.post(
        _url("event-walk-in", event), {"first_name": "B", "email": "BOOKED@example.org"}
    )
    assert SignUp.objects.count() == 2
    assert SignUp.objects.get(email="booked@example.org").status == "attended"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"first_name": "Walk"}, "Give an e-mail address or a phone number"),
        ({"first_name": "Walk", "phone": "12"}, "Enter a UK phone number"),
        ({"email": "a@example.org"}, "This field is required."),
    ],
)
def test_a_walk_in_without_a_name_or_a_way_to_reach_them_is_refused(
    client_of, coordinator, event, data, message
):
    response = client_of(coordinator).post(_url("event-walk-in", event), data)
    assert response.status_code == 200
    assert message in str(response.context["walk_in"].errors)
    assert not SignUp.objects.exists()


def test_a_hosting_provider_takes_the_register(client_of, provider, event):
    signup = _signup(event, has_consented=False)
    client = client_of(provider)
    page = client.get(_url("event-register", event)).content.decode()
    assert WITHHELD in page
    assert "Link to a participant" not in page
    client.post(_url("signup-mark", signup), {"attended": "1"})
    client.post(_url("event-walk-in", event), {"first_name": "Kit", "email": "k@x.org"})
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.ATTENDED
    assert SignUp.objects.filter(first_name="Kit", status="attended").exists()


def test_managers_have_no_register(client_of, manager, event):
    signup = _signup(event)
    client = client_of(manager)
    assert client.get(_url("event-register", event)).status_code == 403
    assert (
        client.post(_url("signup-mark", signup), {"attended": "1"}).status_code == 403
    )


# ---- who they were: a participant, or an enquiry -------------------------------------


def test_a_walk_in_is_linked_to_the_participant_with_the_same_email(
    client_of, coordinator, event, academy
):
    person = ParticipantFactory(academy=academy, email="amira@example.org")
    ParticipantFactory(academy=academy, email="someone@example.org")
    walk_in = _signup(event, SignUp.Status.ATTENDED, email="amira@example.org")
    client = client_of(coordinator)
    page = client.get(_url("signup-link", walk_in))
    assert [p.pk for p in page.context["candidates"]] == [person.pk]
    assert AccessRecord.objects.filter(participant_ids=[person.pk]).exists()
    response = client.post(_url("signup-link", walk_in), {"participant": person.pk})
    assert response["Location"] == _url("event-register", event)
    walk_in.refresh_from_db()
    assert walk_in.participant == person
    person.refresh_from_db()
    assert person.last_contact_at is not None


def test_linking_finds_others_by_a_posted_search_and_refuses_a_second_sign_up(
    client_of, coordinator, event, academy
):
    person = ParticipantFactory(academy=academy, reference="PLY-0042")
    _signup(event, participant=person)
    walk_in = _signup(event, SignUp.Status.ATTENDED)
    client = client_of(coordinator)
    found = client.post(_url("signup-link", walk_in), {"q": "PLY-0042"})
    assert [p.pk for p in found.context["results"]] == [person.pk]
    response = client.post(_url("signup-link", walk_in), {"participant": person.pk})
    assert "already on this event's list" in " ".join(messages_of(response))
    walk_in.refresh_from_db()
    assert walk_in.participant is None


def test_linking_refuses_another_academys_participant(
    client_of, coordinator, event, other_academy
):
    walk_in = _signup(event, SignUp.Status.ATTENDED)
    theirs = ParticipantFactory(academy=other_academy)
    response = client_of(coordinator).post(
        _url("signup-link", walk_in), {"participant": theirs.pk}
    )
    assert response.status_code == 200
    assert "not one of this academy's" in " ".join(messages_of(response))
    walk_in.refresh_from_db()
    assert walk_in.participant is None


def test_a_walk_in_becomes_an_enquiry_of_the_academy(
    client_of, coordinator, event, academy
):
    walk_in = _signup(
        event, SignUp.Status.ATTENDED, first_name="Kit", last_name="", email="kit@x.org"
    )
    client = client_of(coordinator)
    page = client.get(_url("signup-enquiry", walk_in))
    assert page.context["form"].initial["email"] == "kit@x.org"
    refused = client.post(
        _url("signup-enquiry", walk_in), {"first_name": "Kit", "email": "kit@x.org"}
    )
    assert "Give their last name" in str(refused.context["form"].errors)
    assert not Enquiry.objects.exists()
    response = client.post(
        _url("signup-enquiry", walk_in),
        {
            "first_name": "Kit",
            "last_name": "Marlowe",
            "email": "kit@x.org",
            "postcode": "pl4 6ab",
            "interest": "Home care, mornings",
        },
    )
    assert response["Location"] == _url("event-register", event)
    enquiry = Enquiry.objects.get()
    assert enquiry.academy == academy
    assert (enquiry.last_name, enquiry.postcode) == ("Marlowe", "PL4 6AB")
    assert enquiry.status == Enquiry.Status.NEW
    assert f"Met at {event.title}" in enquiry.notes
    walk_in.refresh_from_db()
    assert walk_in.enquiry == enquiry
    assert walk_in.last_name == "Marlowe"
    again = client.get(_url("signup-enquiry", walk_in))
    assert "is an enquiry already" in " ".join(messages_of(again))


def test_providers_cannot_link_people_or_make_enquiries(client_of, provider, event):
    walk_in = _signup(event, SignUp.Status.ATTENDED)
    client = client_of(provider)
    assert client.get(_url("signup-link", walk_in)).status_code == 403
    assert client.post(_url("signup-enquiry", walk_in), {}).status_code == 403
    assert not Enquiry.objects.exists()


# ---- the QR code and the printed register --------------------------------------------


def test_the_qr_page_shows_a_code_for_the_absolute_check_in_address(
    client_of, coordinator, event
):
    page = client_of(coordinator).get(_url("event-qr", event)).content.decode()
    assert "<svg" in page
    assert f"http://testserver/events/check-in/{event.checkin_token}/" in page
    assert "portal-navbar" not in page


def test_the_printed_register_has_contact_only_where_agreed_and_empty_rows(
    client_of, coordinator, event
):
    _signup(event, first_name="Agreed", email="agreed@example.org", has_consented=True)
    _signup(
        event, first_name="Private", email="private@example.org", has_consented=False
    )
    page = client_of(coordinator).get(_url("event-print", event)).content.decode()
    assert "Agreed Walker" in page
    assert "agreed@example.org" in page
    assert "Private Walker" in page
    assert "private@example.org" not in page
    assert page.count('class="blank"') >= 12
    assert "portal-navbar" not in page
    assert "<button" not in page
