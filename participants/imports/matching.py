"""Matching a checked file's rows against the academy's records: what is new, what
changes (old → new), what conflicts with the person stored under a reference, and
which new rows look like a person already held."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import CharField, ExpressionWrapper, F, Model, QuerySet

from academy.crypto import EncryptedTextField
from academy.models import Academy, User
from academy.rules import PhoneField, phone_shown

from ..models import Participant, ParticipantCohort
from .plans import Listing, ParsedRow, Update

if TYPE_CHECKING:
    from .checking import _Spec


# How a field is named in a preview and on the timeline.
_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "registered_on": "registered on",
    "is_claimant": "claimant",
    "benefit_type": "benefit",
    "date_of_birth": "date of birth",
    "email": "e-mail",
    "has_consent_to_share": "consent to share",
    "coordinator_id": "coordinator",
    "hours_per_week": "hours a week",
    "target_role": "target role",
}
# A reference whose stored person differs in these is probably someone else.
_IDENTITY = ("first_name", "last_name", "date_of_birth")


# How the phone field stores a number it could parse (academy.rules.PhoneField).
_E164 = re.compile(r"\+[0-9]{4,15}")


def _stored(
    records: QuerySet[Any], model: type[Model], names: tuple[str, ...]
) -> Iterator[dict[str, Any]]:
    """`records.values(*names)`, phone numbers read as their stored E.164 text (as a
    file's cells give them): making each a PhoneNumber (a parse, then a validation to
    print it) cost ~0.3 ms a row, most of checking a file of people already held.
    Text stored in another form (written around the field) is read as before."""
    fields = {
        field.attname: field
        for field in model._meta.concrete_fields
        if isinstance(field, PhoneField) and field.attname in names
    }
    columns = [
        ExpressionWrapper(F(name), output_field=CharField()) if name in fields else name
        for name in names
    ]
    for values in records.values_list(*columns):
        row = dict(zip(names, values, strict=True))
        for name, field in fields.items():
            text = row[name]
            if text and not _E164.fullmatch(text):
                row[name] = str(field.from_db_value(text, None, connection))
        yield row


def _length(text: object) -> str:
    return f"({len(str(text)):,} characters)" if text else "(empty)"


class Matcher:
    """Splits rows into new records, changed records (held back when they conflict)
    and unchanged ones, reading the academy's records once."""

    def __init__(self, spec: _Spec, academy: Academy, accepted: frozenset[str]) -> None:
        self.spec = spec
        self.accepted = accepted
        self.is_people = spec.model is Participant
        # Encrypted notes are not copied as text into the run's summary, which is
        # stored in plain: the preview gives their length (the timeline, the text).
        self.encrypted = {
            field.name
            for field in spec.model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        }
        self.existing: dict[tuple[Any, ...], dict[str, Any]] = {}
        # Every stored record as read, for what the import leaves (unchanged.py).
        self.stored: list[dict[str, Any]] = []
        # One query per kind; a key the database holds twice matches its oldest record.
        extra = ("first_name", "last_name") if self.is_people else ("participant_id",)
        records = spec.model._default_manager.filter(
            **{spec.academy_path: academy}
        ).order_by("pk")
        names = ("pk", *spec.key_fields, *spec.fields, *extra)
        for values in _stored(records, spec.model, names):
            self.stored.append(values)
            self.existing.setdefault(tuple(values[f] for f in spec.key_fields), values)
        self.names: dict[int, str] = {}
        self.references: dict[int, str] = {}
        if not self.is_people:
            for pk, reference in Participant.objects.for_academy(academy).values_list(
                "pk", "reference"
            ):
                self.references[pk] = reference
        self.cohorts_now: dict[int, frozenset[str]] = {}
        self.people_index: _PeopleIndex | None = None
        self.academy = academy
        self.creates: list[ParsedRow] = []
        self.updates: list[Update] = []
        self.unchanged = 0
        self.held = 0
        self.conflicts: list[Listing] = []
        self.duplicates: list[Listing] = []
        self.changes: list[Listing] = []

    def cohorts_loaded(self) -> None:
        """Read the academy's cohorts, if no row has needed them yet."""
        self._cohorts(0)

    def _cohorts(self, pk: int) -> frozenset[str]:
        if not self.cohorts_now:
            codes: dict[int, set[str]] = {}
            for participant_id, code in ParticipantCohort.objects.filter(
                participant__academy=self.academy
            ).values_list("participant_id", "code"):
                codes.setdefault(participant_id, set()).add(code)
            self.cohorts_now = {k: frozenset(v) for k, v in codes.items()}
            self.cohorts_now.setdefault(0, frozenset())  # loaded, even when empty
        return self.cohorts_now.get(pk, frozenset())

    def _show(self, name: str, value: Any) -> str:
        if value in ("", None):
            return "(empty)"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if name == "phone":
            return phone_shown(value)
        if name == "coordinator_id":
            if not self.names:
                self.names = {
                    user.pk: str(user)
                    for user in User.objects.filter(
                        memberships__academy=self.academy
                    ).distinct()
                }
            return self.names.get(value, "someone else")
        if isinstance(value, dt.date):
            return f"{value:%-d %b %Y}"
        return str(value)

    def row(self, row: ParsedRow) -> None:
        current = self.existing.get(row.key)
        if current is None:
            self._new(row)
            return
        changes = {f: v for f, v in row.update.items() if current[f] != v}
        cohorts = row.cohorts
        if cohorts is not None and cohorts == self._cohorts(current["pk"]):
            cohorts = None
        if not changes and cohorts is None:
            self.unchanged += 1
            return
        described = [
            (
                _LABELS.get(f, f.replace("_", " ")),
                self._show(f, current[f]),
                self._show(f, v),
            )
            for f, v in changes.items()
        ]
        listed = [
            [label, _length(current[f]), _length(changes[f])]
            if f in self.encrypted
            else [label, old, new]
            for f, (label, old, new) in zip(changes, described, strict=True)
        ]
        if cohorts is not None:
            before = ", ".join(sorted(self._cohorts(current["pk"]))) or "(none)"
            described.append(("cohorts", before, ", ".join(sorted(cohorts))))
            listed.append(list(described[-1]))
        reference, name, title = self._identify(row, current)
        listing: Listing = {
            "row": row.number,
            "reference": reference,
            "name": name,
            "fields": listed,
            "conflict": False,
        }
        if self.is_people:
            clash = [
                f
                for f in _IDENTITY
                if f in changes
                and current[f] not in ("", None)
                and str(current[f]).strip().lower() != str(changes[f]).strip().lower()
            ]
            if clash:
                listing["conflict"] = True
                listing["accepted"] = reference in self.accepted
                self.conflicts.append(listing)
                if reference not in self.accepted:
                    self.held += 1
                    return
        self.changes.append(listing)
        participant_id = current["pk"] if self.is_people else current["participant_id"]
        self.updates.append(
            Update(
                current["pk"],
                current,
                changes,
                cohorts,
                participant_id,
                tuple(described),
                title,
            )
        )

    def _identify(
        self, row: ParsedRow, current: dict[str, Any]
    ) -> tuple[str, str, str]:
        """(reference, name, the record as the timeline names it)."""
        if self.is_people:
            name = f"{current['first_name']} {current['last_name']}"
            return str(current["reference"]), name, "Details"
        reference = self.references.get(current["participant_id"], "")
        title = str(self.spec.model._meta.verbose_name).capitalize()
        when = next((v for v in row.key if isinstance(v, dt.date)), None)
        if when is not None:
            title = f"{title} of {when:%-d %b %Y}"
        return reference, title, title

    def _new(self, row: ParsedRow) -> None:
        if not self.is_people:
            self.creates.append(row)
            return
        if self.people_index is None:
            self.people_index = _PeopleIndex(self.academy)
        reference = str(row.create["reference"])
        matches = self.people_index.matches(row.create)
        if matches:
            accepted = reference in self.accepted
            self.duplicates.append(
                {
                    "row": row.number,
                    "reference": reference,
                    "name": f"{row.create['first_name']} {row.create['last_name']}",
                    "matches": [list(m) for m in matches],
                    "accepted": accepted,
                }
            )
            if not accepted:
                self.held += 1
                return
        self.creates.append(row)


class _PeopleIndex:
    """The academy's people by the keys registration warns of duplicates on: the same
    name and date of birth, the same e-mail, the same phone number."""

    def __init__(self, academy: Academy) -> None:
        self.by_name: dict[tuple[str, str, dt.date], list[tuple[str, str]]] = {}
        self.by_email: dict[str, list[tuple[str, str]]] = {}
        self.by_phone: dict[str, list[tuple[str, str]]] = {}
        people = Participant.objects.filter(academy=academy)
        names = (
            "reference",
            "first_name",
            "last_name",
            "date_of_birth",
            "email",
            "phone",
        )
        for values in _stored(people, Participant, names):
            reference, first, last, born, email, phone = values.values()
            who = (reference, f"{first} {last}")
            if born is not None:
                key = (first.strip().lower(), last.strip().lower(), born)
                self.by_name.setdefault(key, []).append(who)
            if email:
                self.by_email.setdefault(email.lower(), []).append(who)
            if phone:
                self.by_phone.setdefault(str(phone), []).append(who)

    def matches(self, person: Mapping[str, Any]) -> list[tuple[str, str, str]]:
        found: dict[str, tuple[str, str, str]] = {}
        born = person.get("date_of_birth")
        if isinstance(born, dt.date):
            key = (
                str(person["first_name"]).strip().lower(),
                str(person["last_name"]).strip().lower(),
                born,
            )
            for ref, name in self.by_name.get(key, []):
                found.setdefault(ref, (ref, name, "same name and date of birth"))
        for ref, name in self.by_email.get(str(person.get("email") or "").lower(), []):
            found.setdefault(ref, (ref, name, "same e-mail address"))
        for ref, name in self.by_phone.get(str(person.get("phone") or ""), []):
            found.setdefault(ref, (ref, name, "same phone number"))
        found.pop(str(person.get("reference")), None)
        return list(found.values())
