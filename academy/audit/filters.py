"""The filter bars of the audit pages: by person (their reference, posted so it stays
out of URLs), by member, by date and by kind."""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from typing import Any, ClassVar

import django_filters
from django import forms
from django.db import connection
from django.db.models import Q, QuerySet

from ..days import local_midnight
from ..lists import ListFilterSet
from ..models import AccessRecord, ChangeRecord, Membership, SignInEvent, User
from . import selectors


def _members(request: Any) -> QuerySet[User]:
    academy = getattr(request, "academy", None)
    members = Membership.objects.filter(academy=academy).values("user_id")
    return User.objects.filter(pk__in=members).order_by("first_name", "last_name")


def about_people(
    queryset: QuerySet[AccessRecord], ids: list[int]
) -> QuerySet[AccessRecord]:
    """Access records whose people include any of `ids`."""
    if not ids:
        return queryset.none()
    if connection.vendor == "postgresql":  # jsonb containment, with a GIN index
        return queryset.filter(
            reduce(or_, (Q(participant_ids__contains=[pk]) for pk in ids))
        )
    table = AccessRecord._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    # SQLite: the table's name is fixed and the ids are parameters.
    where = (
        f"EXISTS (SELECT 1 FROM json_each({table}.participant_ids)"  # noqa: S608  # nosec B608
        f" WHERE value IN ({marks}))"
    )
    return queryset.extra(where=[where], params=ids)  # noqa: S610  # nosec B610


class AuditFilterSet(ListFilterSet):
    """What the three audit pages share: the person, the member, the dates."""

    private: ClassVar[tuple[str, ...]] = ("person",)
    time_field = "at"

    person = django_filters.CharFilter(
        label="Person's reference", method="filter_person"
    )
    user = django_filters.ModelChoiceFilter(
        label="Member", queryset=_members, empty_label="Everyone", method="filter_user"
    )
    since = django_filters.DateFilter(
        label="From",
        method="filter_since",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label="To",
        method="filter_until",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    user_field = "user_id"

    def filter_person(self, queryset: QuerySet[Any], name: str, value: str) -> Any:
        if not value.strip():
            return queryset
        academy = getattr(self.request, "academy", None)
        ids = selectors.people_ids(academy=academy, reference=value)
        return queryset.filter(participant_id__in=ids)

    def filter_user(self, queryset: QuerySet[Any], name: str, value: User) -> Any:
        return queryset.filter(**{self.user_field: value.pk}) if value else queryset

    # London's days as ranges of moments, so that the (academy, time) index finds
    # them (a filter on the time's date would read every newer row first).
    def filter_since(self, queryset: QuerySet[Any], name: str, value: dt.date) -> Any:
        return queryset.filter(**{f"{self.time_field}__gte": local_midnight(value)})

    def filter_until(self, queryset: QuerySet[Any], name: str, value: dt.date) -> Any:
        if value >= dt.date.max:  # the last day there is: no day after it
            return queryset
        after = local_midnight(value + dt.timedelta(days=1))
        return queryset.filter(**{f"{self.time_field}__lt": after})


class AccessRecordFilterSet(AuditFilterSet):
    def filter_person(self, queryset: QuerySet[Any], name: str, value: str) -> Any:
        if not value.strip():
            return queryset
        academy = getattr(self.request, "academy", None)
        return about_people(
            queryset, selectors.people_ids(academy=academy, reference=value)
        )

    class Meta:
        model = AccessRecord
        fields: list[str] = []


class ChangeRecordFilterSet(AuditFilterSet):
    user_field = "actor_id"
    operation = django_filters.ChoiceFilter(
        label="What", choices=ChangeRecord.Operation.choices, empty_label="Any change"
    )

    class Meta:
        model = ChangeRecord
        fields: list[str] = []


class SignInEventFilterSet(AuditFilterSet):
    private = ()
    # Sign-ins are about members only: no person to search for.
    person = None
    kind = django_filters.ChoiceFilter(
        label="Event", choices=SignInEvent.Kind.choices, empty_label="Every event"
    )

    class Meta:
        model = SignInEvent
        fields: list[str] = []
