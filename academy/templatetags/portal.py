"""Filters and tags every template may use without loading them (a settings builtin)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django import template
from django.utils.html import format_html, format_html_join

from academy import days, rules

if TYPE_CHECKING:
    from academy.models import Academy

register = template.Library()


@register.filter
def phone(value: object) -> str:
    """A stored phone number as people read it ('07700 900123')."""
    return rules.phone_shown(value)


@register.filter
def export_hint(total: int) -> str:
    """Beside a "Download these as CSV" button: that a long list becomes a run."""
    from academy.exports import export_hint as hint

    return hint(int(total))


@register.simple_tag
def public_contact(academy: Academy) -> str:
    """The academy's public contact as words in a sentence ("phone 01752 123456 or
    e-mail hello@example.org"), with links; empty when it has none."""
    parts = []
    if academy.public_phone:
        parts.append(
            format_html(
                'phone <a class="text-nowrap" href="tel:{}">{}</a>',
                str(academy.public_phone),
                rules.phone_shown(academy.public_phone),
            )
        )
    if academy.public_email:
        parts.append(
            format_html(
                'e-mail <a href="mailto:{}">{}</a>',
                academy.public_email,
                academy.public_email,
            )
        )
    # Each part is already safe HTML; joining escapes nothing twice.
    return format_html_join(" or ", "{}", ((part,) for part in parts))


@register.filter
def day_said(value: dt.datetime | dt.date | None, form: str = "") -> str:
    """A day in a message to a person: 'Friday 12 June', or 'Fri 12 Jun' with
    "short"; the year is said when it is not this year (academy.days.day_said)."""
    if value is None or value == "":
        return ""
    return days.day_said(value, short=form == "short")
