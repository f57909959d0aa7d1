"""Who is told what about a referral, through academy/notify.py: a provider's members
when one of their opportunities receives a referral, when one is withdrawn (details
withheld) and when an interview is tomorrow; the person's coordinator when a provider
moves one of their referrals; the person, when they agreed to be contacted, when an
interview is arranged or moved and the day before it.

What a provider is told is no more than its referral page shows it: the person's name
only while they consent to share their details, never their contact details or notes.
The services in referrals.py call these inside their transaction, so nothing is sent
for a change that rolls back; each message has a key, so it goes once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Q
from django.utils import timezone

from academy.days import moment_said, tomorrow_window
from academy.models import Membership, User
from academy.notify import Notice, Recipient, link, notify
from academy.permissions import Role
from participants.services import participant_recipient, reach_us

from ..models import Referral

__all__ = [
    "candidate_name",
    "interview_confirm",
    "interview_rearranged_tell",
    "interview_reminders_send",
    "place_in_sentence",
    "referral_moved_tell",
    "referral_received_tell",
]


def candidate_name(referral: Referral) -> str:
    """The person's name as a provider may see it: only with consent to share."""
    person = referral.participant
    return person.full_name if person.has_consent_to_share else ""


def _provider_members(referral: Referral) -> list[User]:
    """The active members of the organisation whose opportunity it is."""
    return [
        m.user
        for m in Membership.objects.active()
        .filter(
            academy_id=referral.participant.academy_id,
            role=Role.PROVIDER,
            organisation_id=referral.opportunity.organisation_id,
        )
        .select_related("user")
        .order_by("pk")
    ]


def _opportunity(referral: Referral) -> dict[str, Any]:
    opportunity = referral.opportunity
    return {
        "opportunity": opportunity.title,
        "organisation": str(opportunity.organisation),
        "is_vacancy": referral.vacancy_id is not None,
        "referral_url": link(referral.get_absolute_url()),
    }


def place_in_sentence(place: str) -> str:
    """An interview's place after a comma: '…, 14:30, by phone: …', not 'By phone'
    (how forms_referrals.HOW_SAID stores a call)."""
    for said in ("By phone", "By video call"):
        if place == said or place.startswith(f"{said}: "):
            return said[0].lower() + place[1:]
    return place


def _interview(referral: Referral) -> dict[str, Any]:
    assert referral.interview_at is not None  # noqa: S101 - callers check
    return {
        "when": timezone.localtime(referral.interview_at),
        "place": referral.interview_place,
        "place_said": place_in_sentence(referral.interview_place),
    }


def _tell_providers(
    referral: Referral, template: str, notice: Notice, key: str, **extra: Any
) -> int:
    context = {**_opportunity(referral), **extra}
    members = _provider_members(referral)
    for user in members:
        notify(
            to=Recipient.member(user),
            template=template,
            context=context,
            academy=referral.participant.academy,
            key=f"{key}:{user.pk}",
            participant=referral.participant,
            notice=notice,
        )
    return len(members)


def referral_received_tell(*, referral: Referral) -> None:
    """The provider's members are told of a referral to one of their opportunities."""
    _tell_providers(
        referral,
        "referral_received",
        Notice.REFERRAL_RECEIVED,
        f"referral:{referral.pk}:received",
        candidate=candidate_name(referral),
    )


def _by_provider(referral: Referral, by: User) -> bool:
    return (
        Membership.objects.active()
        .filter(user=by, academy_id=referral.participant.academy_id)
        .filter(role=Role.PROVIDER)
        .exists()
    )


def _tell_coordinator(referral: Referral, by: User, key: str, **extra: Any) -> None:
    """The person's coordinator, when a provider changed their referral."""
    coordinator = referral.participant.coordinator
    if coordinator is None or coordinator.pk == by.pk or not coordinator.is_active:
        return
    if not _by_provider(referral, by):
        return
    person = referral.participant
    notify(
        to=Recipient.member(coordinator),
        template="referral_moved",
        context={
            **_opportunity(referral),
            "person": person.full_name,
            "reference": person.reference,
            "stage": referral.get_stage_display(),
            "by": by.get_full_name(),
            **extra,
        },
        academy=person.academy,
        key=key,
        participant=person,
        notice=Notice.REFERRAL_MOVED,
    )


def interview_confirm(
    *, referral: Referral, was: dt.datetime | None = None, is_moved: bool = False
) -> None:
    """The person is told of their interview, if they agreed; when it moved (`was`
    its old time), that the old time is off, or that only its place changed."""
    if referral.interview_at is None:
        return
    person = referral.participant
    at = referral.interview_at
    place = hashlib.sha256(referral.interview_place.encode()).hexdigest()[:12]
    notify(
        to=participant_recipient(person),
        template="interview_arranged",
        context={
            **_opportunity(referral),
            **_interview(referral),
            **reach_us(person.academy, person.coordinator),
            "first_name": person.first_name,
            "said": moment_said(at, short=True),
            "was": moment_said(was, short=True)
            if was is not None and was != at
            else "",
            "is_moved": is_moved,
        },
        academy=person.academy,
        # A new time or a new place is told once each.
        key=f"referral:{referral.pk}:interview:{at.isoformat()}:{place}",
        participant=person,
    )


def referral_moved_tell(*, referral: Referral, was: str, by: User) -> None:
    """After a move: providers hear of a referral they can now see or that is
    withdrawn, the person of their interview, their coordinator of a provider's move."""
    to = referral.stage
    if to == Referral.Stage.REFERRED and was == Referral.Stage.SUGGESTED:
        referral_received_tell(referral=referral)
    if to == Referral.Stage.WITHDRAWN and was != Referral.Stage.SUGGESTED:
        # Details withheld: which opportunity, and that it was withdrawn; no name.
        _tell_providers(
            referral,
            "referral_withdrawn",
            Notice.REFERRAL_WITHDRAWN,
            f"referral:{referral.pk}:withdrawn",
        )
    if to == Referral.Stage.INTERVIEW:
        interview_confirm(referral=referral)
    extra = _interview(referral) if to == Referral.Stage.INTERVIEW else {}
    _tell_coordinator(referral, by, f"referral:{referral.pk}:moved:{to}", **extra)


def interview_rearranged_tell(
    *, referral: Referral, by: User, was: dt.datetime | None = None
) -> None:
    """The interview moved from `was`: the person is told the new time (and that the
    old one is off), the coordinator too if a provider moved it."""
    interview_confirm(referral=referral, was=was, is_moved=True)
    assert referral.interview_at is not None  # noqa: S101 - just set
    _tell_coordinator(
        referral,
        by,
        f"referral:{referral.pk}:interview-moved:{referral.interview_at.isoformat()}",
        is_rearranged=True,
        **_interview(referral),
    )


def interview_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind everyone with an interview tomorrow (London): the person, if they
    agreed and were not told of it today, and the provider's members. Each message's
    key names the referral and the interview's time, so a second run sends nothing
    again and a moved interview is reminded again. Returns how many interviews."""
    now = now or timezone.now()
    start, end = tomorrow_window(now)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    due = (
        Referral.objects.filter(
            stage=Referral.Stage.INTERVIEW,
            interview_at__gte=start,
            interview_at__lt=end,
        )
        .select_related(
            "participant__academy",
            "vacancy__organisation",
            "training__organisation",
        )
        .order_by("interview_at", "pk")
    )
    told_today = set(
        due.filter(
            Q(events__stage=Referral.Stage.INTERVIEW) & Q(events__at__gte=today)
        ).values_list("pk", flat=True)
    )
    count = 0
    for referral in due:
        assert referral.interview_at is not None  # noqa: S101 - filtered
        at = referral.interview_at.isoformat()
        person = referral.participant
        if referral.pk not in told_today:
            notify(
                to=participant_recipient(person),
                template="interview_reminder",
                context={
                    **_opportunity(referral),
                    **_interview(referral),
                    **reach_us(person.academy, person.coordinator),
                    "first_name": person.first_name,
                },
                academy=person.academy,
                key=f"referral:{referral.pk}:interview-reminder:{at}",
                participant=person,
            )
        _tell_providers(
            referral,
            "interview_tomorrow",
            Notice.INTERVIEW_TOMORROW,
            f"referral:{referral.pk}:interview-tomorrow:{at}",
            candidate=candidate_name(referral),
            **_interview(referral),
        )
        count += 1
    return count
