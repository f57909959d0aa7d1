"""Interviews arranged on referrals, as members may see them: the upcoming ones a
provider's home lists, and the diary entries of a provider's members (their
organisation's interviews) and of a coordinator (their caseload's). Registered with
participants' diary in VacanciesConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from academy.models import Membership
from academy.permissions import Role
from participants.diary import DiaryEntry

from .models import Referral

# How long an interview is taken to last in a diary (a referral records no end).
INTERVIEW_LENGTH = dt.timedelta(hours=1)
# The stages a referral with an interview may be in (it keeps the record moving on).
WITH_INTERVIEW = (
    Referral.Stage.INTERVIEW,
    Referral.Stage.OFFERED,
    Referral.Stage.STARTED,
    Referral.Stage.UNSUCCESSFUL,
    Referral.Stage.WITHDRAWN,
)


def interview_list(
    *, membership: Membership, start: dt.datetime, end: dt.datetime
) -> QuerySet[Referral]:
    """Interviews from `start` to `end` in `membership`'s diary: a provider's
    organisation's, a coordinator's caseload's; nobody else's."""
    rows = Referral.objects.for_membership(membership).filter(
        interview_at__gte=start, interview_at__lt=end, stage__in=WITH_INTERVIEW
    )
    if membership.role == Role.COORDINATOR:
        rows = rows.filter(participant__coordinator_id=membership.user_id)
    elif membership.role != Role.PROVIDER:
        return rows.none()
    return rows.select_related(
        "participant", "vacancy__organisation", "training__organisation"
    ).order_by("interview_at", "pk")


@dataclass(frozen=True)
class UpcomingInterview:
    """An interview as a provider's home lists it."""

    referral: Referral
    at: dt.datetime
    place: str
    candidate: str  # the consented name, or "" (shown as "a candidate")
    opportunity: str


def upcoming_interviews(
    *, membership: Membership, days: int = 14, now: dt.datetime | None = None
) -> list[UpcomingInterview]:
    """The interviews still to come in the next `days` days, with the candidate's
    name as the membership may see it."""
    now = now or timezone.now()
    rows = interview_list(
        membership=membership, start=now, end=now + dt.timedelta(days=days)
    ).filter(stage=Referral.Stage.INTERVIEW)
    return [
        UpcomingInterview(
            referral=r,
            at=timezone.localtime(r.interview_at),
            place=r.interview_place,
            candidate=candidate_name(r, membership),
            opportunity=r.opportunity.title,
        )
        for r in rows
        if r.interview_at is not None
    ]


def candidate_name(referral: Referral, membership: Membership) -> str:
    """A provider sees the name only while the person consents to share it."""
    person = referral.participant
    if membership.role == Role.PROVIDER and not person.has_consent_to_share:
        return ""
    return person.full_name


STATUS: dict[str, str] = {
    Referral.Stage.OFFERED: "Offered",
    Referral.Stage.STARTED: "Started",
    Referral.Stage.UNSUCCESSFUL: "Unsuccessful",
    Referral.Stage.WITHDRAWN: "Withdrawn",
}


def interview_diary(
    membership: Membership, start: dt.datetime, end: dt.datetime
) -> Iterable[DiaryEntry]:
    """The diary source of interviews: titles carry the name the member may see;
    private titles (calendar feeds) none."""
    for referral in interview_list(membership=membership, start=start, end=end):
        assert referral.interview_at is not None  # noqa: S101 - filtered
        opportunity = referral.opportunity
        what = f"{opportunity.title}, {opportunity.organisation}"
        shown = candidate_name(referral, membership)
        name = shown or "a candidate"
        yield DiaryEntry(
            uid=f"interview-{referral.pk}@vacancies",
            kind="interview",
            starts_at=referral.interview_at,
            ends_at=referral.interview_at + INTERVIEW_LENGTH,
            title=f"Interview: {name} — {what}",
            private_title=f"Interview — {what}",
            place=referral.interview_place,
            url=referral.get_absolute_url(),
            status=STATUS.get(referral.stage, ""),
            is_cancelled=referral.stage == Referral.Stage.WITHDRAWN,
            version=int(referral.updated_at.timestamp()),
            participant_id=referral.participant_id if shown else None,
        )
