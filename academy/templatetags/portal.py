"""Filters every template may use without loading them (a builtin in settings)."""

from __future__ import annotations

from django import template

from academy import rules

register = template.Library()


@register.filter
def phone(value: object) -> str:
    """A stored phone number as people read it ('07700 900123')."""
    return rules.phone_shown(value)
