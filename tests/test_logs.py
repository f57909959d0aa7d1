"""No personal data, special-category data or secret reaches the application's logs
(spec/security.md LOG-5): a person's journey through the portal with sentinel values in
every field, sign-in failures up to a lockout, a public sign-up and a broken import,
with every log record of every logger captured at DEBUG and searched for them."""

import datetime as dt
import logging

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from academy.audit import SignInEvent
from participants.forms import EnquiryForm
from participants.models import Participant
from tests.academy.factories import PASSWORD
from tests.participants.test_people import REGISTER

SENTINELS = {
    "first_name": "Qzfirst",
    "last_name": "Qzlast",
    "email": "qzmail@sentinel.example",
    "phone": "07700 900987",
    "notes": "QZ-MENTAL-HEALTH-NOTE",
    "password": "qz-wrong-password-77",
    "sign_in": "qzstaff@sentinel.example",
}


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("factory"):  # the test's own factories
            return
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text}")


@pytest.fixture
def captured():
    handler = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # Everything the portal's own loggers say, at the most talkative LOG_LEVEL; the
    # loggers settings.LOGGING holds at INFO or above keep their levels.
    loggers = [logging.getLogger(n) for n in ("academy", "participants", "vacancies")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@pytest.mark.django_db
def test_a_journey_with_sentinels_leaves_none_in_the_logs(
    captured, client, client_of, academy, coordinator, settings
):
    # Sign-in failures to a lockout, for an account that exists and one that does not.
    for username in (coordinator.user.email, SENTINELS["sign_in"]):
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            client.post(
                reverse("login"),
                {"username": username, "password": SENTINELS["password"]},
            )
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.LOCKED_OUT).exists()

    staff = client_of(coordinator)
    # Register, open, edit, note, export and search for the person.
    registered = staff.post(
        reverse("participants:register"),
        {
            **REGISTER,
            "first_name": SENTINELS["first_name"],
            "last_name": SENTINELS["last_name"],
            "email": SENTINELS["email"],
            "phone": SENTINELS["phone"],
        },
    )
    assert registered.status_code == 302
    person = Participant.objects.get(last_name=SENTINELS["last_name"])
    staff.get(reverse("participants:detail", args=[person.pk]))
    staff.post(
        reverse("participants:meeting-add", args=[person.pk]),
        {
            "held_at": "2024-02-02T10:00",
            "kind": "in_person",
            "notes": SENTINELS["notes"],
        },
    )
    staff.post(reverse("participants:list"), {"q": SENTINELS["last_name"]})
    export = staff.get(reverse("participants:export"))
    b"".join(export.streaming_content)
    # A bad edit (an e-mail that is not one) and a page that is not there.
    staff.post(
        reverse("participants:edit", args=[person.pk]),
        {"first_name": SENTINELS["first_name"], "email": "not an e-mail"},
    )
    staff.get(reverse("participants:detail", args=[person.pk + 1000]))

    # A public sign-up, and an import whose rows are refused.
    with time_machine.travel(dt.datetime(2025, 3, 10, 9, 30, tzinfo=dt.UTC)) as clock:
        token = EnquiryForm.served_token(academy)
        clock.shift(5)
        client.post(
            reverse("participants:enquiry-public", args=[academy.slug]),
            {
                "first_name": SENTINELS["first_name"],
                "last_name": SENTINELS["last_name"],
                "email": SENTINELS["email"],
                "phone": SENTINELS["phone"],
                "postcode": "pl4 6ab",
                "interest": SENTINELS["notes"],
                "has_read_privacy": "on",
                "served": token,
            },
        )
    bad_csv = (
        "reference,first_name,last_name,date_of_birth,email\n"
        f"X1,{SENTINELS['first_name']},{SENTINELS['last_name']},31/31/1980,"
        f"{SENTINELS['email']}\n"
    )
    staff.post(
        reverse("participants:import-upload"),
        {
            "kind": "participants",
            "file": SimpleUploadedFile("people.csv", bad_csv.encode(), "text/csv"),
        },
    )

    assert captured.lines, "the capture must have seen the portal's log records"
    leaks = [
        (name, line)
        for line in captured.lines
        for name, value in SENTINELS.items()
        if value.lower() in line.lower()
        or (name == "sign_in" and coordinator.user.email.lower() in line.lower())
    ]
    assert not leaks, leaks
    assert PASSWORD not in "\n".join(captured.lines)
