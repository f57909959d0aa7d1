"""The academy admin's audit pages: who saw whose records, every change to casework,
and sign-in events; each filtered by person, member and dates, and exported as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from .audit import access_record, selectors
from .audit.exports import AUDIT_EXPORTS
from .audit.exports import audit_export as audit_export_of
from .audit.filters import (
    AccessRecordFilterSet,
    AuditFilterSet,
    ChangeRecordFilterSet,
    SignInEventFilterSet,
)
from .lists import list_page, list_query, list_search_redirect
from .permissions import admin_required
from .ratelimit import bulk_limited
from .reauth import reauth_required
from .tenancy import AcademyRequest
from .views_exports import export_respond


@dataclass(frozen=True)
class AuditPage:
    key: str
    title: str
    filterset: type[AuditFilterSet]


PAGES = {
    "access": AuditPage("access", "Who saw records", AccessRecordFilterSet),
    "changes": AuditPage("changes", "Changes to records", ChangeRecordFilterSet),
    "sign-ins": AuditPage("sign-ins", "Sign-in events", SignInEventFilterSet),
}


def _queryset(request: AcademyRequest, key: str) -> Any:
    academy = request.academy
    if key == "access":
        return selectors.access_records(academy=academy)
    if key == "changes":
        return selectors.change_records(academy=academy)
    return selectors.sign_in_events(academy=academy)


def _filterset(request: AcademyRequest, page: AuditPage) -> AuditFilterSet:
    return page.filterset(
        list_query(request, page.filterset),
        queryset=_queryset(request, page.key),
        request=request,
    )


@dataclass(frozen=True)
class Row:
    """One line of an audit table, ready to show."""

    record: Any
    who: str
    people: list[str]
    by: str = ""
    what: str = ""
    action: str = ""
    fields: tuple[selectors.FieldChange, ...] = ()


def _name(users: dict[int, Any], pk: int | None, fallback: str = "") -> str:
    user = users.get(pk) if pk is not None else None
    return f"{user} ({user.email})" if user is not None else fallback


def _rows(key: str, records: list[Any]) -> list[Row]:
    """The page's records with members' names and people's references."""
    if key == "access":
        users = selectors.users_by_id(r.user_id for r in records)
        refs = selectors.references_by_id(
            pk for r in records for pk in r.participant_ids[:20]
        )
        return [
            Row(
                record=r,
                who=_name(users, r.user_id, r.user_email),
                people=[refs.get(pk, f"#{pk}") for pk in r.participant_ids[:20]],
                action=selectors.action_label(r.action),
            )
            for r in records
        ]
    if key == "changes":
        users = selectors.users_by_id(r.actor_id for r in records)
        refs = selectors.references_by_id(r.participant_id for r in records)
        return [
            Row(
                record=r,
                who=_name(users, r.actor_id, "The system"),
                people=[refs.get(r.participant_id, f"#{r.participant_id}")]
                if r.participant_id
                else [],
                what=selectors.table_label(r.table_name),
                fields=tuple(selectors.field_changes(r)),
            )
            for r in records
        ]
    users = selectors.users_by_id(
        [r.user_id for r in records] + [r.by_user_id for r in records]
    )
    return [
        Row(
            record=r,
            who=_name(users, r.user_id, r.username),
            people=[],
            by=_name(users, r.by_user_id),
        )
        for r in records
    ]


def _shared_filters(request: AcademyRequest) -> str:
    kept = request.GET.copy()
    for name in list(kept):
        if name not in ("search", "user", "since", "until"):
            del kept[name]
    return kept.urlencode()


@admin_required
def audit_list(request: AcademyRequest, kind: str = "access") -> HttpResponse:
    """One of the three audit pages. Searching by person posts, so that a reference
    never goes in a URL."""
    page_def = PAGES.get(kind)
    if page_def is None:
        raise Http404("No such audit page.")
    if request.method == "POST":
        return list_search_redirect(request, page_def.filterset)
    filterset = _filterset(request, page_def)
    page = list_page(request, filterset.qs)
    rows = _rows(page_def.key, list(page.object_list))
    if page_def.key == "changes":  # shows what the records said: an access too
        access_record(
            request, participants=[r.record.participant_id for r in rows if r.people]
        )
    return render(
        request,
        "academy/audit.html",
        {
            "pages": PAGES.values(),
            "current": page_def,
            "filterset": filterset,
            "page": page,
            "rows": rows,
            # Switching page keeps the person, the member and the dates.
            "keep": _shared_filters(request),
        },
    )


@admin_required
@reauth_required
@bulk_limited
def audit_export(request: AcademyRequest, kind: str) -> HttpResponseBase:
    """The filtered audit page as CSV: at once when small, else written by a worker
    (academy/exports.py). Exporting the changes is itself recorded: the access
    record names the people in them."""
    page_def = PAGES.get(kind)
    if page_def is None:
        raise Http404("No such audit page.")
    query = list_query(request, page_def.filterset)
    export = audit_export_of(page_def.key)(request, query)
    if kind == "changes":
        access_record(request, participants=export.people())
    return export_respond(
        request, kind=AUDIT_EXPORTS[page_def.key], source=export, query=query
    )
