"""What the vacancies app adds to lower apps' pages, which never import it: the
participant timeline (referral moves, events) and home-page panels.
VacanciesConfig.ready() registers them (and the services' merge and outcome hooks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from academy.home import HomePanel, home_panel
from academy.models import Membership
from academy.permissions import Role
from participants.models import Enquiry, Participant
from participants.selectors import TimelineEntry

from . import interviews, selectors
from .models import Referral, ReferralEvent, SignUp

# What each move of a referral says on the timeline, in words that read as a line of
# their own ("Referral made", not "Referral referred").
MOVED: dict[str, str] = {
    Referral.Stage.SUGGESTED: "Referral suggested",
    Referral.Stage.REFERRED: "Referral made",
    Referral.Stage.INTERVIEW: "Interview arranged",
    Referral.Stage.UNSUCCESSFUL: "Referral unsuccessful",
    Referral.Stage.WITHDRAWN: "Referral withdrawn",
}


def _moved(event: ReferralEvent) -> str:
    """The timeline's words for one move; an offer and a start name what they are."""
    is_job = event.referral.vacancy_id is not None
    if event.stage == Referral.Stage.OFFERED:
        return "Job offered" if is_job else "Place offered"
    if event.stage == Referral.Stage.STARTED:
        return "Job started" if is_job else "Training started"
    return MOVED.get(event.stage, event.get_stage_display())


def referral_timeline(participant: Participant) -> list[TimelineEntry]:
    """Each move of each of the participant's referrals."""
    events = ReferralEvent.objects.filter(
        referral__participant=participant
    ).select_related(
        "referral__vacancy__organisation", "referral__training__organisation", "by"
    )
    entries = []
    for event in events:
        opportunity = event.referral.opportunity
        title = f"{_moved(event)}: {opportunity.title}"
        entries.append(
            TimelineEntry(
                timezone.make_aware(dt.datetime.combine(event.on, dt.time(9, 0)))
                if event.on != timezone.localtime(event.at).date()
                else event.at,
                "referral",
                title,
                f"{opportunity.organisation}"
                + (f"\n{event.note}" if event.note else ""),
                str(event.by) if event.by else "",
                event.referral.get_absolute_url(),
            )
        )
    return entries


def _event_said(signup: SignUp) -> str:
    """What, when and where: 'Drop-in, Wed 4 Mar 2026 10:00, Skills Launchpad'."""
    event = signup.event
    when = timezone.localtime(event.starts_at)
    parts = [event.get_kind_display(), f"{when:%a} {when.day} {when:%b %Y %H:%M}"]
    parts.append(event.venue or ("online" if event.online_url else ""))
    said = ", ".join(p for p in parts if p)
    if event.is_cancelled:
        said += "\nThe event was cancelled."
    return said


SIGNED_UP: dict[str, str] = {
    SignUp.Status.WAITING: "On the waiting list for",
    SignUp.Status.CANCELLED: "Signed up, then cancelled:",
}
CAME: dict[str, str] = {
    SignUp.Status.ATTENDED: "Came to",
    SignUp.Status.NO_SHOW: "Did not come to",
}


def event_timeline(participant: Participant) -> list[TimelineEntry]:
    """The events the participant signed up to, and those they came to (or missed),
    also as the enquiry they were turned into at an event before registering."""
    # The enquiries' ids first: a join in the OR would read every academy's walk-ins.
    enquiries = list(
        Enquiry.objects.filter(participant=participant).values_list("pk", flat=True)
    )
    signups = SignUp.objects.filter(
        Q(participant=participant)
        | Q(participant__isnull=True, enquiry_id__in=enquiries)
    ).select_related("event", "recorded_by")
    now = timezone.now()
    entries = []
    for signup in signups:
        event, said = signup.event, _event_said(signup)
        by = str(signup.recorded_by) if signup.recorded_by else ""
        link = event.get_absolute_url()
        if signup.source in (SignUp.Source.PUBLIC, SignUp.Source.STAFF):
            verb = SIGNED_UP.get(signup.status, "Signed up to")
            entries.append(
                TimelineEntry(
                    signup.created_at,
                    "event",
                    f"{verb} {event.title}",
                    said,
                    by if signup.source == SignUp.Source.STAFF else "",
                    link,
                )
            )
        if signup.status in CAME:
            entries.append(
                TimelineEntry(
                    min(event.starts_at, now),
                    "event",
                    f"{CAME[signup.status]} {event.title}",
                    said,
                    by,
                    link,
                )
            )
    return entries


@home_panel(Role.COORDINATOR)
def critical_shortage_banner(membership: Membership) -> HomePanel | None:
    """A banner of the academy's open critical-shortage vacancies."""
    shortages = list(selectors.critical_shortages(academy=membership.academy)[:5])
    if not shortages:
        return None
    return HomePanel("vacancies/_home_shortages.html", {"vacancies": shortages})


@dataclass(frozen=True)
class ProviderReferral:
    """A referral on the provider's home, with the candidate's name as the provider
    may see it ('' without consent to share: shown as 'A candidate')."""

    referral: Referral
    candidate: str


@home_panel(Role.PROVIDER)
def provider_overview(membership: Membership) -> HomePanel:
    """The provider's open vacancies and the referrals waiting on it."""
    vacancies = selectors.vacancy_list(membership=membership).filter(status="open")
    referrals = selectors.referral_list(membership=membership).filter(
        stage__in=[
            Referral.Stage.REFERRED,
            Referral.Stage.INTERVIEW,
            Referral.Stage.OFFERED,
        ]
    )
    rows = [
        ProviderReferral(r, interviews.candidate_name(r, membership))
        for r in referrals[:10]
    ]
    return HomePanel(
        "vacancies/_home_provider.html",
        {"vacancies": list(vacancies[:10]), "referrals": rows},
        people=[row.referral.participant_id for row in rows if row.candidate],
    )


@home_panel(Role.PROVIDER, order=40)
def provider_interviews(membership: Membership) -> HomePanel:
    """The provider's interviews in the next 14 days: when, where, who (the name only
    with consent to share) and for what."""
    upcoming = interviews.upcoming_interviews(membership=membership, days=14)
    return HomePanel(
        "vacancies/_home_interviews.html",
        {"interviews": upcoming},
        people=[i.referral.participant_id for i in upcoming if i.candidate],
    )
