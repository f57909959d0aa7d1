"""Reads of people: the filtered list, likely duplicates, a record with its current plan
and consent, and the CSV export of the list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from academy import rules
from academy.models import Membership
from academy.registry import Registry

from ..models import (
    ConsentRecord,
    Participant,
    ParticipantCohort,
    PlanAction,
    SkillsActionPlan,
)

NO_CONTACT_DAYS = 30

SORTS = {
    "name": ("last_name", "first_name", "pk"),
    "reference": ("reference", "pk"),
    "newest": ("-registered_on", "-pk"),
    "oldest": ("registered_on", "pk"),
    "last_contact": (F("last_contact_at").asc(nulls_first=True), "pk"),
}


@dataclass(frozen=True)
class ParticipantFilter:
    """What a coordinator typed and chose above the list of people."""

    q: str = ""
    status: str = "open"
    cohort: str = ""
    coordinator: int | None = None
    claimant: bool | None = None
    pathway: str = ""
    no_contact: bool = False
    action_overdue: bool = False
    sort: str = "name"


def _overdue_actions(today: dt.date) -> QuerySet[PlanAction]:
    return PlanAction.objects.filter(
        plan__participant=OuterRef("pk"), completed_on__isnull=True, due_on__lt=today
    )


def participant_list(
    *, membership: Membership, filters: ParticipantFilter | None = None
) -> QuerySet[Participant]:
    """The academy's participants matching the filters, with what the list shows."""
    filters = filters or ParticipantFilter()
    today = timezone.localdate()
    people = Participant.objects.for_membership(membership)
    if filters.q:
        people = people.filter(_search(filters.q))
    if filters.status in Participant.Status.values:
        people = people.filter(status=filters.status)
    if filters.cohort:
        people = people.filter(
            Exists(
                ParticipantCohort.objects.filter(
                    participant=OuterRef("pk"), code=filters.cohort
                )
            )
        )
    if filters.coordinator:
        people = people.filter(coordinator_id=filters.coordinator)
    if filters.claimant is not None:
        people = people.filter(is_claimant=filters.claimant)
    if filters.pathway:
        people = people.filter(
            Exists(
                SkillsActionPlan.objects.filter(
                    participant=OuterRef("pk"),
                    pathway=filters.pathway,
                    status=SkillsActionPlan.Status.ACTIVE,
                )
            )
        )
    if filters.no_contact:
        since = timezone.now() - dt.timedelta(days=NO_CONTACT_DAYS)
        people = people.filter(
            Q(last_contact_at__lt=since)
            | Q(
                last_contact_at__isnull=True,
                registered_on__lt=today - dt.timedelta(days=NO_CONTACT_DAYS),
            )
        )
    if filters.action_overdue:
        people = people.filter(Exists(_overdue_actions(today)))
    return (
        people.select_related("coordinator")
        .prefetch_related(
            Prefetch("cohorts", queryset=ParticipantCohort.objects.order_by("code"))
        )
        .annotate(has_overdue_action=Exists(_overdue_actions(today)))
        .order_by(*SORTS.get(filters.sort, SORTS["name"]))
    )


def _search(text: str) -> Q:
    """Name, reference, e-mail, phone or postcode, as a coordinator would type them."""
    query = Q()
    words = text.split()
    if len(words) >= 2:
        query |= Q(
            first_name__icontains=words[0], last_name__icontains=" ".join(words[1:])
        )
    for word in [text.strip()]:
        query |= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(reference__iexact=word)
            | Q(email__iexact=word)
            | Q(postcode__iexact=word)
            | Q(postcode__istartswith=word.upper())
        )
    e164 = rules.phone_e164(text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if e164 is not None:
        query |= Q(phone=e164)
    elif len(digits) >= 6:
        query |= Q(phone__contains=digits[-6:])
    return query


def participant_duplicates(
    *,
    membership: Membership,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
    email: str,
    phone: str,
    exclude_pk: int | None = None,
) -> list[Participant]:
    """Records that are likely the same person: same name and date of birth, or the same
    e-mail, or the same phone number."""
    query = Q()
    if first_name and last_name and date_of_birth:
        query |= Q(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
    if email:
        query |= Q(email__iexact=email.strip())
    e164 = rules.phone_e164(str(phone)) if phone else None
    if e164 is not None:  # stored in E.164, so equal numbers are equal text
        query |= Q(phone=e164)
    if not query:
        return []
    candidates = (
        Participant.objects.for_membership(membership).filter(query).order_by("pk")
    )
    return [p for p in candidates[:11] if p.pk != exclude_pk][:10]


def participant_detail(*, membership: Membership, pk: int) -> Participant:
    """One participant of the membership's academy, with what the detail page shows."""
    return (
        Participant.objects.for_membership(membership)
        .select_related("coordinator", "referring_organisation")
        .prefetch_related("cohorts")
        .get(pk=pk)
    )


def plan_current(*, participant: Participant) -> SkillsActionPlan | None:
    """The most recently agreed plan, with its actions."""
    return (
        participant.plans.prefetch_related(
            Prefetch(
                "actions",
                queryset=PlanAction.objects.order_by("completed_on", "due_on"),
            )
        )
        .order_by("-agreed_on", "-pk")
        .first()
    )


def consent_latest(*, participant: Participant) -> dict[str, ConsentRecord]:
    """The latest ledger entry of each consent kind."""
    latest: dict[str, ConsentRecord] = {}
    for record in participant.consents.select_related("recorded_by").order_by(
        "-recorded_at", "-pk"
    ):
        latest.setdefault(record.kind, record)
    return latest


EXPORT_COLUMNS = (
    "reference",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "postcode",
    "claimant",
    "benefit_type",
    "status_at_entry",
    "source",
    "cohorts",
    "registered_on",
    "coordinator",
    "status",
    "last_contact",
    "consent_to_share",
)


def _safe(value: object) -> str:
    """Neutralise spreadsheet formulas (spec/security.md INP-4)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def participant_export_rows(people: QuerySet[Participant]) -> Iterator[list[str]]:
    """CSV rows (header first) of the filtered list, streamed in chunks."""
    yield list(EXPORT_COLUMNS)
    for p in people.iterator(chunk_size=2000):
        yield [
            _safe(v)
            for v in (
                p.reference,
                p.first_name,
                p.last_name,
                p.date_of_birth.isoformat() if p.date_of_birth else "",
                p.email,
                rules.phone_shown(p.phone),
                p.postcode,
                "yes" if p.is_claimant else "no",
                p.benefit_type,
                p.status_at_entry,
                p.source,
                ";".join(c.code for c in p.cohorts.all()),
                p.registered_on.isoformat(),
                p.coordinator.get_full_name() if p.coordinator else "",
                p.status,
                timezone.localtime(p.last_contact_at).strftime("%Y-%m-%d %H:%M")
                if p.last_contact_at
                else "",
                "yes" if p.has_consent_to_share else "no",
            )
        ]


# Functions (postcode) -> a notice or None that other apps register (the vacancies
# app: a postcode it cannot place, so distances to jobs are unavailable).
postcode_notice_hooks: Registry[Callable[[str], str | None]] = Registry(
    "notices about a postcode"
)


def postcode_notices(*, participant: Participant) -> list[str]:
    """What other apps have to say about a participant's postcode."""
    if not participant.postcode:
        return []
    notices = (hook(participant.postcode) for hook in postcode_notice_hooks)
    return [notice for notice in notices if notice]
