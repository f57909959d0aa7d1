"""What every form the public sends without an account has (register your interest,
event sign-up, self check-in): a field hidden from people that robots fill in, and a
signed note of when and for which academy the form was served, so that a form sent
sooner than a person could, or from a stale page, is refused kindly. Their allowances
(per person, per event and per connection) are in academy/ratelimit.py."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from . import rules
from .models import Academy

TRY_AGAIN = (
    "Sorry, we could not send your details this time. Please check them and press "
    "“{button}” again."
)


def client_address(request: HttpRequest) -> str:
    """The address the request came from (the proxy's X-Forwarded-For is only
    believed from TRUSTED_PROXIES: academy/middleware.py)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def form_token(*, purpose: str, academy: Academy) -> str:
    """A signed note of when, and for which academy, a public form was served."""
    return signing.dumps({"academy": academy.pk, "at": time.time()}, salt=purpose)


def is_token_good(token: str, *, purpose: str, academy: Academy) -> bool:
    """Whether `token` was served by this form of this academy, at least
    PUBLIC_FORM_MIN_SECONDS and at most PUBLIC_FORM_MAX_AGE seconds ago."""
    try:
        served = signing.loads(
            token, salt=purpose, max_age=settings.PUBLIC_FORM_MAX_AGE
        )
    except signing.BadSignature:  # forged, or older than PUBLIC_FORM_MAX_AGE
        return False
    if not isinstance(served, dict) or served.get("academy") != academy.pk:
        return False
    served_at = served.get("at")
    if not isinstance(served_at, int | float):
        return False
    return bool(time.time() - served_at >= settings.PUBLIC_FORM_MIN_SECONDS)


class FreshTokenField(forms.CharField):
    """A hidden token shown fresh even when a form comes back with errors, so that
    the person can correct it and send it again."""

    widget = forms.HiddenInput

    def bound_data(self, data: Any, initial: Any) -> Any:
        return initial


class PublicFormMixin(forms.Form):
    """The honeypot and the served token of a public form. A subclass names its
    `purpose` (the token's salt) and its `button`, and puts `HONEYPOT` (wrapped
    `visually-hidden`) and `served` in its layout."""

    HONEYPOT = "website"
    purpose: ClassVar[str]
    button: str  # the submit button's label, which a refusal names

    served = FreshTokenField(required=False)
    # Hidden from people by CSS; robots fill every field they find.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, academy: Academy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.academy = academy
        self.fields["served"].initial = self.served_token(academy)

    @classmethod
    def served_token(cls, academy: Academy) -> str:
        return form_token(purpose=cls.purpose, academy=academy)

    @property
    def is_from_robot(self) -> bool:
        """Whether the field that people cannot see came back filled in."""
        return bool(str(self.data.get(self.add_prefix(self.HONEYPOT), "")).strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        token = str(cleaned.get("served", ""))
        if not is_token_good(token, purpose=self.purpose, academy=self.academy):
            raise forms.ValidationError(TRY_AGAIN.format(button=self.button))
        return cleaned


class PublicContactFields(forms.Form):
    """A public form's name and contact fields: an e-mail address, a phone number or
    both (`need_contact` says what to give when neither is)."""

    need_contact = (
        "Give an e-mail address or a phone number (or both), so that we know who you "
        "are."
    )

    first_name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=32,
        help_text="Give an e-mail address, a phone number, or both.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data["phone"]).strip()
        if not phone:
            return ""
        e164 = rules.phone_e164(phone)
        if e164 is None:
            raise forms.ValidationError(rules.PHONE_INVALID)
        return e164

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_contact = cleaned.get("email") or cleaned.get("phone")
        if not has_contact and not {"email", "phone"} & set(self.errors):
            raise forms.ValidationError(self.need_contact)
        return cleaned

    def person(self) -> dict[str, str]:
        """The cleaned name and contact details."""
        names = ("first_name", "last_name", "email", "phone")
        return {name: str(self.cleaned_data[name]) for name in names}
