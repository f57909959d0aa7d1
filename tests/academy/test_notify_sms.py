"""Text messages through GOV.UK Notify, against a fake Notify on loopback (the real
client, pointed at it): the request we send, how Notify's error answers are handled,
delivery receipts, STOP replies and the e-mail's opt-out link."""

import jwt
import pytest
from django.core import signing
from django.urls import reverse

from academy.models import Message
from academy.notify import Channel, Recipient, notify, opt_out_hooks
from tests.fake_notify import SERVICE_ID
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

TEXTER = Recipient(
    name="Aisha", phone="07700 900123", prefers=Channel.SMS, email="a@example.net"
)


@pytest.fixture
def templates(settings, tmp_path):
    (tmp_path / "emails").mkdir()
    (tmp_path / "sms").mkdir()
    (tmp_path / "emails" / "hello_subject.txt").write_text("Hello")
    (tmp_path / "emails" / "hello_body.txt").write_text("Dear {{ recipient.name }}")
    (tmp_path / "sms" / "hello.txt").write_text(
        "Hi {{ recipient.name }}, see you {{ when }}.\n\n"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


def _text(academy, key="t:1", participant=None):
    return notify(
        to=TEXTER,
        template="hello",
        context={"when": "Tuesday at 10:00"},
        academy=academy,
        key=key,
        participant=participant,
    )


def test_a_text_is_sent_to_notify_in_e164_with_the_template_and_words(
    templates, academy, fake_notify, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _text(academy) == Channel.SMS
    [sent] = fake_notify.sms
    assert sent["phone_number"] == "+447700900123"
    assert sent["template_id"] == "f33517ff-2a88-4f6e-b855-c550268ce08a"
    assert sent["personalisation"]["body"] == "Hi Aisha, see you Tuesday at 10:00."
    assert sent["reference"] == "t:1"
    # The client signs a JWT with the key's secret, issued by the service id.
    scheme, token = fake_notify.headers[0].split(" ")
    assert scheme == "Bearer"
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == SERVICE_ID
    row = Message.objects.get()
    assert row.status == Message.Status.SENT
    assert row.provider_id
    assert row.channel == "sms"


STAFF_ONLY = {
    "when": "Tuesday at 10:00",
    "referral_url": "http://127.0.0.1:8000/referrals/5/",
    "referral_id": 5,
    "coordinator": "Cara Coleman",
}


def test_the_generic_template_gets_only_the_words(
    templates, academy, fake_notify, django_capture_on_commit_callbacks
):
    """Tour finding 6: the personalisation carried the whole context (a staff page's
    address, ids) though Notify's generic template needs only ((body))."""
    with django_capture_on_commit_callbacks(execute=True):
        notify(to=TEXTER, template="hello", context=STAFF_ONLY, academy=academy)
    [sent] = fake_notify.sms
    assert sent["personalisation"] == {"body": "Hi Aisha, see you Tuesday at 10:00."}


def test_a_template_of_its_own_gets_the_words_and_the_values_the_text_uses(
    templates, academy, fake_notify, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SMS_TEMPLATES = {"hello": "0b1d3c9e-5d0a-4c49-9bd5-2f0d6b1c7a11"}
    with django_capture_on_commit_callbacks(execute=True):
        notify(to=TEXTER, template="hello", context=STAFF_ONLY, academy=academy)
    [sent] = fake_notify.sms
    assert sent["template_id"] == "0b1d3c9e-5d0a-4c49-9bd5-2f0d6b1c7a11"
    assert sent["personalisation"] == {
        "body": "Hi Aisha, see you Tuesday at 10:00.",
        "when": "Tuesday at 10:00",
    }


def test_a_text_queued_with_more_is_sent_to_the_generic_template_with_only_words(
    templates, academy, fake_notify, django_capture_on_commit_callbacks
):
    """A message logged before this change (its extra holds the whole context)."""
    import json

    with django_capture_on_commit_callbacks(execute=False) as queued:
        notify(to=TEXTER, template="hello", context=STAFF_ONLY, academy=academy)
    Message.objects.update(
        extra=json.dumps({"personalisation": {"body": "Hi", "referral_id": "5"}})
    )
    for callback in queued:
        callback()
    [sent] = fake_notify.sms
    assert sent["personalisation"] == {"body": "Hi Aisha, see you Tuesday at 10:00."}


def test_the_same_key_twice_is_one_request(
    templates, academy, fake_notify, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _text(academy)
        _text(academy)
    assert len(fake_notify.sms) == 1


def test_an_invalid_number_is_a_permanent_failure_not_tried_again(
    templates, academy, fake_notify, django_capture_on_commit_callbacks
):
    fake_notify.always = 400
    with django_capture_on_commit_callbacks(execute=True):
        _text(academy)
    assert len(fake_notify.sms) == 1
    row = Message.objects.get()
    assert row.status == Message.Status.PERMANENT_FAILURE
    assert row.last_error == (
        "Notify 400: ValidationError phone_number Not a UK mobile number"
    )
    assert row.body == ""


@pytest.mark.parametrize("status", [429, 500])
def test_rate_limit_and_server_errors_are_tried_again_then_sent(
    templates, academy, fake_notify, caplog, status, django_capture_on_commit_callbacks
):
    fake_notify.failures = [status, status]
    with django_capture_on_commit_callbacks(execute=True):
        _text(academy)
    assert len(fake_notify.sms) == 3
    row = Message.objects.get()
    assert row.status == Message.Status.SENT
    assert row.attempts == 3
    assert "trying again in 60s" in caplog.text
    assert "trying again in 120s" in caplog.text
    assert "900123" not in caplog.text


def test_without_a_key_texts_are_printed_to_the_log(
    templates, academy, settings, caplog, django_capture_on_commit_callbacks
):
    settings.NOTIFY_API_KEY = ""
    with django_capture_on_commit_callbacks(execute=True):
        _text(academy)
    assert "Hi Aisha, see you Tuesday at 10:00." in caplog.text
    assert Message.objects.get().status == Message.Status.SENT


CALLBACK_TOKEN = "callback-token-for-tests"


def _post(client, name, data, token=CALLBACK_TOKEN, raw=None):
    import json

    return client.post(
        reverse(name),
        data=raw if raw is not None else json.dumps(data),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )


def test_a_delivery_receipt_records_the_state(
    templates, academy, fake_notify, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _text(academy)
    row = Message.objects.get()
    answer = _post(
        client,
        "notify-delivery-receipt",
        {"id": row.provider_id, "reference": "t:1", "status": "delivered"},
    )
    assert answer.status_code == 200
    row.refresh_from_db()
    assert row.status == Message.Status.DELIVERED
    _post(
        client,
        "notify-delivery-receipt",
        {"id": row.provider_id, "status": "permanent-failure"},
    )
    row.refresh_from_db()
    assert row.status == Message.Status.PERMANENT_FAILURE
    assert row.last_error == "Notify: permanent-failure"


def test_delivery_receipts_refuse_a_wrong_token_and_bad_json(client, fake_notify):
    body = {"id": "x", "status": "delivered"}
    assert _post(client, "notify-delivery-receipt", body, "wrong").status_code == 401
    assert _post(client, "notify-delivery-receipt", body, token="").status_code == 401
    bad = _post(client, "notify-delivery-receipt", None, raw="{not json")
    assert bad.status_code == 400
    unknown = _post(client, "notify-delivery-receipt", body)
    assert unknown.status_code == 200
    assert unknown.json() == {"recorded": False}


@pytest.fixture
def opted_out():
    """What the opt-out hooks were given (participants' handler is tested there)."""
    seen = []

    def hook(opt_out):
        seen.append(opt_out)
        return 1

    opt_out_hooks.register(hook)
    yield seen
    opt_out_hooks._items.remove(hook)


@pytest.mark.parametrize("reply", ["STOP", " stop ", "Stop all", "UNSUBSCRIBE"])
def test_a_stop_reply_opts_the_number_out_with_the_academies_that_texted_it(
    templates,
    academy,
    other_academy,
    fake_notify,
    client,
    opted_out,
    reply,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _text(academy)
    answer = _post(
        client,
        "notify-received-text",
        {"source_number": "447700900123", "message": reply},
    )
    assert answer.status_code == 200
    [opt_out] = opted_out
    assert opt_out.phone == "+447700900123"
    assert opt_out.academy_ids == (academy.pk,)
    assert opt_out.how == "replied STOP to a text message"


def test_other_replies_and_unknown_numbers_opt_nobody_out(
    templates,
    academy,
    fake_notify,
    client,
    opted_out,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _text(academy)
    _post(
        client,
        "notify-received-text",
        {"source_number": "447700900123", "message": "stop by at 3?"},
    )
    _post(
        client,
        "notify-received-text",
        {"source_number": "447700900999", "message": "STOP"},
    )
    assert opted_out == []
    assert _post(client, "notify-received-text", {}, "wrong").status_code == 401


def test_the_opt_out_link_asks_then_records(
    academy, client, opted_out, mailoutbox, django_capture_on_commit_callbacks
):
    person = ParticipantFactory(academy=academy)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            to=Recipient(name="Aisha", email="a@example.net"),
            template="notices_digest",
            context={"notices": []},
            academy=academy,
            participant=person,
            key="p:9",
        )
    url = mailoutbox[0].body.split("open this link: ")[1].split()[0]
    page = client.get(url)
    assert page.status_code == 200
    assert f"Stop reminders from {academy.name}?" in page.content.decode()
    assert opted_out == []
    done = client.post(url)
    assert "Done: no more reminders" in done.content.decode()
    [opt_out] = opted_out
    assert opt_out.participant_id == person.pk
    assert opt_out.academy_ids == (academy.pk,)


def test_a_tampered_or_old_opt_out_link_says_so(client, settings):
    tampered = reverse("message-opt-out", args=["not-a-real-token"])
    page = client.get(tampered)
    assert page.status_code == 400
    assert "This link does not work" in page.content.decode()
    settings.NOTIFY_OPT_OUT_DAYS = -1
    token = signing.dumps("p:9", salt="academy.notify.opt-out", compress=True)
    old = client.get(reverse("message-opt-out", args=[token]))
    assert old.status_code == 400


def test_stop_sets_the_persons_contact_preference_to_none(
    templates, academy, fake_notify, client, django_capture_on_commit_callbacks
):
    from participants.services.casework.contact import participant_recipient

    person = ParticipantFactory(
        academy=academy, phone="+447700900123", contact_by="sms"
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            to=participant_recipient(person),
            template="hello",
            context={"when": "soon"},
            academy=academy,
            participant=person,
        )
    assert len(fake_notify.sms) == 1
    _post(
        client,
        "notify-received-text",
        {"source_number": "+447700900123", "message": "STOP"},
    )
    person.refresh_from_db()
    assert person.contact_by == "none"


def test_messages_to_a_person_are_on_their_timeline_with_their_state(
    templates,
    academy,
    coordinator,
    client_of,
    fake_notify,
    django_capture_on_commit_callbacks,
):
    from participants.selectors.timeline import participant_timeline
    from participants.services.casework.contact import participant_recipient

    person = ParticipantFactory(
        academy=academy, phone="+447700900123", contact_by="sms"
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            to=participant_recipient(person),
            template="hello",
            context={"when": "Tuesday"},
            academy=academy,
            participant=person,
        )
    [entry] = [
        e for e in participant_timeline(participant=person) if e.kind == "message"
    ]
    assert entry.title == "Text message: Hi " + person.first_name + ", see you Tuesday."
    assert entry.detail.startswith("Sent ")
    page = client_of(coordinator).get(reverse("participants:detail", args=[person.pk]))
    assert "Text message: Hi" in page.content.decode()


def test_a_template_of_its_own_also_gets_the_values_of_what_its_text_includes():
    """Every text to a person includes sms/_reach_us.txt (the academy's phone or
    e-mail, else the coordinator's): a Notify template of its own needs those too."""
    from academy.notify import template_names_used

    names = template_names_used("sms/appointment_booked.txt")
    assert {"academy_phone", "academy_email", "coordinator_email"} <= names
