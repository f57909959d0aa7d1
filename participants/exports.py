"""The people list as CSV (issue 16): one plain query of the columns the file holds,
filtered as the list is, streamed from a server-side cursor. No per-row annotation the
file does not need (the list's overdue badge and no-shows), no prefetch per chunk (the
cohorts are joined in SQL), and one order: by reference, the import's key, so two
files of the same list compare line by line. Queries and memory stay the same
however many people the list holds (tests/test_csv_exports.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Aggregate,
    CharField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.http import HttpRequest, QueryDict

from academy import rules
from academy.exports import ExportKind
from academy.permissions import CASEWORK

from .filters import ParticipantFilterSet
from .models import Cohort, Participant, ParticipantCohort
from .selectors.evidence import MISSING_LABELS, age_on, missing_keys

CHUNK = 2_000  # rows fetched from the cursor at a time

# The file's columns: (code, label as on screen).
COLUMNS = (
    ("reference", "Reference"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("date_of_birth", "Date of birth"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("postcode", "Postcode"),
    ("claimant", "Benefit claimant"),
    ("benefit_type", "Benefit"),
    ("status_at_entry", "Economic status at start"),
    ("age_at_start", "Age at start"),
    ("source", "How they came"),
    ("cohorts", "Cohorts"),
    ("registered_on", "Registered on"),
    ("coordinator", "Coordinator"),
    ("status", "Case"),
    ("last_contact", "Last contact"),
    ("consent_to_share", "Agrees to share with providers"),
    ("right_to_work", "Right to work"),
    ("right_to_work_checked_on", "Right to work checked on"),
    ("right_to_work_checked_by", "Right to work checked by"),
    ("right_to_work_document", "Document kind seen"),
    ("start_evidence_missing", "Start evidence missing"),
)

# What the query reads, in this order (the row builder below unpacks it).
FIELDS = (
    "reference",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone_text",
    "postcode",
    "is_claimant",
    "benefit_type",
    "status_at_entry",
    "source",
    "cohort_codes",
    "registered_on",
    "coordinator__first_name",
    "coordinator__last_name",
    "coordinator__email",
    "status",
    "last_contact_at",
    "has_consent_to_share",
    "right_to_work",
    "right_to_work_checked_on",
    "right_to_work_checked_by_id",
    "right_to_work_checked_by__first_name",
    "right_to_work_checked_by__last_name",
    "right_to_work_checked_by__email",
    "right_to_work_document",
)


class CodesJoined(Aggregate):
    """Text values joined with commas: STRING_AGG on PostgreSQL, GROUP_CONCAT on
    SQLite (in no particular order: the row builder sorts them)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def cohort_codes() -> Subquery:
    """A person's cohort codes, joined, as one column of the export's query."""
    return Subquery(
        ParticipantCohort.objects.filter(participant=OuterRef("pk"))
        .order_by()
        .values("participant")
        .annotate(codes=CodesJoined("code"))
        .values("codes")[:1],
        output_field=CharField(),
    )


def people_export_query(people: QuerySet[Participant]) -> QuerySet[Any]:
    """The export's one query: the filtered people's columns by reference, without
    the list's annotations, joins it does not need or its sort."""
    return (
        people.order_by("reference")
        .annotate(
            cohort_codes=cohort_codes(),
            # The stored E.164 text, not parsed into a PhoneNumber per row.
            phone_text=ExpressionWrapper(F("phone"), output_field=CharField()),
        )
        .values_list(*FIELDS)
    )


def _name(first: str | None, last: str | None, email: str | None) -> str:
    # User.__str__: the full name, else the e-mail address.
    return f"{first or ''} {last or ''}".strip() or (email or "")


_LABELS: dict[str, dict[str, str]] = {
    "benefit_type": dict(Participant.BenefitType.choices),
    "status_at_entry": dict(Participant.EntryStatus.choices),
    "source": dict(Participant.Source.choices),
    "status": dict(Participant.Status.choices),
    "right_to_work": dict(Participant.RightToWork.choices),
    "right_to_work_document": dict(Participant.RightToWorkDocument.choices),
    "cohort": dict(Cohort.choices),
}


@dataclass(frozen=True)
class _Evidence:
    """What `missing_keys` reads of a person."""

    status_at_entry: str
    date_of_birth: Any
    right_to_work: str
    right_to_work_checked_on: Any
    right_to_work_checked_by_id: int | None
    right_to_work_document: str


def people_export_rows(
    people: QuerySet[Participant], *, codes: bool = False
) -> Iterator[Sequence[object]]:
    """Rows (header first) of the filtered list: as the screen shows them, or
    (`codes`) with the codes an import takes. Days, moments and yes or no are written
    by academy/csv_files.py's `cell`."""
    yield [code if codes else label for code, label in COLUMNS]

    def shown(kind: str, code: str) -> str:
        return code if codes else _LABELS[kind].get(code, code)

    def yes_no(value: bool) -> object:
        return ("yes" if value else "no") if codes else value

    for (
        reference,
        first_name,
        last_name,
        date_of_birth,
        email,
        phone,
        postcode,
        is_claimant,
        benefit_type,
        status_at_entry,
        source,
        cohort_list,
        registered_on,
        coordinator_first,
        coordinator_last,
        coordinator_email,
        status,
        last_contact_at,
        has_consent_to_share,
        right_to_work,
        checked_on,
        checked_by_id,
        checked_by_first,
        checked_by_last,
        checked_by_email,
        document,
    ) in people_export_query(people).iterator(chunk_size=CHUNK):
        missing = missing_keys(
            _Evidence(  # type: ignore[arg-type]
                status_at_entry,
                date_of_birth,
                right_to_work,
                checked_on,
                checked_by_id,
                document,
            )
        )
        yield [
            reference,
            first_name,
            last_name,
            date_of_birth,
            email,
            rules.phone_shown(phone) if phone else "",
            postcode,
            yes_no(is_claimant),
            shown("benefit_type", benefit_type),
            shown("status_at_entry", status_at_entry),
            age_on(date_of_birth, registered_on),
            shown("source", source),
            ";".join(
                shown("cohort", code)
                for code in sorted((cohort_list or "").split(","))
                if code
            ),
            registered_on,
            _name(coordinator_first, coordinator_last, coordinator_email),
            shown("status", status),
            last_contact_at,
            yes_no(has_consent_to_share),
            shown("right_to_work", right_to_work),
            checked_on,
            _name(checked_by_first, checked_by_last, checked_by_email)
            if checked_by_id
            else "",
            shown("right_to_work_document", document),
            (";" if codes else "; ").join(
                key if codes else MISSING_LABELS[key] for key in missing
            ),
        ]


@dataclass(frozen=True)
class PeopleExport:
    """The people list's filters applied to the academy's people, plainly."""

    people: QuerySet[Participant]
    codes: bool
    ignored: list[str]  # filters given that do not fit, left out (as the list does)

    def count(self) -> int:
        return self.people.order_by().count()

    def rows(self) -> Iterator[Sequence[object]]:
        return people_export_rows(self.people, codes=self.codes)

    def ids(self) -> QuerySet[Any]:
        """The people in the file, for the access record."""
        return self.people.order_by().values_list("pk", flat=True)


def people_export(request: HttpRequest, query: QueryDict) -> PeopleExport:
    """The list's filters (as its page reads them) over the membership's people,
    without what only the page shows."""
    filterset = ParticipantFilterSet(
        query,
        queryset=Participant.objects.for_membership(request.membership),  # type: ignore[attr-defined]
        request=request,
    )
    ignored = [
        f"{filterset.form.fields[name].label}: {' '.join(errors)}"
        for name, errors in filterset.form.errors.items()
        if name in filterset.form.fields
    ]
    return PeopleExport(
        filterset.qs, codes=query.get("columns") == "codes", ignored=ignored
    )


PEOPLE_EXPORT = ExportKind(
    key="people",
    label="the people list",
    roles=CASEWORK,
    list_url="participants:list",
    filename="participants",
    source=people_export,
)
