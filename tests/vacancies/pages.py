"""What the vacancy, training and referral page tests share: form data and URLs."""

import datetime as dt

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

TODAY = timezone.localdate


def _in(days):
    return (TODAY() + dt.timedelta(days=days)).isoformat()


def vacancy_data(**changes):
    data = {
        "title": "Home care worker",
        "role": "care_worker",
        "setting": "domiciliary",
        "contract": "permanent",
        "posts": "2",
        "hours_per_week": "30",
        "works_days": "on",
        "works_weekends": "on",
        "pay_unit": "hourly",
        "pay_min": "12.80",
        "pay_max": "13.00",
        "postcode": "pl4 6ab",
        "closing_on": _in(20),
        "dbs_level": "enhanced",
        "qualifications": "",
        "experience": "None needed: full training given.",
        "description": "Visiting older people in their homes.",
        "benefits": "Paid mileage",
        "how_to_apply": "We call you for a chat.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def training_data(**changes):
    data = {
        "kind": "course",
        "title": "Care Certificate",
        "role": "care_worker",
        "description": "Twelve weeks, one day a week.",
        "starts_on": _in(10),
        "ends_on": _in(90),
        "places": "12",
        "location": "Training room",
        "postcode": "PL1 2AA",
        "is_open": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


CREATE = reverse("vacancies:referral-create")


def advance_url(referral):
    return reverse("vacancies:referral-advance", args=[referral.pk])


def detail_url(referral):
    return reverse("vacancies:referral-detail", args=[referral.pk])


def matches_url(participant):
    return reverse("vacancies:participant-matches", args=[participant.pk])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def today():
    return timezone.localdate()


def interview_fields(days=3, time="10:30", how="in_person", place="Oak House"):
    """The interview fields of the move form: by default, in three days' time."""
    return {
        "interview_on": _in(days),
        "interview_time": time,
        "interview_how": how,
        "interview_place": place,
    }


def move(client, referral, to, extra=None):
    """Post the move form; an interview is given a date, time and place unless the
    test gives its own."""
    data = {"to": to, "on": today().isoformat()}
    if to == "interview":
        data.update(interview_fields())
    data.update(extra or {})
    return client.post(advance_url(referral), data)
