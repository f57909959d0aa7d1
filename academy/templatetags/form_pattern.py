"""The form pattern's tags (academy/form_pattern.py): the error summary and the
"Error: " before a page's title."""

from __future__ import annotations

from typing import Any

from django import template

from academy.form_pattern import error_links, has_errors

register = template.Library()


@register.inclusion_tag("components/_error_summary.html")
def error_summary(*items: Any, lead: str = "") -> dict[str, Any]:
    """'There is a problem' and a link to each field in error, for these forms and
    formsets (each summarised once on a page); `lead`, a sentence under the heading
    where it adds meaning ("Nothing was saved: ...")."""
    return {"links": error_links(items), "lead": lead}


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    """'Error: ' when a form or formset on the page has errors (GOV.UK's titles)."""
    values = context.flatten().values()
    return "Error: " if any(has_errors(value) for value in values) else ""
