"""What the vacancies app adds to lower apps' pages, which never import it: the
participant timeline and home-page panels.
VacanciesConfig.ready() registers them (and the services' merge and outcome hooks)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from academy.home import HomePanel, home_panel
from academy.models import Membership
from academy.permissions import Role
from participants.models import Participant
from participants.selectors import TimelineEntry

from . import selectors
from .models import Referral, ReferralEvent


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
        title = f"Referral {event.get_stage_display().lower()}: {opportunity.title}"
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


@home_panel(Role.COORDINATOR)
def critical_shortage_banner(membership: Membership) -> HomePanel | None:
    """A banner of the academy's open critical-shortage vacancies."""
    shortages = list(selectors.critical_shortages(academy=membership.academy)[:5])
    if not shortages:
        return None
    return HomePanel("vacancies/_home_shortages.html", {"vacancies": shortages})


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
    return HomePanel(
        "vacancies/_home_provider.html",
        {"vacancies": list(vacancies[:10]), "referrals": list(referrals[:10])},
    )
