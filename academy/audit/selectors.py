"""Reading the audit trail for an academy's admin: what each of the three tables holds
about the academy, and each change set out field by field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

from ..crypto import EncryptedTextField, UndecryptableValue, text_decrypt
from ..models import Academy, AccessRecord, ChangeRecord, Membership, SignInEvent, User
from .triggers import TRACKED


def access_records(*, academy: Academy) -> QuerySet[AccessRecord]:
    return AccessRecord.objects.filter(academy_id=academy.pk)


def change_records(*, academy: Academy) -> QuerySet[ChangeRecord]:
    """Changes made in the academy, or to its people's records by anyone: a change
    made with no academy in its context carries its person's academy (the history
    triggers, academy/audit/triggers.py), so one column says whose it is and an
    index gives a page of them newest first."""
    return ChangeRecord.objects.filter(academy_id=academy.pk)


def sign_in_events(*, academy: Academy) -> QuerySet[SignInEvent]:
    """Sign-in events of everyone who has (or had) a role in the academy."""
    members = Membership.objects.filter(academy=academy).values("user_id")
    return SignInEvent.objects.filter(user_id__in=members)


def people_ids(*, academy: Academy | None, reference: str) -> list[int]:
    """The ids of the academy's participants whose reference is `reference`."""
    if academy is None:
        return []
    participant = apps.get_model("participants", "Participant")
    return list(
        participant.objects.filter(
            academy=academy, reference__iexact=reference.strip()
        ).values_list("pk", flat=True)
    )


def users_by_id(ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    return User.objects.in_bulk(wanted) if wanted else {}


def references_by_id(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    participant = apps.get_model("participants", "Participant")
    return dict(
        participant.objects.filter(pk__in=wanted).values_list("pk", "reference")
    )


# ---- a change, field by field ------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@cache
def _models_by_table() -> dict[str, type[Model]]:
    return {t.model._meta.db_table: t.model for t in TRACKED}


def table_label(table: str) -> str:
    model = _models_by_table().get(table)
    return str(model._meta.verbose_name).capitalize() if model else table


def _shown(field: Any, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(field, EncryptedTextField) and isinstance(value, str):
        try:
            return text_decrypt(value, where="the change history")
        except UndecryptableValue:
            return "(cannot be decrypted with the current keys)"
    choices = getattr(field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)


def field_changes(change: ChangeRecord) -> Iterator[FieldChange]:
    """The fields an insert set, an update changed, or a deletion removed, with their
    values as people read them (encrypted notes decrypted)."""
    model = _models_by_table().get(change.table_name)
    by_column = (
        {f.column: f for f in model._meta.concrete_fields} if model is not None else {}
    )
    old, new = change.old or {}, change.new or {}
    for column in sorted(set(old) | set(new)):
        if column == "id" or old.get(column) == new.get(column):
            continue
        field = by_column.get(column)
        label = str(field.verbose_name) if field is not None else column
        before, after = _shown(field, old.get(column)), _shown(field, new.get(column))
        if change.operation == ChangeRecord.Operation.UPDATE and before == after:
            continue  # re-encrypted under a new key: the same words
        yield FieldChange(label=label.capitalize(), old=before, new=after)


# ---- what an access record's action means ------------------------------------------

# The pages people are most often seen on, in words; the rest say what their view's
# docstring says first.
_ACTIONS = {
    "home": "Home page (today's work)",
    "participants:list": "People list",
    "participants:export": "People list exported as CSV",
    "participants:detail": "Opened the person's record",
    "participants:edit": "Edited details",
    "participants:access-export": "Downloaded everything held (subject access)",
    "participants:rights": "Opened their data and rights",
    "participants:erase": "Erased the person",
    "participants:import-detail": "An import's preview",
    "participants:actions-overdue": "Overdue actions list",
    "participants:checks-due": "Sustainment checks due",
    "participants:outcome-doubles": "Possible double outcomes",
    "participants:enquiry-list": "Enquiries list",
    "participants:enquiry-detail": "Opened an enquiry",
    "participants:plan-review": "Reviewed the plan",
    "vacancies:participant-matches": "Vacancies matched to the person",
    "vacancies:referral-detail": "Opened a referral",
    "vacancies:referral-list": "Referrals list",
    "vacancies:matches": "People matched to a vacancy",
    "reporting:people": "People behind a report figure",
    "academy:audit": "Audit: changes to records",
    "academy:audit-export": "Audit exported as CSV",
}


@cache
def _views_by_name() -> dict[str, Any]:
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, Any] = {}

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = (
                    f"{namespace}{pattern.namespace}:"
                    if pattern.namespace
                    else namespace
                )
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.setdefault(f"{namespace}{pattern.name}", pattern.callback)

    walk(get_resolver(), "")
    return found


def action_label(action: str) -> str:
    """An access record's action ("participants:detail GET") as people read it."""
    name, _, method = action.partition(" ")
    label = _ACTIONS.get(name)
    if label is None:
        view = _views_by_name().get(name)
        doc = (getattr(view, "__doc__", None) or "").strip()
        first = doc.split(". ")[0].split(": ")[0].split("\n\n")[0]
        label = " ".join(first.split()).rstrip(".") or action
    return f"{label} (form sent)" if method == "POST" else label
