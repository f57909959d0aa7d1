"""Reads of vacancies, training and referrals: matching inputs, open vacancies, and
what a provider may see of a referred person (the public board's: selectors_public)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from academy.labour_market.selectors import roles_in_demand_keys
from academy.models import Academy, Membership
from academy.permissions import Role
from academy.places.geo import Place, places_of
from participants.models import Participant, SkillsActionPlan

from . import matching, matching_sql
from .matching import Match, Opening, Person, role_from_text
from .models import CareRole, Referral, TrainingOpportunity, Vacancy


def roles_in_demand(*, academy: Academy) -> frozenset[str]:
    """Role keys in demand in the academy's area (from labour-market data)."""
    return roles_in_demand_keys(academy)


def _target_role() -> Subquery:
    return Subquery(
        SkillsActionPlan.objects.filter(participant=OuterRef("pk"))
        .order_by("-agreed_on", "-pk")
        .values("target_role")[:1]
    )


def _people(rows: list[tuple[Any, ...]]) -> list[Person]:
    """Persons from `values_list(*PERSON_FIELDS)` rows (tuples: fast for 100,000)."""
    places = places_of(row[3] for row in rows)
    return [
        Person(
            pk,
            f"{first} {last}",
            role_from_text(target or ""),
            places.get(postcode),
            hours,
            licence,
            car,
            dbs,
            right,
        )
        for pk, first, last, postcode, hours, licence, car, dbs, right, target in rows
    ]


PERSON_FIELDS = (
    "pk",
    "first_name",
    "last_name",
    "postcode",
    "hours_wanted",
    "has_driving_licence",
    "has_car",
    "dbs_level",
    "right_to_work",
    "target_role",
)


def _vacancy_opening(v: Vacancy) -> Opening:
    place = (
        Place(v.latitude, v.longitude, "postcode")
        if v.latitude is not None and v.longitude is not None
        else None
    )
    return Opening(
        id=v.pk,
        kind="vacancy",
        title=v.title,
        role=CareRole(v.role),
        place=place,
        hours=v.hours_per_week,
        needs_driving_licence=v.needs_driving_licence,
        dbs_level=v.dbs_level,
        is_critical_shortage=v.is_critical_shortage,
        closing_on=v.closing_on,
    )


def _training_opening(t: TrainingOpportunity) -> Opening:
    place = (
        Place(t.latitude, t.longitude, "postcode")
        if t.latitude is not None and t.longitude is not None
        else None
    )
    return Opening(
        id=t.pk,
        kind="training",
        title=t.title,
        role=CareRole(t.role) if t.role else None,
        place=place,
        hours=None,
        needs_driving_licence=False,
        dbs_level="none",
        is_critical_shortage=False,
        closing_on=t.starts_on,
    )


def open_vacancies(
    *, academy: Academy, today: dt.date | None = None
) -> QuerySet[Vacancy]:
    """The academy's vacancies that are open and not past their closing date."""
    return Vacancy.objects.for_academy(academy).open(today or timezone.localdate())


def _person(participant: Participant) -> Person:
    row = (
        Participant.objects.filter(pk=participant.pk)
        .annotate(target_role=_target_role())
        .values_list(*PERSON_FIELDS)
        .get()
    )
    return _people([row])[0]


def match_get(
    *,
    participant: Participant,
    vacancy: Vacancy | None = None,
    training: TrainingOpportunity | None = None,
) -> Match:
    """One person against one opening, with the reasons (a referral checks what
    blocks it); roles in demand are left out: they only break ties in a ranking."""
    if vacancy is not None:
        opening = _vacancy_opening(vacancy)
    elif training is not None:
        opening = _training_opening(training)
    else:
        raise ValueError("Give a vacancy or a training place.")
    return matching.score(_person(participant), opening)


def _ranked_openings(
    person: Person,
    rows: QuerySet[Any],
    *,
    in_demand: frozenset[str],
    columns: dict[str, str | None],
    limit: int,
) -> list[int]:
    """Ids of the best `limit` openings among `rows`, ranked in SQL as `matching.rank`
    ranks (blocked last; points; then the tie-breakers; then the list's own order)."""
    scores = matching_sql.openings_scored(person, roles_in_demand=in_demand, **columns)
    # A key the same for every row is left out (SQL reads a number in ORDER BY as
    # a column's position).
    keys = [("blocked", ""), ("points", "-"), ("critical", "-"), ("in_demand", "-")]
    order: list[Any] = [
        sign + name for name, sign in keys if not isinstance(scores[name], Value)
    ]
    order += rows.query.order_by
    scored = rows.annotate(**scores)
    return list(scored.order_by(*order).values_list("pk", flat=True)[:limit])


def matches_for_participant(
    *, membership: Membership, participant: Participant, limit: int = 25
) -> tuple[list[Match], list[Match]]:
    """Open vacancies and training places ranked for one participant, with reasons:
    the database scores and keeps the best `limit`; Python explains those."""
    academy = membership.academy
    person = _person(participant)
    today = timezone.localdate()
    in_demand = roles_in_demand(academy=academy)
    vacancy_ids = _ranked_openings(
        person,
        open_vacancies(academy=academy, today=today).order_by("closing_on", "pk"),
        in_demand=in_demand,
        columns={
            "hours": "hours_per_week",
            "licence": "needs_driving_licence",
            "dbs": "dbs_level",
            "critical": "is_critical_shortage",
        },
        limit=limit,
    )
    training_ids = _ranked_openings(
        person,
        TrainingOpportunity.objects.for_academy(academy)
        .filter(is_open=True, starts_on__gte=today)
        .order_by("starts_on", "pk"),
        in_demand=in_demand,
        columns={"hours": None, "licence": None, "dbs": None, "critical": None},
        limit=limit,
    )
    vacancies = Vacancy.objects.only(*OPENING_FIELDS).in_bulk(vacancy_ids)
    training = TrainingOpportunity.objects.in_bulk(training_ids)
    return (
        [
            matching.score(
                person, _vacancy_opening(vacancies[pk]), roles_in_demand=in_demand
            )
            for pk in vacancy_ids
        ],
        [
            matching.score(
                person, _training_opening(training[pk]), roles_in_demand=in_demand
            )
            for pk in training_ids
        ],
    )


OPENING_FIELDS = (
    "pk",
    "title",
    "role",
    "latitude",
    "longitude",
    "hours_per_week",
    "needs_driving_licence",
    "dbs_level",
    "is_critical_shortage",
    "closing_on",
)


# Distinct values by a loose index scan: one index probe per value, not a pass over
# every plan; only with the index on target_role (without it, one plain DISTINCT).
_DISTINCT_TARGETS = """
WITH RECURSIVE texts(text) AS (
    SELECT MIN(target_role) FROM participants_skillsactionplan
    UNION ALL
    SELECT (SELECT MIN(target_role) FROM participants_skillsactionplan
            WHERE target_role > texts.text)
    FROM texts WHERE texts.text IS NOT NULL
)
SELECT text FROM texts WHERE text IS NOT NULL
"""


TARGET_ROLE_INDEX = "participants_plan_target_role"


def _plan_texts() -> list[str]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE indexname = %s", [TARGET_ROLE_INDEX]
            )
            if cursor.fetchone() is not None:
                cursor.execute(_DISTINCT_TARGETS)
                return [text for (text,) in cursor.fetchall()]
    distinct = SkillsActionPlan.objects.order_by().values_list("target_role")
    return [text for (text,) in distinct.distinct()]


def plan_target_roles() -> dict[CareRole | None, list[str]]:
    """Every target role written in a plan, grouped by the care role it names."""
    return matching_sql.roles_of_texts(_plan_texts())


def _people_ranked(
    people: QuerySet[Participant],
    opening: Opening,
    texts: dict[CareRole | None, list[str]],
    limit: int,
) -> list[tuple[int, int, int]]:
    """(id, blocked, points) of the best `limit` people, ranked in SQL as
    `matching.rank` ranks one opening's matches (blocked last, points, then name)."""
    scored = people.annotate(**matching_sql.people_scored(opening, texts))
    order = ("blocked", "-points", "last_name", "first_name", "pk")
    rows: QuerySet[Any] = scored.order_by(*order)
    return list(rows.values_list("pk", "blocked", "points")[:limit])


def matches_for_vacancy(
    *, membership: Membership, vacancy: Vacancy, limit: int = 25
) -> list[Match]:
    """The open cases best matched to one vacancy, with reasons.

    The database narrows first and ranks the shortlist: to the people who may gain
    the role's points (whose plans name the vacancy's role; when nobody's does, who
    have no plan or one naming no role), whom nothing but distance keeps from full
    points and who live near the opening; then without the nearness; then without
    the fit. Anyone outside a shortlist scores at most a bound the weights give, so
    when its last match shown is unblocked and scores more, it is the exact top;
    otherwise every open case is ranked. Python explains those shown.
    """
    academy = membership.academy
    opening = _vacancy_opening(vacancy)
    texts = plan_target_roles()
    people = Participant.objects.for_academy(academy).open()
    plans = SkillsActionPlan.objects.filter(participant=OuterRef("pk"))
    wanted = texts.get(opening.role, []) if opening.role else []
    if wanted:
        may_gain_role = Q(Exists(plans.filter(target_role__in=wanted)))
        # Everyone else: no role recorded, or another role (no points).
        role_points = matching.WANTED_ROLE
        others_role = max(matching.NO_ROLE_RECORDED, 0)
    else:
        # Nobody's plan names the role: "no role recorded" is the most anyone gains,
        # and only those with no plan, or one naming no role, may gain it.
        may_gain_role = ~Q(Exists(plans))
        if texts.get(None):
            may_gain_role |= Q(Exists(plans.filter(target_role__in=texts[None])))
        role_points, others_role = matching.NO_ROLE_RECORDED, 0
    candidates = people.filter(may_gain_role)
    fits = matching_sql.fits_all_but_distance(opening)
    other_role = matching_sql.best_with_role(opening, role_points=others_role)
    short_of_fit = max(
        matching_sql.best_short_of_fit(opening, role_points=role_points), other_role
    )
    # Narrowest first: each shortlist is the exact top when its last match shown
    # (nothing blocking it) beats the best anyone outside it can score.
    shortlists = []
    near = matching_sql.near(opening.place)
    if near is not None:
        beyond = matching_sql.best_beyond_near(opening, role_points=role_points)
        shortlists.append(
            (candidates.filter(fits).filter(near), max(short_of_fit, beyond))
        )
    shortlists.append((candidates.filter(fits), short_of_fit))
    shortlists.append((candidates, other_role))
    top: list[tuple[int, int, int]] = []
    for shortlist, best_elsewhere in shortlists:
        top = _people_ranked(shortlist, opening, texts, limit)
        if len(top) == limit and all(
            not blocked and points > best_elsewhere for _, blocked, points in top
        ):
            break
    else:
        top = _people_ranked(people, opening, texts, limit)
    ids = [pk for pk, _, _ in top]
    rows = (
        Participant.objects.filter(pk__in=ids)
        .annotate(target_role=_target_role())
        .values_list(*PERSON_FIELDS)
    )
    found = {person.id: person for person in _people(list(rows))}
    in_demand = roles_in_demand(academy=academy)
    return [matching.score(found[pk], opening, roles_in_demand=in_demand) for pk in ids]


def vacancy_list(*, membership: Membership) -> QuerySet[Vacancy]:
    """Vacancies the membership may manage: a provider's own, or the academy's."""
    return Vacancy.objects.for_membership(membership).select_related("organisation")


def referral_list(*, membership: Membership) -> QuerySet[Referral]:
    """Referrals the membership may see, with what the list shows."""
    return (
        Referral.objects.for_membership(membership)
        .select_related(
            "participant", "vacancy__organisation", "training__organisation"
        )
        .prefetch_related("participant__plans")
    )


@dataclass(frozen=True)
class SharedPerson:
    """What a provider may see of a referred person (spec/roles.md: consented)."""

    is_shared: bool
    name: str
    email: str = ""
    phone: str = ""
    role_wanted: str = ""
    availability: str = ""


def referral_people(
    *, referrals: list[Referral], membership: Membership
) -> list[SharedPerson]:
    """Each referred person as this membership may see them: providers get the
    consented fields only, and nothing at all once consent to share is withdrawn.
    Plans come from `with_plans()`, so a page of rows costs no query per row."""
    shared = []
    for referral in referrals:
        person = referral.participant
        if membership.role == Role.PROVIDER and not person.has_consent_to_share:
            shared.append(
                SharedPerson(
                    False, "Details withheld: the person has withdrawn consent to share"
                )
            )
            continue
        plans = sorted(
            person.plans.all(), key=lambda p: (p.agreed_on, p.pk), reverse=True
        )
        shared.append(
            SharedPerson(
                True,
                person.full_name,
                person.email,
                person.phone,
                plans[0].target_role if plans else "",
                f"{person.hours_wanted} hours a week" if person.hours_wanted else "",
            )
        )
    return shared


def referral_person(*, referral: Referral, membership: Membership) -> SharedPerson:
    """One referred person as this membership may see them (see `referral_people`)."""
    return referral_people(referrals=[referral], membership=membership)[0]


@dataclass(frozen=True)
class HistoryEntry:
    """One move of a referral as this membership may see it."""

    stage: str
    on: dt.date
    by: str
    note: str
    note_withheld: bool


def referral_history(
    *, referral: Referral, membership: Membership
) -> list[HistoryEntry]:
    """Every move of the referral, oldest first. The notes are about the person, so a
    provider reads none of them once the person has withdrawn consent to share; the
    stages and dates stay, being the provider's own record of its recruitment."""
    withheld = (
        membership.role == Role.PROVIDER
        and not referral.participant.has_consent_to_share
    )
    return [
        HistoryEntry(
            stage=event.get_stage_display(),
            on=event.on,
            by=str(event.by or ""),
            note="" if withheld else event.note,
            note_withheld=withheld and bool(event.note),
        )
        for event in referral.events.select_related("by")
    ]


def critical_shortages(*, academy: Academy) -> QuerySet[Vacancy]:
    """Open vacancies flagged as critical shortages, for the coordinators' banner."""
    return (
        open_vacancies(academy=academy)
        .filter(is_critical_shortage=True)
        .select_related("organisation")
    )
