"""Multi-factor sign-in (issue 12, observation 3; spec/security.md): every signed-in
person proves a second factor, an authenticator app's six-digit code (TOTP, through
django-otp) or one of ten single-use recovery codes, before any page but these. Someone
without an authenticator is guided through adding one on their first sign-in.

`MFARequiredMiddleware` sends a signed-in but unverified request to `mfa_verify` (or to
`mfa_setup` for someone without a device); pages that need no sign-in, and the MFA pages
themselves, are left alone. Django's admin signs in through the portal's sign-in, so it
sits behind the same two steps.
"""

from __future__ import annotations

import logging
import secrets
from base64 import b32encode
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib.auth.views import LogoutView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import SignInEvent, sign_in_event
from .models import User

logger = logging.getLogger(__name__)
RECOVERY_CODES = 10
AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"


def is_verified(request: HttpRequest) -> bool:
    """Whether this session has passed the second step (django-otp's OTPMiddleware
    gives the signed-in user `is_verified`)."""
    return bool(getattr(request.user, "is_verified", lambda: False)())


def has_mfa(user: User) -> bool:
    """Whether the person has a confirmed authenticator."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def totp_setup_device(user: User) -> TOTPDevice:
    """The authenticator being added: a new secret until it is confirmed with a code
    (the same one on a reload, so that a scanned code stays right)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=AUTHENTICATOR, confirmed=False
        )
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps ask for it when typed: base32, in fours."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth link as an SVG QR code, to scan with the authenticator app."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5, dark="#0b0c0c", light="#ffffff", omitsize=True
        )
    )


@transaction.atomic
def totp_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the new authenticator with a code it shows; on success the session is
    verified and ten recovery codes are made (returned once, to show). Raises
    ValueError when the code is wrong."""
    if not device.verify_token(_digits(token)):
        raise ValueError(
            "That code is not right. Type the six digits the app shows now."
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator at a time: a new phone replaces the old one.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    codes = recovery_codes_make(user=device.user, request=request)
    otp_login(request, device)
    sign_in_event(
        SignInEvent.Kind.SECOND_STEP_SET_UP, request=request, user=device.user
    )
    return codes


@transaction.atomic
def recovery_codes_make(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Ten new single-use recovery codes, replacing any earlier ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY)
    device.token_set.all().delete()
    codes = [
        f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)
    ]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code.replace("-", "")) for code in codes
    )
    sign_in_event(SignInEvent.Kind.RECOVERY_CODES, request=request, user=user)
    return codes


def mfa_verify(*, request: HttpRequest, token: str) -> bool:
    """Verify the session with an authenticator code or a recovery code (which is then
    used up). Repeated wrong codes are slowed down by django-otp's throttling."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (only signed-in people reach this)
    cleaned = token.strip().replace(" ", "").replace("-", "").lower()
    device = match_token(user, cleaned)
    if device is None:
        sign_in_event(SignInEvent.Kind.SECOND_STEP_FAILED, request=request, user=user)
        return False
    otp_login(request, device)
    sign_in_event(
        SignInEvent.Kind.SECOND_STEP_PASSED,
        request=request,
        user=user,
        detail="recovery code" if isinstance(device, StaticDevice) else "authenticator",
    )
    return True


@transaction.atomic
def mfa_reset(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """Forget the person's authenticator and recovery codes (a lost phone): at their
    next sign-in they set up a new one, and a session verified with the old one must
    pass the second step again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sign_in_event(SignInEvent.Kind.SECOND_STEP_RESET, request=request, user=user, by=by)
    logger.info("two-step sign-in reset for user %s", user.pk)


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user).count())


def _digits(token: str) -> str:
    return "".join(ch for ch in token if ch.isdigit())


def mfa_exempt(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view a signed-in person may open before the second step (the MFA pages
    themselves, sign-out)."""
    view.mfa_exempt = True  # type: ignore[attr-defined]
    return view


class MFARequiredMiddleware:
    """Send a signed-in, unverified request to the second step (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or is_verified(request):
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages: the board, sign-in, health, password reset
        if getattr(view_func, "mfa_exempt", False):
            return None
        if getattr(view_func, "view_class", None) is LogoutView:
            return None
        step = "mfa-verify" if has_mfa(user) else "mfa-setup"
        url = reverse(step)
        if request.method == "GET" and not request.headers.get("HX-Request"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
