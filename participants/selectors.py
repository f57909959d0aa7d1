"""Reads of casework, always scoped to a membership: lists, duplicates, the timeline and
a coordinator's day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from academy.models import Membership, User
from academy.permissions import Role

from .models import (
    ConsentRecord,
    Enquiry,
    Meeting,
    Participant,
    ParticipantCohort,
    PlanAction,
    PlanReview,
    SkillsActionPlan,
    SustainmentCheck,
)
from .services.casework import normalise_phone

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
    digits = normalise_phone(text)
    if len(digits) >= 6:
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
    phone_digits = normalise_phone(phone)
    candidates: list[Participant] = []
    if query:
        candidates = list(
            Participant.objects.for_membership(membership)
            .filter(query)
            .order_by("pk")[:10]
        )
    if len(phone_digits) >= 10:
        # Phones are stored as typed; compare digits of those sharing the last six.
        for person in Participant.objects.for_membership(membership).filter(
            phone__contains=phone_digits[-4:]
        )[:50]:
            if (
                normalise_phone(person.phone) == phone_digits
                and person not in candidates
            ):
                candidates.append(person)
    return [p for p in candidates if p.pk != exclude_pk]


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


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to a participant, for the timeline."""

    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    by: str = ""
    link: str = ""


def _day(value: dt.date, created: dt.datetime | None = None) -> dt.datetime:
    """When a dated record happened: the moment it was typed in if that was on the
    same day (so today's entries keep their order), else 09:00 that day."""
    if created is not None and timezone.localtime(created).date() == value:
        return created
    return timezone.make_aware(dt.datetime.combine(value, dt.time(9, 0)))


# Functions (participant) -> iterable of TimelineEntry that other apps register (the
# vacancies app adds referrals), so that participants never imports them.
timeline_hooks: list[Callable[[Participant], list[TimelineEntry]]] = []


def participant_timeline(*, participant: Participant) -> list[TimelineEntry]:
    """Everything that happened to a participant, newest first."""
    entries: list[TimelineEntry] = [
        TimelineEntry(
            _day(participant.registered_on, participant.created_at),
            "registered",
            "Registered",
            participant.get_source_display() if participant.source else "",
        )
    ]
    for m in participant.meetings.select_related("recorded_by"):
        detail = m.notes
        if m.next_step:
            when = f" by {m.next_step_on:%d %b %Y}" if m.next_step_on else ""
            detail = f"{detail}\nNext step: {m.next_step}{when}".strip()
        title = m.get_kind_display() + (f" at {m.location}" if m.location else "")
        entries.append(
            TimelineEntry(m.held_at, "meeting", title, detail, _by(m.recorded_by))
        )
    for plan in participant.plans.select_related("agreed_by"):
        detail = ", ".join(
            x for x in (plan.get_pathway_display(), plan.target_role) if x
        )
        entries.append(
            TimelineEntry(
                _day(plan.agreed_on, plan.updated_at),
                "plan",
                "Skills action plan agreed",
                detail,
                _by(plan.agreed_by),
            )
        )
    for review in PlanReview.objects.filter(
        plan__participant=participant
    ).select_related("reviewed_by"):
        entries.append(
            TimelineEntry(
                _day(review.reviewed_on),
                "plan",
                "Plan reviewed",
                review.summary,
                _by(review.reviewed_by),
            )
        )
    for s in participant.support.select_related("recorded_by", "referred_to"):
        detail = s.notes + (f"\nReferred to {s.referred_to}" if s.referred_to else "")
        entries.append(
            TimelineEntry(
                _day(s.given_on, s.created_at),
                "support",
                f"{s.get_kind_display()} support",
                detail.strip(),
                _by(s.recorded_by),
            )
        )
    for o in participant.outcomes.select_related("recorded_by"):
        parts = [o.role, o.employer, o.get_sector_display() if o.sector else ""]
        entries.append(
            TimelineEntry(
                _day(o.started_on, o.created_at),
                "outcome",
                f"Started: {o.get_kind_display().lower()}",
                ", ".join(p for p in parts if p),
                _by(o.recorded_by),
            )
        )
    for c in SustainmentCheck.objects.filter(
        outcome__participant=participant, status=SustainmentCheck.Status.DONE
    ).select_related("checked_by"):
        answer = "still in work" if c.is_in_work else "no longer in work"
        entries.append(
            TimelineEntry(
                _day(c.checked_on or c.due_on),
                "outcome",
                f"{c.weeks}-week check: {answer}",
                f"{c.get_confirmed_how_display()} {c.confirmed_by}".strip(),
                _by(c.checked_by),
            )
        )
    for r in participant.consents.select_related("recorded_by"):
        verb = "given" if r.is_given else "withdrawn"
        entries.append(
            TimelineEntry(
                r.recorded_at,
                "consent",
                f"Consent {verb}",
                r.get_kind_display(),
                _by(r.recorded_by),
            )
        )
    for n in participant.case_notes.select_related("written_by"):
        entries.append(
            TimelineEntry(n.written_at, "note", n.text, "", _by(n.written_by))
        )
    for e in participant.enquiries.all():
        entries.append(
            TimelineEntry(
                e.created_at,
                "enquiry",
                "Registered interest through the campaign",
                e.interest,
                "",
                reverse("participants:enquiry-detail", args=[e.pk]),
            )
        )
    for hook in timeline_hooks:
        entries.extend(hook(participant))
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _by(user: User | None) -> str:
    return str(user) if user else ""


def actions_overdue(
    *, membership: Membership, mine_only: bool = False
) -> QuerySet[PlanAction]:
    """Open cases' plan actions past their due date, oldest first."""
    actions = (
        PlanAction.objects.for_membership(membership)
        .filter(
            completed_on__isnull=True,
            due_on__lt=timezone.localdate(),
            plan__participant__status=Participant.Status.OPEN,
        )
        .select_related("plan__participant")
        .order_by("due_on", "pk")
    )
    if mine_only:
        actions = actions.filter(plan__participant__coordinator=membership.user)
    return actions


def checks_due(
    *, membership: Membership, mine_only: bool = False
) -> QuerySet[SustainmentCheck]:
    """Sustainment checks raised as due and not yet answered, oldest first."""
    checks = (
        SustainmentCheck.objects.for_membership(membership)
        .filter(status=SustainmentCheck.Status.DUE)
        .select_related("outcome__participant")
        .order_by("due_on", "pk")
    )
    if mine_only:
        checks = checks.filter(outcome__participant__coordinator=membership.user)
    return checks


def next_steps_due(*, membership: Membership) -> QuerySet[Meeting]:
    """Next steps of the coordinator's caseload due by today with no contact since."""
    return (
        Meeting.objects.for_membership(membership)
        .filter(
            participant__coordinator=membership.user,
            participant__status=Participant.Status.OPEN,
            next_step_on__lte=timezone.localdate(),
            participant__last_contact_at=F("held_at"),
        )
        .exclude(next_step="")
        .select_related("participant")
        .order_by("next_step_on")
    )


@dataclass
class CoordinatorDay:
    """What a coordinator's home page lists as today's work."""

    next_steps: list[Meeting] = field(default_factory=list)
    overdue_actions: list[PlanAction] = field(default_factory=list)
    overdue_action_count: int = 0
    checks_due: list[SustainmentCheck] = field(default_factory=list)
    checks_due_count: int = 0
    new_enquiries: int = 0
    caseload: int = 0


def coordinator_day(*, membership: Membership, limit: int = 8) -> CoordinatorDay:
    """Today's work of a coordinator: next steps, overdue actions, checks, enquiries."""
    actions = actions_overdue(membership=membership, mine_only=True)
    checks = checks_due(membership=membership, mine_only=True)
    return CoordinatorDay(
        next_steps=list(next_steps_due(membership=membership)[:limit]),
        overdue_actions=list(actions[:limit]),
        overdue_action_count=actions.count(),
        checks_due=list(checks[:limit]),
        checks_due_count=checks.count(),
        new_enquiries=Enquiry.objects.for_membership(membership)
        .filter(status=Enquiry.Status.NEW)
        .count(),
        caseload=Participant.objects.for_membership(membership)
        .open()
        .filter(coordinator=membership.user)
        .count(),
    )


def coordinator_choices(*, membership: Membership) -> QuerySet[User]:
    """People who can hold a caseload in the academy: its coordinators and admins."""
    return User.objects.filter(
        memberships__academy=membership.academy,
        memberships__role__in=[Role.COORDINATOR, Role.ADMIN],
        memberships__is_active=True,
        is_active=True,
    ).order_by("first_name", "last_name")


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
                p.phone,
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
