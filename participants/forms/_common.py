"""What the casework forms share: date widgets, the not-in-the-future check and the
organisation choices of the member's academy."""

from __future__ import annotations

import datetime as dt

from django import forms

from academy import rules
from academy.models import Membership, Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)
YES_NO = [(True, "Yes"), (False, "No")]


def _not_future(value: dt.date | None, what: str) -> None:
    rules.date_not_future(value, what=what)


def _limit_organisations(
    form: forms.BaseForm, name: str, membership: Membership
) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - form definition
    field.queryset = Organisation.objects.for_membership(membership).filter(
        is_active=True
    )
