"""Reads of academies, organisations and members, scoped to a membership."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Case, Count, Q, QuerySet, Value, When

from .models import (
    Academy,
    Membership,
    MembershipQuerySet,
    Organisation,
    User,
    membership_active_q,
)
from .permissions import Role


@dataclass(frozen=True)
class KindCount:
    label: str
    count: int


@dataclass(frozen=True)
class AcademyHeadlines:
    """Counts about the partnership shown on the manager's and admin's home pages."""

    partners: int
    partners_by_kind: list[KindCount]
    members: int
    members_by_role: list[KindCount]


def organisation_list(*, membership: Membership) -> QuerySet[Organisation]:
    """The partner organisations of the membership's academy."""
    return Organisation.objects.for_membership(membership).order_by("name")


_T = TypeVar("_T")

PARTNERS_SHOWN = 12  # on a coordinator's home; a city academy has hundreds of providers
COLLEAGUES_SHOWN = 12  # on a home page; a city academy has a couple of hundred members


@dataclass(frozen=True)
class Shortlist(Generic[_T]):
    """The first few of a list a home page shows, and how many there are in all."""

    shown: list[_T]
    total: int


def _shortlist(rows: QuerySet[Any], limit: int) -> Shortlist[Any]:
    return Shortlist(shown=list(rows[:limit]), total=rows.count())


def partner_shortlist(
    *, membership: Membership, limit: int = PARTNERS_SHOWN
) -> Shortlist[Organisation]:
    """The academy's active partners a coordinator's home lists: those who support
    people (job centres, colleges, trainers, the voluntary sector, ...) before care
    providers, whose openings are under Vacancies; at most `limit`, with the total."""
    partners = organisation_list(membership=membership).filter(is_active=True)
    first = Case(
        When(kind=Organisation.Kind.CARE_PROVIDER, then=Value(1)), default=Value(0)
    )
    return _shortlist(partners.order_by(first, "name", "pk"), limit)


def member_list(*, academy: Academy) -> MembershipQuerySet:
    """Everyone with a role in the academy, with their user and organisation."""
    return (
        Membership.objects.for_academy(academy)
        .select_related("user", "organisation")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def invitation_list(*, user: User) -> list[Membership]:
    """The academies waiting for this person to accept a role, oldest first."""
    return list(
        Membership.objects.pending()
        .filter(user=user)
        .select_related("academy", "organisation")
        .order_by("created_at", "pk")
    )


def colleague_shortlist(
    *, membership: Membership, limit: int = COLLEAGUES_SHOWN
) -> Shortlist[Membership]:
    """Active members of the same academy (for a provider, of the same organisation)
    a home page lists: those to ask first (admins, managers), then coordinators, then
    providers, each by name; at most `limit`, with the total."""
    members = member_list(academy=membership.academy).active().exclude(pk=membership.pk)
    if membership.role == Role.PROVIDER:
        members = members.filter(organisation=membership.organisation)
    order = [Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.PROVIDER]
    first = Case(
        *(When(role=role, then=Value(n)) for n, role in enumerate(order)),
        default=Value(len(order)),
    )
    return _shortlist(
        members.order_by(first, "user__first_name", "user__last_name", "pk"), limit
    )


def academy_headlines(*, academy: Academy) -> AcademyHeadlines:
    """Partners by kind and active members by role, each counted by the database."""
    kinds = dict(
        Organisation.objects.for_academy(academy)
        .filter(is_active=True)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    roles = Membership.objects.for_academy(academy).aggregate(
        **{
            role.value: Count(
                "pk",
                filter=Q(role=role) & membership_active_q(),
            )
            for role in Role
        }
    )
    return AcademyHeadlines(
        partners=sum(kinds.values()),
        partners_by_kind=[
            KindCount(kind.label, kinds.get(kind.value, 0))
            for kind in Organisation.Kind
        ],
        members=sum(roles.values()),
        members_by_role=[KindCount(role.label, roles[role.value]) for role in Role],
    )
