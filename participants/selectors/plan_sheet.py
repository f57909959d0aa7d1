"""A person's skills action plan as the sheet they take away (print view and PDF): in
their words, not the portal's ("What you will do", "By when", "Who helps"), with their
coordinator and how to reach the academy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from academy.models import Academy, Membership
from academy.rules import phone_shown

from ..models import PlanAction, SkillsActionPlan
from ..models.participant import ERASED_PREFIX

# The pathway in the words a person would use (the labels are the academy's terms).
PATHWAY_WORDS = {
    SkillsActionPlan.Pathway.DEMAND: "Getting into work now",
    SkillsActionPlan.Pathway.SUPPLY: "Building skills and training first",
    SkillsActionPlan.Pathway.PIPELINE: "Education first, then a career in care",
}


@dataclass(frozen=True)
class SheetStep:
    """One action of the plan, as the person reads it."""

    what: str
    by_when: dt.date
    who_helps: str
    done_on: dt.date | None
    is_partners: bool = False


@dataclass(frozen=True)
class PlanSheet:
    """Everything the printed plan shows."""

    plan: SkillsActionPlan
    name: str
    reference: str
    academy: Academy
    aiming_for: str
    pathway: str
    goals: str
    barriers: list[str]
    steps: list[SheetStep]
    coordinator: str
    phone: str
    email: str
    printed_on: dt.date

    @property
    def has_partner_steps(self) -> bool:
        return any(step.is_partners for step in self.steps)


def plan_sheet_plans(*, membership: Membership) -> QuerySet[SkillsActionPlan]:
    """The plans a member may print: their academy's, of people not erased."""
    return (
        SkillsActionPlan.objects.for_membership(membership)
        .exclude(participant__reference__startswith=ERASED_PREFIX)
        .select_related("participant__coordinator", "agreed_by")
    )


def _who_helps(action: PlanAction, coordinator: str) -> str:
    if action.owner == PlanAction.Owner.COORDINATOR:
        return coordinator or "Your coordinator"
    if action.owner == PlanAction.Owner.PARTNER:
        return "A partner organisation"
    return f"You, with {coordinator}" if coordinator else "You"


def plan_sheet(*, plan: SkillsActionPlan, academy: Academy) -> PlanSheet:
    """The plan as its printed sheet: open steps by date, then those done."""
    person = plan.participant
    who = person.coordinator or plan.agreed_by
    coordinator = who.get_full_name() if who is not None else ""
    actions = plan.actions.order_by("completed_on", "due_on", "pk")
    return PlanSheet(
        plan=plan,
        name=f"{person.first_name} {person.last_name}".strip(),
        reference=person.reference,
        academy=academy,
        aiming_for=plan.target_role,
        pathway=PATHWAY_WORDS.get(plan.pathway, ""),  # type: ignore[call-overload]
        goals=plan.goals,
        barriers=plan.barrier_labels(),
        steps=[
            SheetStep(
                what=action.description,
                by_when=action.due_on,
                who_helps=_who_helps(action, coordinator),
                done_on=action.completed_on,
                is_partners=action.owner == PlanAction.Owner.PARTNER,
            )
            for action in actions
        ],
        coordinator=coordinator,
        phone=phone_shown(academy.public_phone),
        email=academy.public_email,
        printed_on=timezone.localdate(),
    )
