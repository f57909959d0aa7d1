"""Passwords exposed in data breaches are refused, offline (spec/security.md AUTH-3).

The list is zxcvbn's "passwords" frequency list (the zxcvbn package on PyPI, MIT
licence): the 30,000 passwords seen most often in Xato's corpus of 10 million
passwords from breaches. About 20,000 of them are not on Django's own list of common
passwords, which `CommonPasswordValidator` checks beside this one.
"""

from __future__ import annotations

from functools import cache

from django.core.exceptions import ValidationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from .models import User

BREACHED_MESSAGE = (
    "This password is on a list of passwords exposed in data breaches. Choose "
    "another: a few unrelated words make a good one."
)
DIGITS = "0123456789"


@cache
def breached_passwords() -> frozenset[str]:
    """The shipped list, lower case (as zxcvbn keeps it)."""
    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def is_breached(password: str) -> bool:
    """Whether the password, in any capitals, is on the list, or is an entry of it
    with digits added at the end (a year, "123"), which guessers try first."""
    text = password.lower()
    listed = breached_passwords()
    stem = text.rstrip(DIGITS)
    return text in listed or (stem != text and stem in listed)


class BreachedPasswordValidator:
    """AUTH_PASSWORD_VALIDATORS entry refusing passwords seen in breaches."""

    def validate(self, password: str, user: User | None = None) -> None:
        if is_breached(password):
            raise ValidationError(BREACHED_MESSAGE, code="password_breached")

    def get_help_text(self) -> str:
        return "Your password can't be one that has been exposed in a data breach."
