"""The one form pattern (GOV.UK's): a summary of a form's errors at the top, each a link
to its field; "Error: " before the page title while a form has errors; and a long
form's optional fields under "More details", opened when one of them is wrong.

Crispy renders every form's summary through templates/bootstrap5/errors.html; a page
that renders fields by hand (a formset) calls `{% error_summary form formset %}`."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.forms.formsets import BaseFormSet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# Forms and formsets whose errors a page has summarised already: a page that shows one
# summary for a form and its formset keeps crispy from adding a second for the form.
_summarised: weakref.WeakSet[Any] = weakref.WeakSet()


@dataclass(frozen=True)
class ErrorLink:
    """One line of an error summary: its words and the field it links to ("" for an
    error about the whole form, or a field that is not on the page)."""

    text: str
    href: str = ""


def _field_anchor(bound: forms.BoundField) -> str:
    if bound.is_hidden:
        return ""
    # Radios and checkbox lists have no one control: link to the first choice.
    control = bound.id_for_label or next(
        (w.id_for_label for w in bound.subwidgets if w.id_for_label), bound.auto_id
    )
    return f"#{control}" if control else ""


def _form_links(form: forms.BaseForm, row: str = "") -> Iterator[ErrorLink]:
    for message in form.non_field_errors():
        yield ErrorLink(f"{row}: {message}" if row else str(message))
    for name, messages in form.errors.items():
        if name not in form.fields:
            continue
        bound = form[name]
        label = f"{row}, {bound.label}" if row else str(bound.label or name)
        for message in messages:
            yield ErrorLink(f"{label}: {message}", _field_anchor(bound))


def error_links(items: Iterable[Any]) -> list[ErrorLink]:
    """Every error of these bound forms and formsets, in page order, and mark them
    summarised. A formset's rows are named by its `row_name` ("Action 2")."""
    links: list[ErrorLink] = []
    for item in items:
        if item is None or item in _summarised or not item.is_bound:
            continue
        _summarised.add(item)
        if isinstance(item, BaseFormSet):
            links.extend(ErrorLink(str(m)) for m in item.non_form_errors())
            row_name = getattr(item, "row_name", "Row")
            for number, form in enumerate(item.forms, start=1):
                # A row ticked "Remove" is not saved: its errors do not count.
                if getattr(form, "cleaned_data", {}).get("DELETE"):
                    continue
                links.extend(_form_links(form, f"{row_name} {number}"))
        elif isinstance(item, forms.BaseForm):
            links.extend(_form_links(item))
    return links


def has_errors(value: object) -> bool:
    """Whether a value of a page's context is a bound form or formset with errors."""
    if isinstance(value, forms.BaseForm | BaseFormSet) and value.is_bound:
        if isinstance(value, BaseFormSet):
            return not value.is_valid()
        return bool(value.errors)
    return False


class MoreDetails(LayoutObject):  # type: ignore[misc]
    """A crispy layout's optional fields, folded under a <details> summary; open when
    one of its fields has an error, so no error is hidden."""

    template = "components/_more_details.html"

    def __init__(self, summary: str, *fields: Any) -> None:
        self.summary = summary
        self.fields = list(fields)

    def render(
        self,
        form: forms.BaseForm,
        context: Any,
        template_pack: str = TEMPLATE_PACK,
        **kwargs: Any,
    ) -> SafeString:
        rendered = self.get_rendered_fields(form, context, template_pack, **kwargs)
        names = {pointer.name for pointer in self.get_field_names()}
        is_open = form.is_bound and any(name in form.errors for name in names)
        return render_to_string(
            self.template,
            {"summary": self.summary, "fields": rendered, "is_open": is_open},
        )
