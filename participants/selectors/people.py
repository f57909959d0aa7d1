"""Reads of people: the filtered list, likely duplicates, a record with its current
plan, consent and start evidence (the CSV export is participants/exports.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.query import ModelIterable
from django.utils import timezone

from academy import rules
from academy.models import Membership, User
from academy.places.geo import place_of

from ..models import (
    ConsentRecord,
    Enquiry,
    ImportRun,
    Participant,
    ParticipantCohort,
    ParticipantQuerySet,
    PlanAction,
    SkillsActionPlan,
    Task,
)
from .diary import no_shows_recent
from .evidence import MISSING, MISSING_LABELS, age_on, evidence_missing, missing_keys

NO_CONTACT_DAYS = 30

SORTS = {
    "name": ("last_name", "first_name", "pk"),
    "reference": ("reference", "pk"),
    "newest": ("-registered_on", "-pk"),
    "oldest": ("registered_on", "pk"),
    "last_contact": (F("last_contact_at").asc(nulls_first=True), "pk"),
}


def _overdue_tasks(today: dt.date) -> QuerySet[Task]:
    # Tasks are the list of what is due, whatever their source (a plan action, a
    # check, a next step, one written by hand): one EXISTS on (participant, status).
    return Task.objects.filter(
        participant=OuterRef("pk"), status=Task.Status.OPEN, due_on__lt=today
    )


class ListedPeople(ParticipantQuerySet):
    """The people list's rows: once a page of them is fetched, each is marked with
    `has_overdue_task` and `missed_recently` by one query over the shown rows' pks,
    so the query that sorts and pages the academy's people carries no subquery per
    row (a deep page or a count pays nothing for them)."""

    def _fetch_all(self) -> None:
        marking = self._result_cache is None and self._iterable_class is ModelIterable
        super()._fetch_all()
        if marking and self._result_cache:
            people_marks(self._result_cache)


def people_marks(people: list[Participant]) -> None:
    """Mark each person with an open task overdue (`has_overdue_task`) and their
    appointments missed lately (`missed_recently`): one query, for these people."""
    today = timezone.localdate()
    marks = {
        pk: (overdue, missed)
        for pk, overdue, missed in Participant.objects.filter(
            pk__in=[p.pk for p in people]
        )
        .annotate(
            has_overdue_task=Exists(_overdue_tasks(today)),
            missed_recently=no_shows_recent(),
        )
        .order_by()
        .values_list("pk", "has_overdue_task", "missed_recently")
    }
    for person in people:
        person.has_overdue_task, person.missed_recently = marks.get(  # type: ignore[attr-defined]
            person.pk, (False, 0)
        )


def participant_list(*, membership: Membership) -> QuerySet[Participant]:
    """The academy's participants with what the list shows, sorted by name; the
    list's filters (participants/filters.py) narrow it with the functions below.
    Each row fetched is marked (ListedPeople), in one query for the page."""
    people = (
        Participant.objects.for_membership(membership)
        .select_related("coordinator")
        .prefetch_related(
            Prefetch("cohorts", queryset=ParticipantCohort.objects.order_by("code"))
        )
        .order_by(*SORTS["name"])
    )
    people.__class__ = ListedPeople
    return people


# A search narrows to the people it matches through the trigram indexes first
# (participants migration 0011), then sorts those; with more matches than this, the
# matches are many enough that sorting first and filtering as it goes is quick.
SEARCH_NARROW = 2_000
FOUND_FIRST = "found_first"


def people_matching(people: QuerySet[Participant], text: str) -> QuerySet[Participant]:
    """Name, reference, e-mail, phone or postcode, as a coordinator would type them.

    The matches' pks are read first (a bitmap of the trigram indexes, no order), so
    that PostgreSQL does not walk the academy in name order hoping to meet 50
    matches soon: "Okafor" is past 59,000 people, a typing slip past all of them."""
    if not text.strip():
        return people
    matching = people_found(people, text)
    found = list(matching.order_by().values_list("pk", flat=True)[: SEARCH_NARROW + 1])
    if len(found) > SEARCH_NARROW:
        return matching
    # FOUND_FIRST leads the sort (people_sorted): no index serves it, so the few
    # matches are fetched by pk and then sorted, not met while walking an index.
    return people.filter(pk__in=found).alias(**{FOUND_FIRST: F("academy_id") + 0})


def people_found(people: QuerySet[Participant], text: str) -> QuerySet[Participant]:
    """The people whose name, reference, e-mail, phone or postcode match `text`, as
    one condition the trigram indexes serve (PostgreSQL), unsorted."""
    return people.filter(_search(text))


def people_in_cohort(people: QuerySet[Participant], code: str) -> QuerySet[Participant]:
    return people.filter(
        Exists(ParticipantCohort.objects.filter(participant=OuterRef("pk"), code=code))
    )


def people_on_pathway(
    people: QuerySet[Participant], pathway: str
) -> QuerySet[Participant]:
    """People whose active plan follows `pathway`."""
    return people.filter(
        Exists(
            SkillsActionPlan.objects.filter(
                participant=OuterRef("pk"),
                pathway=pathway,
                status=SkillsActionPlan.Status.ACTIVE,
            )
        )
    )


def people_without_contact(people: QuerySet[Participant]) -> QuerySet[Participant]:
    """No contact for NO_CONTACT_DAYS (or never, and registered before that)."""
    today = timezone.localdate()
    since = timezone.now() - dt.timedelta(days=NO_CONTACT_DAYS)
    return people.filter(
        Q(last_contact_at__lt=since)
        | Q(
            last_contact_at__isnull=True,
            registered_on__lt=today - dt.timedelta(days=NO_CONTACT_DAYS),
        )
    )


def people_with_overdue_task(
    people: QuerySet[Participant],
) -> QuerySet[Participant]:
    """People with an open task due before today."""
    return people.filter(Exists(_overdue_tasks(timezone.localdate())))


def people_missing_evidence(
    people: QuerySet[Participant], key: str
) -> QuerySet[Participant]:
    """People who lack start evidence: any of it (`key` "any"), or one kind of it
    (a MISSING key)."""
    if key == "any":
        return people.filter(evidence_missing())
    return people.filter(*(m.condition for m in MISSING if m.key == key))


def people_sorted(people: QuerySet[Participant], sort: str) -> QuerySet[Participant]:
    keys = SORTS.get(sort, SORTS["name"])
    if FOUND_FIRST in people.query.annotations:  # a search's few matches
        return people.order_by(FOUND_FIRST, *keys)
    return people.order_by(*keys)


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
        .select_related(
            "coordinator", "referring_organisation", "right_to_work_checked_by"
        )
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


# The kinds of document in a sentence: "confirmed on 3 Feb 2025 by … (share code)".
_DOCUMENT = Participant.RightToWorkDocument
_DOCUMENT_SAID: dict[str, str] = {
    _DOCUMENT.UK_IRISH_PASSPORT: "UK or Irish passport",
    _DOCUMENT.BIRTH_CERTIFICATE: "birth certificate and NI number",
    _DOCUMENT.NATURALISATION: "naturalisation certificate",
    _DOCUMENT.SHARE_CODE: "share code",
    _DOCUMENT.DIGITAL_IDENTITY: "digital identity check",
    _DOCUMENT.EMPLOYER_CHECKING: "Employer Checking Service",
    _DOCUMENT.OTHER: "another document on the Home Office lists",
}


def right_to_work_said(
    *,
    status: str,
    checked_on: dt.date | None,
    checked_by: User | None,
    document: str,
) -> str:
    """A right to work as the person's page and timeline say it: "confirmed on 3 Feb
    2025 by Sam Coordinator (share code)", or the status ("not checked yet")."""
    if status != Participant.RightToWork.YES:
        return str(Participant.RightToWork(status).label).lower()
    said = "confirmed"
    if checked_on:
        said += f" on {checked_on.day} {checked_on:%b %Y}"
    if checked_by:
        said += f" by {checked_by}"
    if document:
        said += f" ({_DOCUMENT_SAID.get(document, document)})"
    return said


@dataclass(frozen=True)
class StartEvidence:
    """What a funder asks for at a person's start, as their page shows it."""

    age_at_start: int | None
    economic_status: str
    right_to_work: str
    missing: list[str]  # what to fix (MISSING labels)


def start_evidence(*, participant: Participant) -> StartEvidence:
    """A person's start evidence: age and economic status at start, the right-to-work
    check in words, and what is missing (selectors/evidence.py's rules)."""
    p = participant
    return StartEvidence(
        age_at_start=age_on(p.date_of_birth, p.registered_on),
        economic_status=p.get_status_at_entry_display() if p.status_at_entry else "",
        right_to_work=right_to_work_said(
            status=p.right_to_work,
            checked_on=p.right_to_work_checked_on,
            checked_by=p.right_to_work_checked_by,
            document=p.right_to_work_document,
        ),
        missing=[MISSING_LABELS[key] for key in missing_keys(p)],
    )


def postcode_notices(*, participant: Participant) -> list[str]:
    """What to know about a participant's postcode: one the portal cannot place has
    no distances to jobs."""
    if not participant.postcode or place_of(participant.postcode) is not None:
        return []
    return [
        "This postcode's area is not in the portal's postcode list, so distances to "
        "jobs are unavailable for this person."
    ]


def enquiry_queue(*, membership: Membership) -> QuerySet[Enquiry]:
    """The academy's enquiries: new first, then contacted, each oldest first so that
    nobody waits; then the finished ones, newest first."""
    rank = Case(
        When(status=Enquiry.Status.NEW, then=Value(0)),
        When(status=Enquiry.Status.CONTACTED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    waiting = (Enquiry.Status.NEW, Enquiry.Status.CONTACTED)
    waiting_since = Case(When(status__in=waiting, then=F("created_at")), default=None)
    return (
        Enquiry.objects.for_membership(membership)
        .alias(rank=rank, waiting_since=waiting_since)
        .order_by("rank", "waiting_since", "-created_at", "-pk")
    )


def import_run_people(*, run: ImportRun) -> list[int]:
    """The academy's participants an import's preview names (records it would change,
    conflicts, and those a new row looks like), for the access record."""
    summary = run.summary or {}
    references = {
        item.get("reference", "")
        for key in ("changes", "conflicts", "duplicates")
        for item in summary.get(key, [])
    }
    references |= {
        match[0]
        for item in summary.get("duplicates", [])
        for match in item.get("matches", [])
        if match
    }
    references.discard("")
    if not references:
        return []
    return list(
        Participant.objects.filter(
            academy_id=run.academy_id, reference__in=references
        ).values_list("pk", flat=True)
    )
