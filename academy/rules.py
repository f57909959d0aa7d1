"""Input rules every app shares, in one place: forms, services and imports all call
these, so a postcode, a phone number or a wage is judged the same way everywhere.

- Postcodes: UK format (the outward and inward codes), normalised to 'PL4 6AB'. Whether
  the district is known for distances is a separate question (academy/places/geo.py).
- Phone numbers: parsed as UK numbers (or international with a +), stored in E.164
  ('+447700900123') by django-phonenumber-field, shown in national format.
- Pay: at or above the National Living Wage in force on the day the job starts.
- Free text: the longest a form accepts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxLengthValidator, validate_email
from django.db import models
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField as PhoneNumberFormField
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

# Longest free text (notes, descriptions) a form or an import accepts.
NOTE_MAX = 10_000

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})?$")


@lru_cache(maxsize=65536)
def postcode_parts(value: str) -> tuple[str, str] | None:
    """('pl46ab' -> ('PL4', 'PL4 6AB')); None when it is not a UK postcode. A district
    alone ('PL4') is accepted, as itself: an area, for searches and distances."""
    compact = "".join(value.split()).upper()
    spaced = compact if len(compact) <= 4 else f"{compact[:-3]} {compact[-3:]}"
    match = _POSTCODE.match(spaced)
    if not match:
        return None
    district, inward = match.group(1), match.group(2)
    return district, f"{district} {inward}" if inward else district


def postcode_clean(value: str) -> str:
    """A full UK postcode, normalised ('pl46ab' -> 'PL4 6AB'); '' stays ''.

    Raises ValidationError, saying what a postcode looks like, for anything else.
    """
    if not value.strip():
        return ""
    parts = postcode_parts(value)
    if parts is None or parts[0] == parts[1]:
        shown = value.strip()[:20]
        raise ValidationError(
            f"'{shown}' is not a UK postcode. Give the whole postcode, like PL4 6AB.",
            code="postcode",
        )
    return parts[1]


# Django's own e-mail patterns, compiled here: its validator reaches them through lazy
# objects, which cost more than the match itself (~25 µs an address; seconds a file).
_EMAIL_USER = re.compile(
    EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags
)
_EMAIL_DOMAIN = re.compile(
    EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags
)


def email_is_valid(value: str) -> bool:
    """Whether Django's `validate_email` (the forms' rule) accepts the address: an
    ordinary address is matched against its patterns directly, anything else (an
    address at an IP literal, at localhost, or refused) is asked of the validator."""
    if 0 < len(value) <= 320 and "@" in value:
        user, domain = value.rsplit("@", 1)
        if _EMAIL_USER.match(user) and _EMAIL_DOMAIN.match(domain):
            return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


PHONE_INVALID = (
    "Enter a UK phone number with its area code, like 01752 123456 or 07700 900123 "
    "(or an international number starting with +)."
)


def _parsed(value: str) -> phonenumbers.PhoneNumber | None:
    # "Possible" (the right digits for the country) rather than "valid" (a range in
    # use): Ofcom's ranges for drama and tests, 07700 900000-900999, are not in use.
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


# A UK mobile number as most people and files write it (07700 900123): its E.164 form
# needs no parsing, which costs ~0.2 ms (most of checking a large import file).
_UK_MOBILE = re.compile(r"07([0-9]{3}) ?([0-9]{6})")


def phone_e164(value: str) -> str | None:
    """The number in E.164 ('+447700900123'), or None when it is not a phone number."""
    mobile = _UK_MOBILE.fullmatch(value)
    if mobile is not None:
        return f"+447{mobile[1]}{mobile[2]}"
    number = _parsed(value)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_validate(value: object) -> None:
    """Refuse text that is not a phone number, saying what one looks like."""
    if value and phone_e164(str(value)) is None:
        raise ValidationError(PHONE_INVALID, code="invalid")


# The digits at the end of a number that never decide how it is written: formats are
# chosen by the leading digits and the length (libphonenumber's metadata).
_TAIL = 4


def phone_shown(value: object) -> str:
    """A stored number as people read it: national format for UK numbers ('07700
    900123'), international for others; text that is not a number stays as it is.

    An E.164 number is written as the number of the same beginning and length ending
    in 0000 is (a layout kept per beginning), with its own last four digits: parsing
    each number costs ~0.5 ms, a minute for a large academy's export.
    """
    text = str(value or "")
    digits = text[1:]
    if not (
        text.startswith("+")
        and digits.isascii()
        and digits.isdigit()
        and len(digits) >= 10
    ):
        return _shown_parsed(text)
    out = list(_shown_layout(text[:-_TAIL]))
    seen = 0
    for index in range(len(out) - 1, -1, -1):
        if out[index].isdigit():
            seen += 1
            if seen > _TAIL:
                break
    else:
        return _shown_parsed(text)  # not a number the layout could write
    tail = iter(text[-_TAIL:])
    for place in range(index + 1, len(out)):
        if out[place].isdigit():
            out[place] = next(tail)
    return "".join(out)


@lru_cache(maxsize=4096)
def _shown_layout(head: str) -> str:
    # The slow rule, never phone_shown itself: a layout is a parsed number.
    return _shown_parsed(head + "0" * _TAIL)


def _shown_parsed(text: str) -> str:
    """phone_shown by parsing the number."""
    number = _parsed(text) if text else None
    if number is None:
        return text
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def phone_is_mobile(value: object) -> bool:
    """Whether a number can take a text message: a mobile number (UK mobiles are
    07 numbers; Ofcom's drama range 07700 900xxx counts, as it does above)."""
    number = _parsed(str(value or ""))
    if number is None:
        return False
    kind = phonenumbers.number_type(number)
    if kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return True
    return number.country_code == 44 and str(number.national_number).startswith("7")


class PhoneFormField(PhoneNumberFormField):
    """A phone number typed into a form, with the portal's message for a bad one."""

    default_error_messages = {"invalid": PHONE_INVALID}
    default_validators = [phone_validate]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("region", "GB")
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")
        self.widget.attrs.setdefault("autocomplete", "tel")


class PhoneField(PhoneNumberField):
    """A UK-first phone number, stored in E.164."""

    default_validators = [phone_validate]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("region", "GB")
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value: Any) -> Any:
        if not value:
            return ""
        if (
            isinstance(value, PhoneNumber)
            and value.country_code
            and value.national_number
        ):
            # Parsed already: E.164 without validating it again (slow, and done on
            # input); the drama range 07700 900xxx is not "valid" yet possible.
            return value.as_e164
        text = str(value or "")
        return phone_e164(text) or text if text else ""

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", PhoneFormField)
        return super().formfield(**kwargs)


def note_field(
    verbose_name: str | None = None, **kwargs: Any
) -> models.TextField[Any, Any]:
    """Free text with the portal's limit, enforced by forms and by full_clean."""
    return models.TextField(
        verbose_name,
        blank=True,
        max_length=NOTE_MAX,
        validators=[MaxLengthValidator(NOTE_MAX)],
        **kwargs,
    )


# Dates. What is recorded has happened, so its day is today or earlier (in the
# portal's time zone); a job or course start may be recorded up to START_AHEAD ahead.
START_AHEAD = dt.timedelta(days=90)


def latest_recorded_day() -> dt.date:
    """The last day a record of something that happened may carry: today."""
    return timezone.localdate()


def latest_start_day() -> dt.date:
    """The last day an outcome's start may be booked for."""
    return timezone.localdate() + START_AHEAD


def date_not_future(day: dt.date | None, *, what: str) -> None:
    """Refuse a day after today, naming what it is the date of."""
    if day is not None and day > latest_recorded_day():
        raise ValidationError(
            f"{what} cannot be in the future. Check the date.", code="future"
        )


def start_not_too_far(day: dt.date | None) -> None:
    """Refuse a start further ahead than START_AHEAD."""
    if day is not None and day > latest_start_day():
        raise ValidationError(
            f"A start more than {START_AHEAD.days} days ahead is not an outcome yet. "
            "Record it when it is closer.",
            code="too_far",
        )


# The National Living Wage (workers aged 21 and over), by the day each rate took
# effect. Source: GOV.UK, "National Minimum Wage and National Living Wage rates",
# https://www.gov.uk/national-minimum-wage-rates (previous rates listed on that page;
# the April 2026 rate was announced in the Budget of 26 November 2025).
NATIONAL_LIVING_WAGE: tuple[tuple[dt.date, Decimal], ...] = (
    (dt.date(2021, 4, 1), Decimal("8.91")),
    (dt.date(2022, 4, 1), Decimal("9.50")),
    (dt.date(2023, 4, 1), Decimal("10.42")),
    (dt.date(2024, 4, 1), Decimal("11.44")),
    (dt.date(2025, 4, 1), Decimal("12.21")),
    (dt.date(2026, 4, 1), Decimal("12.71")),
)
# An annual salary is compared over a year of 52 weeks at the job's weekly hours.
WEEKS_A_YEAR = 52


@dataclass(frozen=True)
class Wage:
    hourly: Decimal
    since: dt.date

    def annual(self, hours_per_week: Decimal) -> Decimal:
        return (self.hourly * hours_per_week * WEEKS_A_YEAR).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )


def national_living_wage(on: dt.date) -> Wage:
    """The rate in force on a day (the earliest known rate before the table starts)."""
    since, hourly = NATIONAL_LIVING_WAGE[0]
    for start, rate in NATIONAL_LIVING_WAGE:
        if start <= on:
            since, hourly = start, rate
    return Wage(hourly, since)


def pay_check(
    *, amount: Decimal, unit: str, hours_per_week: Decimal | None, on: dt.date
) -> None:
    """Refuse pay below the National Living Wage in force on `on`.

    `unit` is 'hourly' or 'annual'; an annual amount is compared at `hours_per_week`.
    Raises ValidationError naming the rate, its date and, for a salary, the minimum.
    """
    wage = national_living_wage(on)
    when = f"{wage.since:%-d %B %Y}"
    if unit == "annual":
        if not hours_per_week:
            return
        least = wage.annual(hours_per_week)
        if amount < least:
            raise ValidationError(
                f"£{amount:,.2f} a year for {hours_per_week} hours a week is below the "
                f"National Living Wage (£{wage.hourly} an hour from {when}): at least "
                f"£{least:,.0f} a year.",
                code="below_living_wage",
            )
    elif amount < wage.hourly:
        raise ValidationError(
            f"£{amount:,.2f} an hour is below the National Living Wage of "
            f"£{wage.hourly} an hour in force from {when}.",
            code="below_living_wage",
        )
