"""Writing a checked plan in one transaction, in chunks, with the consent ledger,
cohorts and sustainment checks that go with the records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from academy.models import Academy, User
from academy.rules import NOTE_MAX

from ..models import (
    CaseNote,
    ConsentRecord,
    ImportRun,
    Participant,
    ParticipantCohort,
)
from ..services.casework import (
    consent_records_add,
    sustainment_checks_schedule_many,
)
from .checking import _SPECS, _Spec
from .columns import BATCH_SIZE, PROGRESS_EVERY, Progress
from .copying import creates_copy, ledger_copy, sort_memory, updates_copy
from .plans import ImportPlan, ImportSummary, ParsedRow, Update


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fill_pks(spec: _Spec, academy: Academy, objects: list[Any], rows: Any) -> None:
    """Give created records their ids where the database did not return them."""
    if all(obj.pk is not None for obj in objects):
        return
    ids = {
        tuple(values[f] for f in spec.key_fields): values["pk"]
        for values in spec.model._default_manager.filter(
            **{spec.academy_path: academy}
        ).values("pk", *spec.key_fields)
    }
    for obj, row in zip(objects, rows, strict=True):
        obj.pk = ids[row.key]


def uses_copy() -> bool:
    """PostgreSQL writes through COPY into staging and set-based SQL (copying.py);
    SQLite through the ORM. Both write the same records, ledger and history."""
    return connection.vendor == "postgresql"


@transaction.atomic
def import_apply(
    *,
    plan: ImportPlan,
    by: User | None,
    file_name: str,
    label: str = "",
    progress: Progress | None = None,
) -> ImportSummary:
    """Write a checked plan: create, update, and their consents, cohorts and checks;
    every change is noted on the person's timeline, naming the import (`label`, such
    as "import 12").

    Works through the plan in chunks, so that memory stays flat on large files.
    """
    if plan.problems:
        raise ValueError("a plan with problems cannot be applied")
    spec = _SPECS[plan.kind]
    now = timezone.now()
    source = f"{label or 'import'} ({file_name})"
    log = _Ledger(
        academy=plan.academy,
        by=by,
        note=f"Stated in the imported file {file_name} ({label or 'import'}, "
        f"{timezone.localdate():%-d %b %Y})"[:300],
        now=now,
        source=source,
    )
    extra: dict[str, Any] = {}
    if plan.kind == ImportRun.Kind.PARTICIPANTS:
        # The academy already holds these people's data: consent to hold it is given.
        extra = {"academy": plan.academy, "has_consent_to_hold": True}
    elif plan.kind in (ImportRun.Kind.SUPPORT, ImportRun.Kind.OUTCOMES):
        extra = {"recorded_by": by}
    total = len(plan.creates) + len(plan.updates)
    if uses_copy():
        if plan.creates:
            with sort_memory():
                creates_copy(model=spec.model, rows=plan.creates, extra=extra, now=now)
                if plan.kind == ImportRun.Kind.PARTICIPANTS:
                    log.participants_created(None)
        if progress is not None and plan.creates:
            progress(f"wrote {len(plan.creates):,} of {total:,} records")
        updates_copy(model=spec.model, updates=plan.updates, now=now)
        if plan.kind == ImportRun.Kind.PARTICIPANTS:
            log.participants_updated(plan.updates)
        log.changes_noted(plan.updates)
        if progress is not None and plan.updates:
            progress(f"wrote {total:,} of {total:,} records")
        return plan.summary
    done = 0
    for rows in _chunks(plan.creates, PROGRESS_EVERY):
        created: list[Any] = [spec.model(**row.create, **extra) for row in rows]
        spec.model._default_manager.bulk_create(created, batch_size=BATCH_SIZE)
        _fill_pks(spec, plan.academy, created, rows)
        if plan.kind == ImportRun.Kind.PARTICIPANTS:
            log.participants_created(zip(created, rows, strict=True))
        elif plan.kind == ImportRun.Kind.OUTCOMES:
            sustainment_checks_schedule_many(outcomes=created)
        done += len(rows)
        if progress is not None:
            progress(f"wrote {done:,} of {total:,} records")
    for updates in _chunks(plan.updates, PROGRESS_EVERY):
        _update(spec, updates, log.now)
        if plan.kind == ImportRun.Kind.PARTICIPANTS:
            log.participants_updated(updates)
        log.changes_noted(updates)
        done += len(updates)
        if progress is not None:
            progress(f"wrote {done:,} of {total:,} records")
    return plan.summary


def _update(spec: _Spec, updates: Sequence[Update], now: dt.datetime) -> None:
    """Save changed records, writing only the fields that changed in this chunk."""
    fields = {name for update in updates for name in update.changes}
    has_updated_at = any(f.name == "updated_at" for f in spec.model._meta.fields)
    if has_updated_at:
        fields.add("updated_at")  # auto_now is not applied by bulk_update
    if not fields:
        return
    objects = []
    for update in updates:
        values = {**update.current, **update.changes}
        if has_updated_at:
            values["updated_at"] = now
        objects.append(spec.model(**values))
    spec.model._default_manager.bulk_update(objects, sorted(fields), batch_size=500)


@dataclass(frozen=True)
class _Ledger:
    """Writes the consent ledger rows and cohorts that go with imported participants."""

    academy: Academy
    by: User | None
    note: str
    now: dt.datetime
    source: str

    def _consent(self, participant_id: int, kind: str, is_given: bool) -> ConsentRecord:
        # The file states the consent; the person who uploaded it did not take it.
        return ConsentRecord(
            participant_id=participant_id,
            kind=kind,
            is_given=is_given,
            recorded_by=None,
            recorded_at=self.now,
            note=self.note,
            source=ConsentRecord.Source.IMPORT,
        )

    def changes_noted(self, updates: Sequence[Update]) -> None:
        """One timeline note per changed record: what changed, old and new."""
        CaseNote.objects.bulk_create(
            (
                CaseNote(
                    participant_id=update.participant_id,
                    text=_change_text(update, self.source),
                    written_by=self.by,
                    written_at=self.now,
                )
                for update in updates
                if update.described
            ),
            batch_size=BATCH_SIZE,
        )

    def participants_created(
        self, created: Iterable[tuple[Participant, ParsedRow]] | None
    ) -> None:
        """Their consents, cohorts and 'Registered by' notes; None: of the people
        in the PostgreSQL staging table (copying.py), in set-based SQL."""
        if created is None:
            ledger_copy(
                academy=self.academy,
                by=self.by,
                now=self.now,
                source=self.source,
                note=self.note,
            )
            return
        consents: list[ConsentRecord] = []
        cohorts: list[ParticipantCohort] = []
        notes: list[CaseNote] = []
        for participant, row in created:
            notes.append(
                CaseNote(
                    participant_id=participant.pk,
                    text=f"Registered by {self.source}.",
                    written_by=self.by,
                    written_at=self.now,
                )
            )
            consents.append(
                self._consent(participant.pk, ConsentRecord.Kind.HOLD_DATA, True)
            )
            if "has_consent_to_share" in row.create:
                share = bool(row.create["has_consent_to_share"])
                consents.append(
                    self._consent(
                        participant.pk, ConsentRecord.Kind.SHARE_WITH_PROVIDERS, share
                    )
                )
            cohorts.extend(
                ParticipantCohort(participant_id=participant.pk, code=code)
                for code in sorted(row.cohorts or ())
            )
        consent_records_add(records=consents)
        ParticipantCohort.objects.bulk_create(cohorts, batch_size=BATCH_SIZE)
        CaseNote.objects.bulk_create(notes, batch_size=BATCH_SIZE)

    def participants_updated(self, updates: Sequence[Update]) -> None:
        consents = [
            self._consent(
                update.pk,
                ConsentRecord.Kind.SHARE_WITH_PROVIDERS,
                bool(update.changes["has_consent_to_share"]),
            )
            for update in updates
            if "has_consent_to_share" in update.changes
        ]
        consent_records_add(records=consents)
        replaced = [update for update in updates if update.cohorts is not None]
        for chunk in _chunks(replaced, BATCH_SIZE):
            ParticipantCohort.objects.filter(
                participant_id__in=[update.pk for update in chunk]
            ).delete()
        ParticipantCohort.objects.bulk_create(
            [
                ParticipantCohort(participant_id=update.pk, code=code)
                for update in replaced
                for code in sorted(update.cohorts or ())
            ],
            batch_size=BATCH_SIZE,
        )


def _change_text(update: Update, source: str) -> str:
    changes = "; ".join(
        f"{label}: {old} → {new}" for label, old, new in update.described
    )
    what = "" if update.title == "Details" else f" ({update.title})"
    return f"Updated by {source}{what}: {changes}"[:NOTE_MAX]
