"""Campaign enquiries: the public sign-up form and its spam checks, the coordinators'
queue, and contacting or closing an enquiry."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.forms import EnquiryForm
from participants.models import Enquiry
from participants.services import enquiries as services
from tests.participants.factories import EnquiryFactory, ParticipantFactory

NOW = dt.datetime(2025, 3, 10, 9, 30, tzinfo=dt.UTC)
IP = "203.0.113.7"

FORM = {
    "first_name": "Aisha",
    "last_name": "Khan",
    "email": "Aisha.Khan@Example.net ",
    "phone": "07700 900456",
    "postcode": "pl4 6ab",
    "interest": "Helping older people stay at home",
    "has_read_privacy": "on",
    "vacancy_title": "Home care worker",
}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _public_url(academy):
    return reverse("participants:enquiry-public", args=[academy.slug])


def _thanks_url(academy):
    return reverse("participants:enquiry-thanks", args=[academy.slug])


def _send(client, academy, clock, *, ip=IP, wait=5, **changes):
    """Post the public form as a person would: served, filled in, sent soon after."""
    token = EnquiryForm.served_token(academy)
    clock.shift(wait)
    data = {**FORM, "served": token, **changes}
    return client.post(_public_url(academy), data, REMOTE_ADDR=ip)


def _received(enquiry, days_ago):
    Enquiry.objects.filter(pk=enquiry.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return enquiry


# The public form


@pytest.mark.django_db
def test_person_registers_interest_and_lands_on_thanks(client, academy, clock):
    response = _send(client, academy, clock)
    assert response.status_code == 302
    assert response["Location"] == _thanks_url(academy)
    enquiry = Enquiry.objects.get()
    assert enquiry.academy == academy
    assert enquiry.vacancy_title == "Home care worker"
    assert enquiry.status == Enquiry.Status.NEW
    assert enquiry.email == "aisha.khan@example.net"
    assert enquiry.postcode == "PL4 6AB"
    assert enquiry.created_at == timezone.now()


@pytest.mark.django_db
def test_thanks_page_says_what_happens_next(client, academy):
    body = client.get(_thanks_url(academy)).content.decode()
    assert "What happens next" in body
    assert academy.name in body


@pytest.mark.django_db
def test_public_form_shows_the_vacancy_from_the_link(client, academy):
    response = client.get(_public_url(academy), {"vacancy": "Night care assistant"})
    body = response.content.decode()
    assert "You are asking about: <strong>Night care assistant</strong>" in body
    assert 'name="vacancy_title" value="Night care assistant"' in body


@pytest.mark.django_db
def test_an_overlong_vacancy_title_is_trimmed_not_refused(client, academy, clock):
    _send(client, academy, clock, vacancy_title="Care worker " * 40)
    assert len(Enquiry.objects.get().vacancy_title) == 200


@pytest.mark.django_db
def test_public_form_explains_privacy_and_shows_nobodys_data(client, academy):
    EnquiryFactory(academy=academy, first_name="Zebedee", email="zeb@example.net")
    response = client.get(_public_url(academy))
    body = response.content.decode()
    assert response.status_code == 200
    notice = body[body.index('id="privacy-notice"') :]
    assert academy.name in notice
    assert "12 months" in notice
    assert "deleted" in notice
    assert "I have read the privacy notice" in body
    assert "Zebedee" not in body
    assert "zeb@example.net" not in body


@pytest.mark.django_db
def test_public_form_keeps_to_the_strict_content_security_policy(client, academy):
    body = client.get(_public_url(academy)).content.decode()
    assert "style=" not in body
    assert "<style" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body), "inline script"
    assert not re.search(r"\son[a-z]+=", body), "inline event handler"
    for field in ("first_name", "last_name", "email", "phone", "postcode", "interest"):
        assert f'<label for="id_{field}"' in re.sub(r"\s+", " ", body)


@pytest.mark.django_db
def test_honeypot_is_hidden_from_people_but_labelled(client, academy):
    body = re.sub(r"\s+", " ", client.get(_public_url(academy)).content.decode())
    assert 'class="mb-3 visually-hidden"' in body
    assert "Leave this empty" in body
    assert 'name="website" tabindex="-1" autocomplete="off"' in body


@pytest.mark.django_db
def test_unknown_academy_is_404(client):
    assert client.get("/join/nowhere/").status_code == 404
    assert client.post("/join/nowhere/", FORM).status_code == 404
    assert client.get("/join/nowhere/thanks/").status_code == 404


@pytest.mark.django_db
def test_enquiry_without_email_or_phone_is_refused(client, academy, clock):
    response = _send(client, academy, clock, email="", phone="")
    assert response.status_code == 200
    assert "Give us an e-mail address or a phone number" in response.content.decode()
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_phone_alone_is_enough(client, academy, clock):
    response = _send(client, academy, clock, email="")
    assert response.status_code == 302
    assert str(Enquiry.objects.get().phone) == "+447700900456"  # stored in E.164


@pytest.mark.django_db
def test_privacy_box_must_be_ticked(client, academy, clock):
    data = {**FORM}
    del data["has_read_privacy"]
    token = EnquiryForm.served_token(academy)
    clock.shift(5)
    response = client.post(_public_url(academy), {**data, "served": token})
    assert response.status_code == 200
    assert "Tick the box to say that you have read the privacy notice" in (
        response.content.decode()
    )
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_filled_honeypot_pretends_success_but_stores_nothing(client, academy, clock):
    response = _send(client, academy, clock, website="https://spam.example")
    assert response.status_code == 302
    assert response["Location"] == _thanks_url(academy)
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_form_sent_too_fast_is_refused_kindly(client, academy, clock):
    response = _send(client, academy, clock, wait=1)
    assert response.status_code == 200
    assert "please check them and press" in response.content.decode().lower()
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_refused_form_can_be_sent_again_with_its_fresh_token(client, academy, clock):
    refused = _send(client, academy, clock, wait=1)
    body = refused.content.decode()
    assert 'value="Aisha"' in body
    assert 'value="07700 900456"' in body
    fresh = refused.context["form"]["served"].value()
    assert fresh != refused.wsgi_request.POST["served"]
    clock.shift(10)
    response = client.post(_public_url(academy), {**FORM, "served": fresh})
    assert response.status_code == 302
    assert Enquiry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    [
        "",
        "forged",
        signing.dumps({"academy": 1, "at": 0}, salt="someone-else"),
    ],
)
def test_form_with_a_bad_token_is_refused(client, academy, clock, token):
    response = _send(client, academy, clock, served=token)
    assert response.status_code == 200
    assert "Please check them" in response.content.decode()
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_form_served_more_than_a_day_ago_is_refused(client, academy, clock):
    response = _send(client, academy, clock, wait=24 * 60 * 60 + 1)
    assert response.status_code == 200
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_token_of_another_academy_is_refused(client, academy, other_academy, clock):
    token = EnquiryForm.served_token(other_academy)
    clock.shift(5)
    response = client.post(_public_url(academy), {**FORM, "served": token})
    assert response.status_code == 200
    assert not Enquiry.objects.exists()


@pytest.mark.django_db
def test_people_sharing_one_connection_are_not_turned_away(client, academy, clock):
    """Issue 17: a job centre's or a venue's visitors share one internet connection;
    the sixth person in an hour was turned away with no number to call."""
    statuses = [
        _send(
            client,
            academy,
            clock,
            first_name=f"Visitor {n}",
            email=f"visitor{n}@example.net",
            phone="",
        ).status_code
        for n in range(12)
    ]
    assert statuses == [302] * 12
    assert Enquiry.objects.count() == 12


def _person(n, **changes):
    return {"email": f"person{n}@example.net", "phone": "", **changes}


@pytest.mark.django_db
def test_the_same_person_past_the_hours_allowance_is_given_the_academys_number(
    client, academy, other_academy, settings, clock
):
    settings.PUBLIC_RATE_PER_CONTACT = 3
    academy.public_phone = "01752 123456"
    academy.public_email = "hello@careacademy.example"
    academy.save()
    for n in range(3):  # from three connections: it is the person who is counted
        assert _send(client, academy, clock, ip=f"198.51.100.{n}").status_code == 302
    response = _send(client, academy, clock, ip="198.51.100.9")
    body = response.content.decode()
    assert response.status_code == 429
    assert "try again in an hour" in body
    assert 'href="tel:+441752123456"' in body
    assert "01752 123456" in body
    assert "mailto:hello@careacademy.example" in body
    # The same phone number with another e-mail address is the same person.
    assert _send(client, academy, clock, email="new@example.net").status_code == 429
    assert Enquiry.objects.count() == 3
    # Someone else on that connection, or the person at another academy, is not.
    assert _send(client, academy, clock, **_person(1)).status_code == 302
    assert _send(client, other_academy, clock).status_code == 302


@pytest.mark.django_db
def test_a_flood_from_one_connection_meets_a_far_higher_ceiling(
    client, academy, settings, clock
):
    settings.PUBLIC_RATE_PER_ADDRESS = 4
    statuses = [
        _send(client, academy, clock, **_person(n)).status_code for n in range(5)
    ]
    assert statuses == [302] * 4 + [429]
    assert "you will find the number where you saw our campaign" in (
        _send(client, academy, clock, **_person(9)).content.decode()
    )
    assert (
        _send(client, academy, clock, ip="198.51.100.20", **_person(5)).status_code
        == 302
    )
    assert Enquiry.objects.count() == 5


@pytest.mark.django_db
def test_a_new_x_forwarded_for_each_time_does_not_lift_the_ceiling(
    client, academy, settings, clock
):
    """Issue 12, observation 2: a client that reaches the portal directly (not through
    the deployment's proxy) is counted by its real address, whatever it claims."""
    settings.BEHIND_PROXY = True
    settings.PUBLIC_RATE_PER_ADDRESS = 5
    statuses = []
    for n in range(6):
        token = EnquiryForm.served_token(academy)
        clock.shift(5)
        response = client.post(
            _public_url(academy),
            {**FORM, **_person(n), "served": token},
            REMOTE_ADDR="198.51.100.50",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        statuses.append(response.status_code)
    assert statuses == [302] * 5 + [429]
    assert Enquiry.objects.count() == 5


@pytest.mark.django_db
def test_the_person_may_send_again_an_hour_later(client, academy, settings, clock):
    # LocMem follows the travelling clock; Redis expires keys by its own.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.PUBLIC_RATE_PER_CONTACT = 2
    for _ in range(2):
        _send(client, academy, clock)
    assert _send(client, academy, clock).status_code == 429
    clock.shift(60 * 60)
    assert _send(client, academy, clock).status_code == 302
    assert Enquiry.objects.count() == 3


@pytest.mark.django_db
def test_public_form_and_its_privacy_notice_give_the_academys_contact(client, academy):
    academy.public_phone = "01752 123456"
    academy.public_email = "hello@careacademy.example"
    academy.save()
    body = client.get(_public_url(academy)).content.decode()
    assert "Rather talk to someone? Phone" in body
    notice = body[body.index('id="privacy-notice"') :]
    assert "01752 123456" in notice
    assert "mailto:hello@careacademy.example" in notice


@pytest.mark.django_db
def test_public_form_without_a_contact_offers_none(client, academy):
    body = client.get(_public_url(academy)).content.decode()
    assert "Rather talk to someone?" not in body
    assert "tel:" not in body


@pytest.mark.django_db
def test_refused_forms_do_not_use_up_the_allowance(client, academy, clock):
    for _ in range(6):
        _send(client, academy, clock, email="", phone="")
    assert _send(client, academy, clock).status_code == 302


# The coordinators' queue


@pytest.mark.django_db
def test_queue_shows_own_academy_only_new_oldest_first(
    client_of, coordinator, other_academy, clock
):
    academy = coordinator.academy
    recent = _received(EnquiryFactory(academy=academy, first_name="Recent"), 1)
    oldest = _received(EnquiryFactory(academy=academy, first_name="Oldest"), 9)
    called = _received(
        EnquiryFactory(academy=academy, first_name="Called", status="contacted"), 20
    )
    EnquiryFactory(academy=academy, first_name="Done", status="closed")
    EnquiryFactory(academy=other_academy, first_name="Elsewhere")
    response = client_of(coordinator).get(reverse("participants:enquiry-list"))
    assert response.status_code == 200
    assert [row.enquiry for row in response.context["rows"]] == [oldest, recent, called]
    body = response.content.decode()
    assert "Elsewhere" not in body
    assert "Done" not in body
    assert "waiting 9 days" in body
    assert re.search(r"waiting 1 day\s", body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("new", ["New"]),
        ("contacted", ["Called"]),
        ("converted", ["Joined"]),
        ("closed", ["Done"]),
        # Waiting ones first; then the finished ones, newest first.
        ("all", ["New", "Called", "Done", "Joined"]),
        ("nonsense", ["New", "Called"]),
    ],
)
def test_queue_filters_by_status(client_of, coordinator, status, expected):
    academy = coordinator.academy
    EnquiryFactory(academy=academy, first_name="New")
    EnquiryFactory(academy=academy, first_name="Called", status="contacted")
    EnquiryFactory(academy=academy, first_name="Joined", status="converted")
    EnquiryFactory(academy=academy, first_name="Done", status="closed")
    response = client_of(coordinator).get(
        reverse("participants:enquiry-list"), {"status": status}
    )
    names = [row.enquiry.first_name for row in response.context["rows"]]
    assert names == expected


@pytest.mark.django_db
def test_queue_is_paginated_fifty_a_page(client_of, coordinator):
    EnquiryFactory.create_batch(51, academy=coordinator.academy)
    client = client_of(coordinator)
    url = reverse("participants:enquiry-list")
    assert len(client.get(url).context["rows"]) == 50
    second = client.get(url, {"page": 2})
    assert len(second.context["rows"]) == 1
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.django_db
def test_queue_queries_do_not_grow_with_rows(
    client_of, coordinator, django_assert_max_num_queries
):
    client = client_of(coordinator)
    url = reverse("participants:enquiry-list")
    EnquiryFactory.create_batch(2, academy=coordinator.academy)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    EnquiryFactory.create_batch(28, academy=coordinator.academy, status="contacted")
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["rows"]) == 30


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["provider", "manager"])
def test_providers_and_managers_cannot_open_the_queue(request, client_of, persona):
    membership = request.getfixturevalue(persona)
    enquiry = EnquiryFactory(academy=membership.academy)
    client = client_of(membership)
    assert client.get(reverse("participants:enquiry-list")).status_code == 403
    assert client.get(enquiry.get_absolute_url()).status_code == 403


@pytest.mark.django_db
def test_admin_works_the_queue_too(client_of, admin):
    EnquiryFactory(academy=admin.academy, first_name="Bronwen")
    response = client_of(admin).get(reverse("participants:enquiry-list"))
    assert "Bronwen" in response.content.decode()


# One enquiry


@pytest.mark.django_db
def test_detail_shows_what_they_told_us_and_how_to_register_them(
    client_of, coordinator
):
    enquiry = EnquiryFactory(
        academy=coordinator.academy,
        vacancy_title="Senior carer",
        interest="Nights",
        notes="Rang once.",
    )
    body = client_of(coordinator).get(enquiry.get_absolute_url()).content.decode()
    for text in (enquiry.email, "07700 900123", "PL4 6AB", "Senior carer", "Nights"):
        assert text in body
    assert "Rang once." in body
    register = reverse("participants:register") + f"?enquiry={enquiry.pk}"
    assert f'href="{register}"' in body
    assert reverse("participants:enquiry-contacted", args=[enquiry.pk]) in body
    assert reverse("participants:enquiry-close", args=[enquiry.pk]) in body


@pytest.mark.django_db
def test_converted_enquiry_links_to_its_participant(client_of, coordinator):
    participant = ParticipantFactory(academy=coordinator.academy)
    enquiry = EnquiryFactory(
        academy=coordinator.academy, status="converted", participant=participant
    )
    body = client_of(coordinator).get(enquiry.get_absolute_url()).content.decode()
    assert participant.get_absolute_url() in body
    assert "Register as a participant" not in body


@pytest.mark.django_db
def test_coordinator_marks_an_enquiry_contacted(client_of, coordinator, clock):
    enquiry = EnquiryFactory(academy=coordinator.academy, notes="Came via Facebook.")
    client = client_of(coordinator)
    response = client.post(
        reverse("participants:enquiry-contacted", args=[enquiry.pk]),
        {"note": "Left a voicemail."},
        follow=True,
    )
    assert response.redirect_chain == [(enquiry.get_absolute_url(), 302)]
    assert "is marked as contacted" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.CONTACTED
    assert enquiry.contacted_at == timezone.now()
    assert enquiry.handled_by == coordinator.user
    assert enquiry.notes.startswith("Came via Facebook.\n")
    assert enquiry.notes.endswith(f"{coordinator.user}: Contacted. Left a voicemail.")


@pytest.mark.django_db
def test_closed_enquiry_cannot_be_marked_contacted(client_of, coordinator):
    enquiry = EnquiryFactory(
        academy=coordinator.academy, status="closed", close_reason="spam"
    )
    response = client_of(coordinator).post(
        reverse("participants:enquiry-contacted", args=[enquiry.pk]), {}
    )
    assert response.status_code == 200
    assert "already closed" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.contacted_at is None


@pytest.mark.django_db
def test_coordinator_closes_an_enquiry_with_a_reason(client_of, coordinator):
    enquiry = EnquiryFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:enquiry-close", args=[enquiry.pk]),
        {"close_reason": "out_of_area", "note": "Lives in Cornwall."},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("participants:enquiry-list"), 302)]
    assert f"The enquiry from {enquiry} is closed." in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.CLOSED
    assert enquiry.close_reason == Enquiry.CloseReason.OUT_OF_AREA
    assert enquiry.handled_by == coordinator.user
    assert "Closed: Outside the academy's area. Lives in Cornwall." in enquiry.notes


@pytest.mark.django_db
def test_closing_without_a_reason_is_refused(client_of, coordinator):
    enquiry = EnquiryFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:enquiry-close", args=[enquiry.pk]), {"note": "Hmm"}
    )
    assert response.status_code == 200
    assert "Choose why you are closing this enquiry." in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.NEW


@pytest.mark.django_db
def test_converted_enquiry_cannot_be_closed(client_of, coordinator):
    participant = ParticipantFactory(academy=coordinator.academy)
    enquiry = EnquiryFactory(
        academy=coordinator.academy, status="converted", participant=participant
    )
    response = client_of(coordinator).post(
        reverse("participants:enquiry-close", args=[enquiry.pk]),
        {"close_reason": "duplicate"},
    )
    assert response.status_code == 200
    assert "already registered as a participant" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.CONVERTED
    assert enquiry.close_reason == ""


@pytest.mark.django_db
def test_another_academys_enquiry_is_404(client_of, coordinator, other_academy):
    enquiry = EnquiryFactory(academy=other_academy)
    client = client_of(coordinator)
    detail = enquiry.get_absolute_url()
    contacted = reverse("participants:enquiry-contacted", args=[enquiry.pk])
    close = reverse("participants:enquiry-close", args=[enquiry.pk])
    assert client.get(detail).status_code == 404
    assert client.post(detail).status_code == 404
    assert client.post(contacted, {"note": "x"}).status_code == 404
    assert client.post(close, {"close_reason": "spam"}).status_code == 404
    # The POST-only pages refuse GET for every enquiry alike, revealing nothing.
    assert client.get(contacted).status_code == 405
    assert client.get(close).status_code == 405
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.NEW


# Retention


@pytest.mark.django_db
def test_enquiries_past_retention_are_deleted_unless_registered(academy, clock):
    kept = _received(EnquiryFactory(academy=academy), 364)
    expired = _received(EnquiryFactory(academy=academy), 366)
    registered = _received(
        EnquiryFactory(
            academy=academy,
            status="converted",
            participant=ParticipantFactory(academy=academy),
        ),
        400,
    )
    assert services.enquiries_delete_expired() == 1
    remaining = set(Enquiry.objects.values_list("pk", flat=True))
    assert remaining == {kept.pk, registered.pk}
    assert expired.pk not in remaining
