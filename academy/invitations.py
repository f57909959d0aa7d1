"""The link a new member sets their password with: a token of its own, so that it
lasts INVITATION_TIMEOUT (7 days) while a password reset's lasts an hour, and a token
of one kind never opens the other's page. The token binds the time the invitation was
issued (`User.invited_at`), so sending it again makes every older link stop working."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

# At most this many resends of one member's invitation an hour (a typo'd or lost
# e-mail needs one or two; more would only fill their inbox).
INVITATION_RESENDS_PER_HOUR = 3
RESEND_WINDOW = 3600


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token, salted apart, bound to `invited_at`, lasting 7 days."""

    key_salt = "academy.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        invited = user.invited_at.replace(microsecond=0) if user.invited_at else ""
        return f"{super()._make_hash_value(user, timestamp)}{invited}"

    def check_token(self, user: Any, token: str | None) -> bool:
        # Django's own check holds a token to PASSWORD_RESET_TIMEOUT (an hour, kept
        # for resets); this one is held to the invitation's longer INVITATION_TIMEOUT.
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, s), token)
            for s in [self.secret, *self.secret_fallbacks]
        )
        age = self._num_seconds(self._now()) - ts
        return signed and age <= settings.INVITATION_TIMEOUT


invitation_token_generator = InvitationTokenGenerator()


def invitation_path(user: Any) -> str:
    """The path of the user's set-password page, with a fresh token."""
    from django.urls import reverse

    return reverse(
        "invitation-set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )


def valid_days() -> int:
    return int(settings.INVITATION_TIMEOUT // 86400)
