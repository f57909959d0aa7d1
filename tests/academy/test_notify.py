"""The notification service: a message goes after the transaction commits (never
when it rolls back), only to someone who agreed and can be reached, with its text,
optional HTML and attachments; a failure to send is logged without the address."""

import logging

import pytest
from django.core import mail
from django.db import transaction

from academy import notify
from academy.notify import Attachment, Channel, Recipient

pytestmark = pytest.mark.django_db

AISHA = Recipient(name="Aisha Khan", email="aisha@example.net")


@pytest.fixture
def templates(settings, tmp_path):
    """A message's templates in a directory of the test's own."""
    folder = tmp_path / "emails"
    folder.mkdir()
    (folder / "hello_subject.txt").write_text("Hello   {{ recipient.name }}\n")
    (folder / "hello_body.txt").write_text(
        "{% autoescape off %}Dear {{ recipient.name }}, {{ what }}.{% endautoescape %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return folder


def test_a_message_goes_once_the_transaction_commits(
    templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        channel = notify.notify(to=AISHA, template="hello", context={"what": "hi"})
        assert mail.outbox == []  # not before the commit
    assert channel == Channel.EMAIL
    assert len(callbacks) == 1
    callbacks[0]()
    [message] = mail.outbox
    assert message.to == ["aisha@example.net"]
    assert message.subject == "Hello Aisha Khan"  # one line, spaces collapsed
    assert message.body == "Dear Aisha Khan, hi."
    assert message.alternatives == []


def test_nothing_goes_when_the_transaction_rolls_back(
    templates, django_capture_on_commit_callbacks
):
    def sign_up_that_fails():
        with transaction.atomic():
            notify.notify(to=AISHA, template="hello", context={"what": "hi"})
            raise RuntimeError("the sign-up failed")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        sign_up_that_fails()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "recipient",
    [
        Recipient(name="Did not agree", email="no@example.net", has_agreed=False),
        Recipient(name="No address", phone="+447700900123"),
        Recipient(name="Nothing at all"),
    ],
)
def test_no_message_to_someone_who_did_not_agree_or_cannot_be_reached(
    templates, django_capture_on_commit_callbacks, recipient
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notify.notify(to=recipient, template="hello", context={}) is None
    assert callbacks == []
    assert mail.outbox == []


def test_html_body_attachments_and_reply_to(
    templates, django_capture_on_commit_callbacks
):
    (templates / "hello_body.html").write_text("<p>Dear {{ recipient.name }}</p>")
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify(
            to=AISHA,
            template="hello",
            context={"what": "see the file"},
            attachments=[Attachment("event.ics", "BEGIN:VCALENDAR", "text/calendar")],
            reply_to=["hello@academy.example", ""],
        )
    [message] = mail.outbox
    assert message.alternatives[0][0] == "<p>Dear Aisha Khan</p>"
    assert message.alternatives[0][1] == "text/html"
    assert message.attachments[0][0] == "event.ics"
    assert message.attachments[0][2] == "text/calendar"
    assert message.reply_to == ["hello@academy.example"]


def test_a_bad_template_fails_the_caller_at_once(templates):
    with pytest.raises(Exception, match="missing_subject"):
        notify.notify(to=AISHA, template="missing", context={})


class RefusingBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp for aisha@example.net refused")


def test_a_failure_to_send_is_logged_without_the_address(
    templates, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with (
        caplog.at_level(logging.INFO),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify.notify(to=AISHA, template="hello", context={"what": "hi"})
    assert "Message hello by email not sent: ConnectionRefusedError" in caplog.text
    assert "aisha" not in caplog.text


def test_link_is_absolute(settings):
    settings.SITE_URL = "https://portal.example/"
    assert notify.link("/events/x/") == "https://portal.example/events/x/"
