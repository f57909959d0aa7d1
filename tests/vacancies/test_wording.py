"""Wording slips found by trying the portal (issue 15): no negative ages, referral
moves that read naturally, capitalised months and stages, one message for posts, and
no shortage badge on a vacancy that is not open."""

import datetime as dt
import re
from dataclasses import dataclass
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from participants.selectors.evidence import age_on
from reporting.periods import Period
from tests.participants.test_people import REGISTER
from tests.vacancies.factories import VacancyFactory
from tests.vacancies.pages import matches_url
from vacancies import services
from vacancies.forms import VacancyForm
from vacancies.hooks import referral_timeline
from vacancies.models import Referral, Vacancy


def text_of(html):
    """The words a person reads: tags dropped, spaces folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.django_db
def test_a_future_date_of_birth_is_refused_without_a_negative_age(
    client_of, coordinator
):
    born = timezone.localdate() + dt.timedelta(days=4 * 366)
    response = client_of(coordinator).post(
        reverse("participants:register"),
        {**REGISTER, "date_of_birth": born.isoformat()},
    )
    page = text_of(response.content.decode())
    assert "The date of birth cannot be in the future." in page
    assert "years old" not in page
    assert not Participant.objects.exists()


def test_an_age_is_never_negative():
    today = dt.date(2026, 11, 1)
    assert age_on(dt.date(2030, 1, 1), today) is None
    assert age_on(dt.date(2026, 11, 1), today) == 0
    assert age_on(dt.date(1990, 11, 2), today) == 35


@pytest.mark.django_db
def test_the_timeline_says_a_referral_was_made_and_names_stages_in_capitals(
    coordinator, person, vacancy
):
    person.has_consent_to_share = True
    person.save()
    referral = services.referral_create(
        participant=person, vacancy=vacancy, by=coordinator.user
    )
    services.referral_advance(
        referral=referral, to=Referral.Stage.OFFERED, by=coordinator.user
    )
    titles = [entry.title for entry in referral_timeline(person)]
    assert "Referral made: Home carer, Plympton" in titles
    assert "Job offered: Home carer, Plympton" in titles
    assert not any(
        t.startswith(("Referral referred", "Referral offered")) for t in titles
    )


@pytest.mark.django_db
def test_a_match_already_referred_names_its_stage_naturally(
    client_of, coordinator, referral
):
    referral.stage = Referral.Stage.INTERVIEW
    referral.save()
    page = client_of(coordinator).get(matches_url(referral.participant))
    words = text_of(page.content.decode())
    assert "Already referred: Interview arranged" not in words
    assert "Already referred. Stage: Interview arranged" in words


def test_the_impact_heading_keeps_the_month_capitalised():
    @dataclass
    class Panel:
        context: dict

    period = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 20), "November 2026 so far")
    html = render_to_string(
        "reporting/_home_headlines.html",
        {"panel": Panel({"period": period, "figures": []})},
    )
    assert "Impact: November 2026 so far" in text_of(html)
    assert "november" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("posts", ["0", "-1"])
def test_posts_give_one_message(coordinator, posts):
    form = VacancyForm(data={"posts": posts}, membership=coordinator)
    assert form.errors["posts"] == ["Enter 1 or more posts."]
    assert form.fields["posts"].widget.attrs["min"] == 1


@pytest.mark.django_db
def test_the_model_gives_the_same_posts_message(academy):
    vacancy = VacancyFactory.build(academy=academy, posts=0)
    vacancy.organisation.save()
    vacancy.organisation_id = vacancy.organisation.pk
    with pytest.raises(ValidationError) as refused:
        vacancy.full_clean()
    assert refused.value.message_dict["posts"] == ["Enter 1 or more posts."]


@pytest.mark.parametrize(
    ("status", "days_left", "shows"),
    [
        ("open", 3, True),
        ("open", 0, True),
        ("open", -1, False),
        ("paused", 3, False),
        ("closed", 3, False),
    ],
)
def test_only_an_open_vacancy_shows_a_shortage(status, days_left, shows):
    closing_on = timezone.localdate() + dt.timedelta(days=days_left)
    vacancy = Vacancy(is_critical_shortage=True, status=status, closing_on=closing_on)
    assert vacancy.shows_shortage is shows
    vacancy.is_critical_shortage = False
    assert vacancy.shows_shortage is False


@pytest.mark.django_db
def test_a_closed_vacancy_keeps_no_shortage_badge_on_staff_pages(
    client_of, coordinator, provider
):
    closed = VacancyFactory(
        academy=coordinator.academy,
        organisation=provider.organisation,
        is_critical_shortage=True,
        status="closed",
    )
    expired = VacancyFactory(
        academy=coordinator.academy,
        organisation=provider.organisation,
        is_critical_shortage=True,
        closing_on=timezone.localdate() - dt.timedelta(days=1),
    )
    staff = client_of(coordinator)
    pages = [
        staff.get(reverse("vacancies:list"), {"status": "all"}),
        staff.get(reverse("vacancies:detail", args=[closed.pk])),
        staff.get(reverse("vacancies:detail", args=[expired.pk])),
        staff.get(reverse("vacancies:matches", args=[closed.pk])),
        client_of(provider).get(reverse("home")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert "Critical shortage</span>" not in response.content.decode()
    live = VacancyFactory(academy=coordinator.academy, is_critical_shortage=True)
    detail = staff.get(reverse("vacancies:detail", args=[live.pk]))
    assert "Critical shortage</span>" in detail.content.decode()
