"""People's rights under UK GDPR: a subject-access bundle of everything held about a
participant (spec/security.md DP-4), and erasure (DP-5).

Both find the person's records the same way: every row reachable from the participant
through foreign keys pointing at them (meetings, plans and their actions, outcomes and
their checks, referrals and their moves, enquiries...), whichever app owns the model, so
a new kind of casework is included without anyone remembering it."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from academy.audit import AccessRecord, ChangeRecord, audit_purge, current
from academy.audit.filters import about_people
from academy.audit.selectors import field_changes, table_label
from academy.crypto import EncryptedTextField
from academy.home import academy_homes_refresh
from academy.inventory import Retention
from academy.models import User
from academy.pdf import render_pdf
from academy.retention import cutoff

from ..models import Enquiry, ImportRun, ImportWritten, Participant, Task
from ..models.participant import ERASED_PREFIX
from .casework.records import case_work_stop
from .enquiries import enquiries_delete_expired

__all__ = [
    "ERASED",
    "Erasure",
    "PersonRecords",
    "casework_expire",
    "enquiries_expire",
    "import_files_expire",
    "participant_erase",
    "person_records",
    "subject_access_bundle",
]

ERASED = "Erased"
# Values JSON (with Django's encoder) writes as they are.
_PLAIN = (str, int, float, bool, dt.date, dt.time, dt.timedelta, Decimal, list, dict)
_MAX_DEPTH = 4


@dataclass
class PersonRecords:
    """Every row about one participant, by model, in the order found."""

    participant: Participant
    rows: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)

    def all(self) -> Iterator[models.Model]:
        for rows in self.rows.values():
            yield from rows


def _reverse_relations(model: type[models.Model]) -> Iterator[Any]:
    """Foreign keys of other models that point at `model`, those with no reverse
    accessor ("+") included."""
    for relation in model._meta.get_fields(include_hidden=True):
        if (
            relation.auto_created
            and not relation.concrete
            and (relation.one_to_many or relation.one_to_one)
            and relation.related_model
        ):
            yield relation


def _reachable_models() -> list[type[models.Model]]:
    """Every model whose rows can point at a participant, nearest first."""
    found: list[type[models.Model]] = [Participant]
    frontier = [Participant]
    for _ in range(_MAX_DEPTH):
        following = []
        for model in frontier:
            for relation in _reverse_relations(model):
                if relation.related_model not in found:
                    found.append(relation.related_model)
                    following.append(relation.related_model)
        frontier = following
    return found


def person_records(participant: Participant) -> PersonRecords:
    """The participant and every row that points at them, directly or through
    another such row (an action through its plan), found from the models' relations;
    every kind of record is listed, with none where nothing is held. One query per
    relation and level, however many rows the person has."""
    found = PersonRecords(participant=participant)
    found.rows = {model: [] for model in _reachable_models()}
    seen: set[tuple[type[models.Model], Any]] = {(Participant, participant.pk)}
    found.rows[Participant] = [participant]
    frontier: dict[type[models.Model], list[models.Model]] = {
        Participant: [participant]
    }
    for _ in range(_MAX_DEPTH):
        following: dict[type[models.Model], list[models.Model]] = {}
        for parent, objs in frontier.items():
            for relation in _reverse_relations(parent):
                model = relation.related_model
                rows = model._base_manager.filter(
                    **{f"{relation.field.name}__in": objs}
                ).order_by("pk")
                for row in rows:
                    if (model, row.pk) in seen:
                        continue
                    seen.add((model, row.pk))
                    found.rows[model].append(row)
                    following.setdefault(model, []).append(row)
        frontier = following
    return found


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    """`model`'s foreign keys to another row's primary key."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.target_field.primary_key
    ]


def _related_attach(records: PersonRecords) -> None:
    """Give every row the rows its foreign keys name (one query per kind of row not
    already found), so that naming them costs no query per row."""
    known: dict[type[models.Model], dict[Any, models.Model]] = {}
    for model, rows in records.rows.items():
        known.setdefault(model, {}).update((row.pk, row) for row in rows)
    wanted: dict[type[models.Model], set[Any]] = {}
    for model, rows in records.rows.items():
        for f in _foreign_keys(model):
            target = f.related_model
            for row in rows:
                value = getattr(row, f.attname)
                if value is not None and value not in known.get(target, {}):
                    wanted.setdefault(target, set()).add(value)
    for target, ids in wanted.items():
        known.setdefault(target, {}).update(target._base_manager.in_bulk(ids))
    for model, rows in records.rows.items():
        for f in _foreign_keys(model):
            for row in rows:
                related = known.get(f.related_model, {}).get(getattr(row, f.attname))
                if related is not None:
                    f.set_cached_value(row, related)


# ---- subject access ------------------------------------------------------------------


def _value(obj: models.Model, f: models.Field[Any, Any]) -> Any:
    if f.is_relation:
        related = getattr(obj, f.name, None)
        return None if related is None else {"id": related.pk, "name": str(related)}
    value = f.value_from_object(obj)
    if f.choices:
        return {"code": value, "label": str(dict(f.flatchoices).get(value, value))}
    if value is None or isinstance(value, _PLAIN):
        return value
    return str(value)  # a phone number, a file's name...


def _row(obj: models.Model) -> dict[str, Any]:
    return {str(f.verbose_name): _value(obj, f) for f in obj._meta.concrete_fields}


def _model_name(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name_plural).capitalize()


def subject_access_data(participant: Participant) -> dict[str, Any]:
    """Everything held about the person, as plain data: their records, the history of
    every change to them and who has looked at them."""
    records = person_records(participant)
    _related_attach(records)
    changes = ChangeRecord.objects.filter(participant_id=participant.pk).order_by("at")
    access = about_people(AccessRecord.objects.all(), [participant.pk]).order_by("at")
    return {
        "about": (
            "Everything the academy's portal holds about this person, produced "
            f"{timezone.now():%d %B %Y %H:%M} UTC under UK GDPR Article 15."
        ),
        "records": {
            _model_name(model): [_row(obj) for obj in rows]
            for model, rows in records.rows.items()
        },
        "change_history": [
            {
                "when": c.at,
                "what": f"{c.get_operation_display()}: {table_label(c.table_name)}",
                "by_member_id": c.actor_id,
                "fields": [
                    {"field": f.label, "before": f.old, "after": f.new}
                    for f in field_changes(c)
                ],
            }
            for c in changes
        ],
        "access": [
            {
                "when": a.at,
                "who": a.user_email,
                "role": a.role,
                "what": a.action,
                "people_in_it": a.count,
            }
            for a in access
        ],
    }


def _text(value: Any) -> str:
    """A value of `_row` as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return str(value.get("label") or value.get("name") or "")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "strftime"):
        shape = "%d %b %Y %H:%M" if hasattr(value, "hour") else "%d %b %Y"
        return str(value.strftime(shape))
    return str(value)


def subject_access_bundle(participant: Participant) -> bytes:
    """A zip of `person.json` (machine-readable) and `person.pdf` (readable)."""
    data = subject_access_data(participant)
    text = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    sections = [
        (
            name,
            [[(label, _text(value)) for label, value in row.items()] for row in rows],
        )
        for name, rows in data["records"].items()
    ]
    pdf = render_pdf(
        "print/subject_access.html",
        {"participant": participant, "data": data, "sections": sections},
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"{participant.reference}.json", text)
        bundle.writestr(f"{participant.reference}.pdf", pdf)
    return buffer.getvalue()


# ---- erasure -------------------------------------------------------------------------

# What identifies the person, wherever a row about them keeps it (their record, an
# enquiry, an event sign-up); the rest (dates, statuses, cohorts, outcomes) stays, so
# that past figures still count them.
_IDENTITY = ("first_name", "last_name", "email", "phone")
_ENQUIRY_IDENTITY = (*_IDENTITY, "postcode")


@dataclass(frozen=True)
class Erasure:
    rows_cleared: int
    history_removed: int
    files_removed: int


def _blank(obj: models.Model, names: list[str]) -> list[str]:
    changed = []
    for name in names:
        f = obj._meta.get_field(name)
        empty = None if f.null else ""
        if getattr(obj, name) not in ("", None):
            setattr(obj, name, empty)
            changed.append(name)
    return changed


def _free_text(model: type[models.Model]) -> list[str]:
    return [
        f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
    ]


def _mentions(run: ImportRun, needles: list[str]) -> bool:
    """Whether an uploaded file, or what its check found, names the person."""
    texts = [json.dumps([run.summary, run.problems], ensure_ascii=False)]
    if run.file:
        try:
            with run.file.open("rb") as handle:
                raw = handle.read()
        except OSError:
            raw = b""
        if zipfile.is_zipfile(io.BytesIO(raw)):  # XLSX: its cells are in the XML
            with zipfile.ZipFile(io.BytesIO(raw)) as book:
                raw = b" ".join(
                    book.read(name) for name in book.namelist() if name.endswith(".xml")
                )
        texts.append(raw.decode("utf-8", errors="ignore"))
    haystack = "\n".join(texts).lower()
    return any(n and n.lower() in haystack for n in needles)


@transaction.atomic
def participant_erase(
    *, participant: Participant, by: User | None, reason: str
) -> Erasure:
    """Erase a person: names and contact details, every note written about them and
    their enquiries' details are removed; the history of changes to their records goes
    (it holds what was erased); uploaded files that name them are deleted. Dates,
    statuses, cohorts and outcomes stay, without a name, so past reports' counts stay
    right. The history keeps one line: erased, by whom (None: the retention rule) and
    why."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.is_open:  # nobody works on an erased record again
        case_work_stop(participant=participant, by=by)
    needles = [
        participant.reference,
        participant.email,
        f"{participant.first_name} {participant.last_name}".strip(),
    ]
    records = person_records(participant)
    cleared = 0
    for model, rows in records.rows.items():
        fields = {f.name: f for f in model._meta.concrete_fields}
        names = _free_text(model) + [
            name
            for name in (_ENQUIRY_IDENTITY if model is Enquiry else _IDENTITY)
            if name in fields
        ]
        # A name a row must have is replaced; none is kept.
        required = [n for n in ("first_name",) if n in fields and not fields[n].blank]
        for obj in rows:
            changed = _blank(obj, names)
            for name in required:
                setattr(obj, name, ERASED)
                changed.append(name)
            if isinstance(obj, Participant):
                obj.reference = f"{ERASED_PREFIX}{obj.pk}"
                if obj.is_open:  # nobody works on an erased record again
                    obj.status = Participant.Status.CLOSED
                    obj.closed_on = timezone.localdate()
                    obj.close_reason = Participant.CloseReason.OTHER
                    changed += ["status", "closed_on", "close_reason"]
                obj.last_name = ""
                obj.date_of_birth = None
                # The postcode district stays, for figures by area.
                obj.postcode = obj.postcode.split(" ")[0] if obj.postcode else ""
                changed += ["reference", "last_name", "date_of_birth", "postcode"]
            elif isinstance(obj, Task) and obj.status == Task.Status.CANCELLED:
                obj.cancel_reason = ERASED  # a cancelled task must say why
                changed.append("cancel_reason")
            elif isinstance(obj, Enquiry):  # it must keep an address: one to nowhere
                obj.email = f"erased-{obj.pk}@erased.invalid"
                changed += ["email"]
            if changed:
                obj.save(update_fields=sorted(set(changed)))
                cleared += 1
    files = 0
    for run in ImportRun.objects.filter(academy_id=participant.academy_id):
        if _mentions(run, needles):
            if run.file:
                run.file.delete(save=False)
                files += 1
            run.summary, run.problems = {}, []
            run.save(update_fields=["file", "summary", "problems"])
    with audit_purge():
        removed, _ = ChangeRecord.objects.filter(participant_id=participant.pk).delete()
    # What stays of the history: that the person was erased, by whom and why.
    ChangeRecord.objects.create(
        at=timezone.now(),
        table_name=Participant._meta.db_table,
        row_id=participant.pk,
        operation=ChangeRecord.Operation.ERASE,
        participant_id=participant.pk,
        academy_id=participant.academy_id,
        actor_id=by.pk if by is not None else None,
        request_id=current().request_id,
        new={"reason": reason},
    )
    # No coordinator's home kept a minute may show them (once this commits).
    transaction.on_commit(partial(academy_homes_refresh, participant.academy_id))
    return Erasure(rows_cleared=cleared, history_removed=removed, files_removed=files)


# ---- retention (academy/retention.py runs these nightly) ---------------------------

RETENTION_REASON = "the retention period after the case closed ended"


def casework_expire(now: dt.datetime) -> int:
    """Cases closed more than RETENTION_CASEWORK_YEARS ago are erased (anonymised:
    their counts stay in past figures)."""
    before = cutoff(Retention.CASEWORK, now).date()
    expired = (
        Participant.objects.filter(
            status=Participant.Status.CLOSED, closed_on__lt=before
        )
        .exclude(reference__startswith=ERASED_PREFIX)
        .order_by("pk")
    )
    count = 0
    for participant in expired.iterator(chunk_size=200):
        participant_erase(participant=participant, by=None, reason=RETENTION_REASON)
        count += 1
    return count


@transaction.atomic
def import_files_expire(now: dt.datetime) -> int:
    """Uploaded files older than RETENTION_IMPORT_FILES_DAYS are deleted, with what
    their check found (the records they wrote are casework and stay), and so is the
    digest of a written import that old (the same file is then read again)."""
    before = cutoff(Retention.IMPORT_FILE, now)
    count, _ = ImportWritten.objects.filter(written_at__lt=before).delete()
    for run in ImportRun.objects.filter(created_at__lt=before).exclude(
        file="", summary={}, problems=[]
    ):
        if run.file:
            run.file.delete(save=False)
        run.summary, run.problems = {}, []
        run.save(update_fields=["file", "summary", "problems"])
        count += 1
    return count


def enquiries_expire(now: dt.datetime) -> int:
    return enquiries_delete_expired(now=now)
