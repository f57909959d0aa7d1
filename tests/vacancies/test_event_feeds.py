"""Issue 17: calendar feeds, parsed with the `icalendar` package as a calendar program
would: the academy's public events for anyone, and each member's private feed of the
events they run, opened by a secret token that a new one replaces."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.academy.factories import MembershipFactory
from tests.vacancies.factories import EventFactory
from vacancies import services
from vacancies.models import CalendarFeed, Event, EventSeries, SignUp
from vacancies.services.feeds import calendar_feed_renew

pytestmark = pytest.mark.django_db


def parsed(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(entry["SUMMARY"]): entry for entry in calendar.walk("VEVENT")}


def public_feed(academy):
    return Client().get(reverse("vacancies:event-feed", args=[academy.slug]))


def private_url(membership):
    feed = CalendarFeed.objects.get(membership=membership)
    return reverse("vacancies:event-feed-private", args=[feed.token])


class TestPublicFeed:
    def test_anyone_gets_the_public_events_in_utc_with_stable_uids(
        self, academy, other_academy
    ):
        fair = EventFactory(academy=academy, title="Spring fair")
        called_off = EventFactory(academy=academy, title="Called off")
        services.event_cancel(
            event=called_off, by=called_off.created_by, reason="Venue flooded"
        )
        EventFactory(academy=academy, title="Invitation only", is_public=False)
        EventFactory(academy=academy, title="Long gone")
        Event.objects.filter(title="Long gone").update(
            starts_at=timezone.now() - dt.timedelta(days=200),
            ends_at=timezone.now() - dt.timedelta(days=200, hours=-2),
        )
        EventFactory(academy=other_academy, title="Elsewhere")

        entries = parsed(public_feed(academy))

        assert set(entries) == {"Spring fair", "Called off"}
        entry = entries["Spring fair"]
        assert entry.decoded("DTSTART") == fair.starts_at
        assert entry.decoded("DTSTART").utcoffset() == dt.timedelta(0)
        assert entry.decoded("DTEND") == fair.ends_at
        assert str(entry["STATUS"]) == "CONFIRMED"
        assert str(entries["Called off"]["STATUS"]) == "CANCELLED"
        assert "Venue flooded" in str(entries["Called off"]["DESCRIPTION"])
        assert str(entry["URL"]).endswith(
            reverse("vacancies:event-board-detail", args=[academy.slug, fair.pk])
        )
        # The same event keeps its UID when its time changes (calendars update it).
        uid = str(entry["UID"])
        services.event_update(event=fair, by=fair.created_by, starts=dt.time(9, 0))
        again = parsed(public_feed(academy))["Spring fair"]
        assert str(again["UID"]) == uid
        assert again.decoded("DTSTART") != entry.decoded("DTSTART")

    @time_machine.travel(dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC), tick=False)
    def test_a_series_keeps_ten_oclock_london_across_the_clocks_changing(self, academy):
        services.series_create(
            academy=academy,
            by=EventFactory(academy=academy, is_public=False).created_by,
            frequency=EventSeries.Frequency.WEEKLY,
            first=dt.date(2026, 10, 21),
            until=dt.date(2026, 10, 28),
            starts=dt.time(10, 0),
            ends=dt.time(13, 0),
            kind=Event.Kind.DROP_IN,
            title="Drop-in",
            venue="Skills Launchpad Plymouth",
            capacity=None,
        )
        calendar = icalendar.Calendar.from_ical(public_feed(academy).content)
        starts = sorted(
            e.decoded("DTSTART")
            for e in calendar.walk("VEVENT")
            if e["SUMMARY"] == "Drop-in"
        )
        # 21 October is British Summer Time (09:00 UTC), 28 October is not (10:00).
        assert [s.astimezone(dt.UTC).hour for s in starts] == [9, 10]
        assert "DTSTART:20261021T090000Z" in public_feed(academy).content.decode()

    def test_an_unknown_academy_is_404_and_the_feed_needs_no_sign_in(self, academy):
        assert Client().get("/events/nowhere/calendar.ics").status_code == 404
        assert public_feed(academy).status_code == 200
        response = Client().post(reverse("vacancies:event-feed", args=[academy.slug]))
        assert response.status_code == 405


class TestPrivateFeed:
    def test_a_coordinator_gets_the_events_they_created_with_places_not_names(
        self, academy, coordinator
    ):
        mine = EventFactory(
            academy=academy, title="My session", created_by=coordinator.user
        )
        EventFactory(academy=academy, title="Colleague's session")
        for n in range(2):
            SignUp.objects.create(
                event=mine,
                first_name=f"Zebedee{n}",
                email=f"zebedee{n}@example.net",
                status=SignUp.Status.BOOKED,
                source=SignUp.Source.PUBLIC,
            )
        calendar_feed_renew(membership=coordinator)

        response = Client().get(private_url(coordinator))

        entries = parsed(response)
        assert set(entries) == {"My session"}
        description = str(entries["My session"]["DESCRIPTION"])
        assert "2 of 20 places taken, 0 waiting." in description
        assert b"Zebedee" not in response.content
        assert b"zebedee0@example.net" not in response.content
        assert response["Cache-Control"].startswith("private")
        assert str(entries["My session"]["URL"]).endswith(
            reverse("vacancies:event-detail", args=[mine.pk])
        )

    def test_a_provider_gets_the_events_its_organisation_hosts(self, academy, provider):
        hosted = EventFactory(academy=academy, title="Our open day")
        hosted.hosts.add(provider.organisation)
        EventFactory(academy=academy, title="Not ours")
        calendar_feed_renew(membership=provider)

        entries = parsed(Client().get(private_url(provider)))

        assert set(entries) == {"Our open day"}

    def test_a_new_address_ends_the_old_one(self, academy, coordinator):
        EventFactory(academy=academy, created_by=coordinator.user)
        calendar_feed_renew(membership=coordinator)
        old = private_url(coordinator)

        calendar_feed_renew(membership=coordinator)

        assert Client().get(old).status_code == 404
        assert Client().get(private_url(coordinator)).status_code == 200

    def test_an_ended_membership_or_another_role_opens_nothing(
        self, academy, coordinator
    ):
        calendar_feed_renew(membership=coordinator)
        url = private_url(coordinator)
        coordinator.role = "manager"
        coordinator.save()
        assert Client().get(url).status_code == 404
        coordinator.role = "coordinator"
        coordinator.is_active = False
        coordinator.save()
        assert Client().get(url).status_code == 404
        assert Client().get("/events/calendar/not-a-token.ics").status_code == 404

    def test_another_academys_member_sees_only_their_own_academy(
        self, academy, other_coordinator
    ):
        EventFactory(academy=academy, created_by=other_coordinator.user, title="Here")
        EventFactory(
            academy=other_coordinator.academy,
            created_by=other_coordinator.user,
            title="There",
        )
        calendar_feed_renew(membership=other_coordinator)

        entries = parsed(Client().get(private_url(other_coordinator)))

        assert set(entries) == {"There"}


class TestFeedPage:
    def test_a_coordinator_makes_the_address_then_a_new_one(
        self, client_of, coordinator
    ):
        client = client_of(coordinator)
        page = client.get(reverse("vacancies:event-calendar"))
        assert page.status_code == 200
        assert "Make my feed's address" in page.content.decode()
        public = reverse("vacancies:event-feed", args=[coordinator.academy.slug])
        assert f"http://testserver{public}" in page.content.decode()

        made = client.post(reverse("vacancies:event-calendar-new"), follow=True)
        first = private_url(coordinator)
        assert f"http://testserver{first}" in made.content.decode()
        assert "webcal://testserver" + first in made.content.decode()

        renewed = client.post(reverse("vacancies:event-calendar-new"), follow=True)
        assert "The old address no longer works" in renewed.content.decode()
        assert private_url(coordinator) != first

    def test_making_an_address_is_a_post_and_not_for_managers(
        self, client_of, coordinator, manager
    ):
        assert (
            client_of(coordinator).get(reverse("vacancies:event-calendar-new"))
        ).status_code == 405
        assert (
            client_of(manager).post(reverse("vacancies:event-calendar-new"))
        ).status_code == 403
        assert not CalendarFeed.objects.exists()

    def test_a_second_member_with_the_same_organisation_gets_their_own_address(
        self, academy, provider
    ):
        colleague = MembershipFactory(
            academy=academy, role="provider", organisation=provider.organisation
        )
        one = calendar_feed_renew(membership=provider)
        two = calendar_feed_renew(membership=colleague)
        assert one.token != two.token
