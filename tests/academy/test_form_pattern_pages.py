"""The one form pattern on every page (issue 15, after the error summary came in): each
error is said once in the summary at the top and, for a field, once beside it; pages
that drew their own red box as well now show the summary only ("Nothing was saved"
stays as its lead, said once); forms laid out by hand get the summary too; the sign-in
and password forms leave the checking to the summary, not the browser."""

import datetime as dt
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from participants.models import Enquiry
from reporting.funders.services import funder_returns_install
from reporting.models import FunderReturn
from tests.participants.factories import EnquiryFactory, ParticipantFactory
from tests.participants.test_forms_pattern import read
from tests.vacancies.factories import ReferralFactory, VacancyFactory

GOOD_SETTINGS = {
    "name": "Home Care Academy",
    "region": "South West",
    "area_code": "E06000026",
    "launched_on": "2023-11-01",
    "public_phone": "",
    "public_email": "",
}


def said(response, message: str) -> tuple[int, int]:
    """How often a message is on the page, and how often inside its error summary."""
    html = response.content.decode()
    return html.count(message), read(response).summary_text.count(message)


def summaries(response) -> int:
    return len(read(response).summaries)


@pytest.fixture
def launched(academy):
    academy.launched_on = dt.date(2022, 4, 1)
    academy.save()
    return academy


# Pages that drew their own error box beside the summary said each error twice.


@pytest.mark.django_db
def test_a_pdf_period_starting_in_the_future_is_said_once_in_the_summary(
    client_of, manager, launched
):
    soon = timezone.localdate() + dt.timedelta(days=5)
    response = client_of(manager).post(
        reverse("reporting:run-request"),
        {"period": "custom", "start": soon.isoformat(), "end": soon.isoformat()},
    )
    assert response.status_code == 200
    assert said(response, "The period starts in the future.") == (1, 1)
    assert summaries(response) == 1


@pytest.mark.django_db
def test_settings_say_nothing_was_saved_once_as_the_summarys_lead(client_of, admin):
    response = client_of(admin).post(
        reverse("academy:settings"), {**GOOD_SETTINGS, "region": "Narnia"}
    )
    assert response.status_code == 200
    assert said(response, "Nothing was saved") == (1, 1)
    assert summaries(response) == 1
    page = read(response)
    assert page.summary_links == ["#id_region"]


@pytest.mark.django_db
def test_a_finished_referral_moved_again_says_why_in_a_summary(client_of, coordinator):
    person = ParticipantFactory(academy=coordinator.academy)
    referral = ReferralFactory(
        participant=person,
        vacancy=VacancyFactory(academy=coordinator.academy),
        stage="withdrawn",
    )
    response = client_of(coordinator).post(
        reverse("vacancies:referral-advance", args=[referral.pk]),
        {"to": "offered", "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    page = read(response)
    assert len(page.summaries) == 1
    assert "There is a problem" in page.summary_text
    assert 'class="alert alert-danger" role="alert"' not in response.content.decode()


@pytest.mark.django_db
def test_an_interview_without_a_time_is_said_in_the_summary_and_beside_the_field(
    client_of, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy)
    referral = ReferralFactory(
        participant=person, vacancy=VacancyFactory(academy=coordinator.academy)
    )
    day = timezone.localdate() + dt.timedelta(days=3)
    response = client_of(coordinator).post(
        reverse("vacancies:referral-advance", args=[referral.pk]),
        {
            "to": "interview",
            "on": timezone.localdate().isoformat(),
            "interview_on": day,
        },
    )
    assert response.status_code == 200
    assert said(response, "Give the time of the interview.") == (2, 1)
    assert summaries(response) == 1


@pytest.mark.django_db
def test_contacting_a_closed_enquiry_is_refused_in_one_summary(client_of, coordinator):
    enquiry = EnquiryFactory(
        academy=coordinator.academy,
        status=Enquiry.Status.CLOSED,
        close_reason=Enquiry.CloseReason.NOT_INTERESTED,
    )
    response = client_of(coordinator).post(
        reverse("participants:enquiry-contacted", args=[enquiry.pk]), {"note": "Rang"}
    )
    assert response.status_code == 200
    page = read(response)
    assert len(page.summaries) == 1
    assert page.summary_text.count("There is a problem") == 1
    assert 'class="alert alert-danger"' not in response.content.decode()


# Forms laid out by hand had their errors beside the fields and no summary.


@pytest.mark.django_db
def test_the_impact_page_summarises_a_bad_period(client_of, manager, launched):
    response = client_of(manager).get(
        reverse("reporting:impact"),
        {"period": "custom", "start": "2024-06-30", "end": "2024-04-01"},
    )
    assert response.status_code == 200
    page = read(response)
    assert len(page.summaries) == 1
    assert page.summary_links == ["#id_end"]
    assert said(response, "The last day must be on or after the first.") == (2, 1)
    assert page.title.startswith("Error: ")


@pytest.mark.django_db
def test_the_impact_page_summarises_an_error_about_the_whole_period(
    client_of, manager, launched
):
    soon = timezone.localdate() + dt.timedelta(days=5)
    response = client_of(manager).get(
        reverse("reporting:impact"),
        {"period": "custom", "start": soon.isoformat(), "end": soon.isoformat()},
    )
    assert said(response, "The period starts in the future.") == (1, 1)
    assert summaries(response) == 1


@pytest.mark.django_db
def test_bad_targets_are_summarised_once_with_nothing_was_saved_as_lead(
    client_of, manager, launched
):
    year = launched.launched_on.year + 2
    response = client_of(manager).post(
        f"{reverse('reporting:targets')}?year={year}",
        {"year": year, "action_plan_people": "-3", "support_people": "310"},
    )
    assert response.status_code == 200
    assert said(response, "Nothing was saved") == (1, 1)
    assert said(response, "A target cannot be negative") == (2, 1)
    page = read(response)
    assert len(page.summaries) == 1
    assert page.summary_links == ["#id_action_plan_people"]


@pytest.mark.django_db
def test_a_targets_year_not_in_the_list_is_summarised(client_of, manager, launched):
    response = client_of(manager).get(reverse("reporting:targets"), {"year": "1999"})
    assert response.status_code == 200
    page = read(response)
    assert len(page.summaries) == 1
    assert page.summary_links == ["#id_choose_year"]  # the chooser, not the hidden year
    body = response.content.decode()
    assert body.count('id="id_choose_year"') == 1
    assert body.count('id="id_year"') == 1
    assert said(response, "Choose a financial year from the list.")[1] == 1


@pytest.mark.django_db
def test_a_funder_returns_year_not_in_the_list_is_summarised(
    client_of, manager, academy
):
    funder_returns_install(academy)
    funder_return = FunderReturn.objects.filter(academy=academy).first()
    response = client_of(manager).get(
        reverse("reporting:funder-return", args=[funder_return.pk]), {"year": "1999"}
    )
    assert response.status_code == 200
    page = read(response)
    assert len(page.summaries) == 1
    assert page.summary_links == ["#id_year"]
    assert said(response, "Choose a financial year from the list.") == (2, 1)


# Sign-in and password forms: the summary explains, no browser pop-ups.


def _post_forms(html: str) -> list[str]:
    """The page's own POST forms (not the menu's sign-out and academy switch)."""
    menu = (reverse("logout"), reverse("academy:switch"))
    forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>", html)
    return [form for form in forms if not any(url in form for url in menu)]


@pytest.mark.django_db
def test_sign_in_and_password_forms_leave_checking_to_the_summary(
    client, client_of, coordinator
):
    user = coordinator.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    confirm = client.get(
        reverse("password_reset_confirm", args=[uid, token]), follow=True
    )
    pages = {
        "sign in": client.get(reverse("login")),
        "reset": client.get(reverse("password_reset")),
        "confirm": confirm,
        "change": client_of(coordinator).get(reverse("password_change")),
    }
    for name, response in pages.items():
        forms = _post_forms(response.content.decode())
        assert forms, name
        assert all("novalidate" in form for form in forms), name


@pytest.mark.django_db
def test_a_wrong_password_is_said_once_in_the_summary(client, coordinator):
    response = client.post(
        reverse("login"), {"username": coordinator.user.email, "password": "wrong-1"}
    )
    page = read(response)
    assert len(page.summaries) == 1
    message = page.summary_text.split("There is a problem", 1)[1].strip()
    assert message
    assert response.content.decode().count(message) == 1
