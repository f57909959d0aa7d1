"""Reads of the staff's event pages: the list with places taken, an event's sign-ups
grouped as the page shows them, and each person as a member may see them (a provider
hosting the event sees a person's details only where they agreed to it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from academy.models import Membership
from academy.permissions import Role
from participants.models import Cohort, Participant

from .models import Event, SignUp

WITHHELD = "A person (details withheld)"


def event_list(*, membership: Membership) -> QuerySet[Event]:
    """The events a member may see (a provider: those its organisation hosts), with
    the places taken and the number waiting."""
    return (
        Event.objects.for_membership(membership)
        .annotate(
            places_taken=Count(
                "signups", filter=Q(signups__status__in=SignUp.HOLDING), distinct=True
            ),
            waiting_count=Count(
                "signups",
                filter=Q(signups__status=SignUp.Status.WAITING),
                distinct=True,
            ),
        )
        .prefetch_related("hosts")
    )


def is_shared(signup: SignUp) -> bool:
    """Whether the person agreed to their details being shared: a participant's
    current consent to share (a withdrawal counts at once), else what they agreed
    when they signed up."""
    if signup.participant_id is not None and signup.participant is not None:
        return signup.participant.has_consent_to_share
    return signup.has_consented


@dataclass(frozen=True)
class Attendee:
    """One sign-up as this member may see it."""

    signup: SignUp
    is_shown: bool
    name: str
    email: str = ""
    phone: str = ""
    participant: Participant | None = None  # staff only: the record it is linked to

    @property
    def pk(self) -> int:
        return int(self.signup.pk)

    @property
    def status(self) -> str:
        return str(self.signup.status)


def attendees(
    *,
    signups: Iterable[SignUp],
    membership: Membership,
    contact_if_consented: bool = False,
) -> list[Attendee]:
    """Each sign-up as `membership` may see it: staff see everyone; a provider sees
    only those who agreed to share, and "A person (details withheld)" for the rest.
    With `contact_if_consented` (a printed register), contact details only of people
    who agreed, whoever prints it."""
    is_staff = membership.role != Role.PROVIDER
    shown = []
    for signup in signups:
        shared = is_shared(signup)
        if not (is_staff or shared):
            shown.append(Attendee(signup, is_shown=False, name=WITHHELD))
            continue
        with_contact = shared or not contact_if_consented
        shown.append(
            Attendee(
                signup,
                is_shown=True,
                name=signup.full_name or "(no name given)",
                email=signup.email if with_contact else "",
                phone=str(signup.phone or "") if with_contact else "",
                participant=signup.participant if is_staff else None,
            )
        )
    return shown


def event_signups(*, event: Event) -> QuerySet[SignUp]:
    """Every sign-up of the event, in the order they came (the waiting list's order),
    with what each row shows."""
    return (
        SignUp.objects.filter(event=event)
        .select_related("participant", "enquiry")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class EventPeople:
    """An event's sign-ups grouped as its page shows them."""

    booked: list[Attendee] = field(default_factory=list)
    waiting: list[Attendee] = field(default_factory=list)
    attended: list[Attendee] = field(default_factory=list)
    no_show: list[Attendee] = field(default_factory=list)
    cancelled: list[Attendee] = field(default_factory=list)

    @property
    def places_taken(self) -> int:
        return len(self.booked) + len(self.attended)

    @property
    def at_the_door(self) -> list[Attendee]:
        """Who the register lists: everyone expected or come, in the order they
        signed up."""
        rows = [*self.booked, *self.attended, *self.no_show]
        return sorted(rows, key=lambda a: (a.signup.created_at, a.pk))

    @property
    def everyone(self) -> list[Attendee]:
        return [
            *self.booked,
            *self.waiting,
            *self.attended,
            *self.no_show,
            *self.cancelled,
        ]


def event_people(
    *, event: Event, membership: Membership, contact_if_consented: bool = False
) -> EventPeople:
    """The event's sign-ups, grouped by status, as `membership` may see them."""
    people = EventPeople()
    groups = {
        SignUp.Status.BOOKED: people.booked,
        SignUp.Status.WAITING: people.waiting,
        SignUp.Status.ATTENDED: people.attended,
        SignUp.Status.NO_SHOW: people.no_show,
        SignUp.Status.CANCELLED: people.cancelled,
    }
    for attendee in attendees(
        signups=event_signups(event=event),
        membership=membership,
        contact_if_consented=contact_if_consented,
    ):
        groups[SignUp.Status(attendee.status)].append(attendee)
    return people


def shown_records(rows: Iterable[Attendee]) -> tuple[list[int], list[int]]:
    """The participants and enquiries whose details `rows` show (for the audit)."""
    participant_ids, enquiry_ids = [], []
    for row in rows:
        if not row.is_shown:
            continue
        if row.signup.participant_id:
            participant_ids.append(int(row.signup.participant_id))
        if row.signup.enquiry_id:
            enquiry_ids.append(int(row.signup.enquiry_id))
    return participant_ids, enquiry_ids


def event_following(*, event: Event, membership: Membership | None = None) -> int:
    """How many later dates of the event's series there are (0 for one date); with
    `membership`, only those the member may see."""
    if event.series_id is None:
        return 0
    events = (
        Event.objects.for_membership(membership)
        if membership is not None
        else Event.objects.all()
    )
    return int(
        events.filter(series_id=event.series_id, starts_at__gt=event.starts_at).count()
    )


def audience_labels(event: Event) -> list[str]:
    """The cohorts an event is meant for, as people read them."""
    labels = dict(Cohort.choices)
    return [str(labels[code]) for code in event.audience or [] if code in labels]
