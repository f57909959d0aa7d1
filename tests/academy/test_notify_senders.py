"""Every message goes through academy.notify: nothing else in the code sends mail."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SENDERS = re.compile(
    r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|"
    r"EmailMultiAlternatives|get_connection)\b"
)
# The channel that sends e-mail for notify (academy/channels.py).
ALLOWED = {"academy/channels.py"}


def test_no_code_sends_mail_but_the_notification_service():
    found = []
    for app in ("academy", "participants", "vacancies", "reporting"):
        for path in sorted((ROOT / app).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            if name in ALLOWED or "/migrations/" in name:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if SENDERS.search(line):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "send through academy.notify.notify():\n" + "\n".join(found)


def test_an_invitations_secret_link_is_not_kept_in_the_message_log(
    db, django_capture_on_commit_callbacks
):
    from django.core import mail

    from academy import services
    from academy.models import Message
    from tests.academy.factories import MembershipFactory

    membership = MembershipFactory(accepted_at=None)
    membership.user.set_unusable_password()
    membership.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite_send(membership=membership)
    [sent] = mail.outbox
    row = Message.objects.get()
    assert row.status == Message.Status.SENT
    assert row.body == ""
    assert row.key.startswith(f"invitation:{membership.pk}:")
    assert sent.to == [membership.user.email]
