"""The audit pages as CSV (issue 16). The trail grows with every page anyone opens, so
a long period is written by a worker like any large export (academy/exports.py): each
file is one plain query of the filtered records, newest first as the page lists them,
streamed from a server-side cursor; members and people are written as their ids (no
query per row)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

from ..csv_files import utc_moment
from ..exports import ExportKind
from ..models import Academy
from ..permissions import ADMINS, Role
from . import selectors
from .filters import (
    AccessRecordFilterSet,
    AuditFilterSet,
    ChangeRecordFilterSet,
    SignInEventFilterSet,
)

CHUNK = 2_000


def _role_label(role: str) -> str:
    """A role as the screen names it (a role no longer known stays as stored)."""
    return Role(role).label if role in Role.values else role


def _access_rows(records: QuerySet[Any]) -> Iterator[Sequence[object]]:
    yield [
        "When (UTC)",
        "Member",
        "Role",
        "What",
        "Page",
        "Address",
        "Request",
        "People",
    ]
    for r in records.iterator(chunk_size=CHUNK):
        yield [
            utc_moment(r.at),
            r.user_email,
            _role_label(r.role),
            selectors.action_label(r.action),
            r.action,
            r.ip or "",
            r.request_id,
            " ".join(str(pk) for pk in r.participant_ids),
        ]


def _change_rows(records: QuerySet[Any]) -> Iterator[Sequence[object]]:
    yield ["When (UTC)", "Member id", "Record", "Row", "Change", "Person id", "Fields"]
    for r in records.iterator(chunk_size=CHUNK):
        fields = "; ".join(
            f"{f.label}: {f.old} → {f.new}" for f in selectors.field_changes(r)
        )
        yield [
            utc_moment(r.at),
            r.actor_id or "",
            selectors.table_label(r.table_name),
            r.row_id,
            r.get_operation_display(),
            r.participant_id or "",
            fields,
        ]


def _sign_in_rows(records: QuerySet[Any]) -> Iterator[Sequence[object]]:
    yield ["When (UTC)", "Event", "User id", "Username", "By", "Address", "Detail"]
    for r in records.iterator(chunk_size=CHUNK):
        yield [
            utc_moment(r.at),
            r.get_kind_display(),
            r.user_id or "",
            r.username,
            r.by_user_id or "",
            r.ip or "",
            r.detail,
        ]


@dataclass(frozen=True)
class AuditSource:
    """What one audit page exports: its records, and how a line reads."""

    filterset: type[AuditFilterSet]
    records: Callable[[Academy], QuerySet[Any]]
    rows: Callable[[QuerySet[Any]], Iterator[Sequence[object]]]


SOURCES = {
    "access": AuditSource(
        AccessRecordFilterSet,
        lambda academy: selectors.access_records(academy=academy),
        _access_rows,
    ),
    "changes": AuditSource(
        ChangeRecordFilterSet,
        lambda academy: selectors.change_records(academy=academy),
        _change_rows,
    ),
    "sign-ins": AuditSource(
        SignInEventFilterSet,
        lambda academy: selectors.sign_in_events(academy=academy),
        _sign_in_rows,
    ),
}


@dataclass(frozen=True)
class AuditExport:
    """One audit page's filtered records, as a file."""

    records: QuerySet[Any]
    source: AuditSource
    ignored: list[str]

    def count(self) -> int:
        return self.records.order_by().count()

    def rows(self) -> Iterator[Sequence[object]]:
        return self.source.rows(self.records)

    def people(self) -> QuerySet[Any]:
        """The people a changes file names (the export is an access to them)."""
        return (
            self.records.exclude(participant_id=None)
            .order_by()
            .values_list("participant_id", flat=True)
            .distinct()
        )


def audit_export(page: str) -> Callable[[HttpRequest, QueryDict], AuditExport]:
    """The export of one audit page, reading its filters as the page does."""
    source = SOURCES[page]

    def export(request: HttpRequest, query: QueryDict) -> AuditExport:
        filterset = source.filterset(
            query,
            queryset=source.records(request.academy),  # type: ignore[attr-defined]
            request=request,
        )
        ignored = [
            f"{filterset.form.fields[name].label}: {' '.join(errors)}"
            for name, errors in filterset.form.errors.items()
            if name in filterset.form.fields
        ]
        return AuditExport(filterset.qs, source, ignored)

    return export


AUDIT_EXPORTS = {
    page: ExportKind(
        key=f"audit-{page}",
        label=f"the audit ({title})",
        roles=ADMINS,
        list_url="academy:audit",
        filename=f"audit-{page}",
        source=audit_export(page),
    )
    for page, title in (
        ("access", "who saw records"),
        ("changes", "changes to records"),
        ("sign-ins", "sign-in events"),
    )
}
