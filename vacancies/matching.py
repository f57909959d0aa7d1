"""Matching people and opportunities: a plain, tested scoring function.

Weights (points; higher ranks first):

| what | points |
| --- | --- |
| the role their plan aims for is the vacancy's role | +40 |
| no role recorded yet (neither for nor against) | +10 |
| distance: 5 km or less / 10 / 20 / further | +20 / +15 / +8 / 0 |
| distance unknown (a postcode not found: still matched, and said so) | +5 |
| hours within 8 of what they want (or they have not said) | +10 |
| a role in demand in the area (labour-market data) | +10 |
| needs a driving licence and car they lack | -30, blocked |
| no right to work | -50, blocked |
| right to work not checked yet | -5 |
| needs a higher DBS level than they hold (they can apply) | -5 |

Order: matches that nothing blocks come first; among them critical shortages first, then
roles in demand, then by points; ties by soonest closing date.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from academy.places.geo import Place, distance_km
from participants.models import Participant

from .models import DBS_ORDER, CareRole

WANTED_ROLE = 40
NO_ROLE_RECORDED = 10
DISTANCE_POINTS = ((5.0, 20), (10.0, 15), (20.0, 8))
DISTANCE_UNKNOWN = 5
HOURS_FIT = 10
HOURS_TOLERANCE = 8
ROLE_IN_DEMAND = 10
NO_LICENCE = -30
NO_RIGHT_TO_WORK = -50
RIGHT_TO_WORK_UNCHECKED = -5
DBS_SHORT = -5

# Words in a plan's free-text target role that name a care role (checked in order).
_ROLE_WORDS: list[tuple[str, CareRole]] = [
    (r"senior (care|carer|support)", CareRole.SENIOR_CARE_WORKER),
    (r"(registered )?manager", CareRole.REGISTERED_MANAGER),
    (
        r"health ?care assistant|\bhca\b|nursing (assistant|auxiliary)",
        CareRole.NURSING_ASSISTANT,
    ),
    (r"nurse", CareRole.REGISTERED_NURSE),
    (r"support worker", CareRole.SUPPORT_WORKER),
    (r"activit", CareRole.ACTIVITIES_COORDINATOR),
    (r"\bcook|\bchef|kitchen", CareRole.COOK),
    (r"domestic|housekeep|clean", CareRole.DOMESTIC),
    (r"driver", CareRole.DRIVER),
    (
        r"care ?worker|carer|care assistant|home care|personal assistant",
        CareRole.CARE_WORKER,
    ),
]


@lru_cache(maxsize=4096)
def role_from_text(text: str) -> CareRole | None:
    """The care role a free-text target role names ('Home carer' -> care_worker)."""
    if text in CareRole.values:
        return CareRole(text)
    lowered = text.lower()
    for pattern, role in _ROLE_WORDS:
        if re.search(pattern, lowered):
            return role
    return None


@dataclass(frozen=True)
class Person:
    """What matching knows of a participant."""

    id: int
    name: str
    role_wanted: CareRole | None
    place: Place | None
    hours_wanted: int | None
    has_driving_licence: bool
    has_car: bool
    dbs_level: str
    right_to_work: str


@dataclass(frozen=True)
class Opening:
    """What matching knows of a vacancy or training place."""

    id: int
    kind: str  # "vacancy" or "training"
    title: str
    role: CareRole | None
    place: Place | None
    hours: Decimal | None
    needs_driving_licence: bool
    dbs_level: str
    is_critical_shortage: bool
    closing_on: dt.date


@dataclass(frozen=True)
class Reason:
    """One reason for a match's place: what it is about, the points it gave, and the
    words shown. `points` > 0 is for the match, < 0 against it, 0 neither."""

    kind: str  # critical, in_demand, role, distance, hours, licence, right_to_work, dbs
    points: int
    words: str
    blocks: bool = False

    @property
    def is_good(self) -> bool:
        return self.points > 0

    @property
    def is_bad(self) -> bool:
        return self.points < 0 or self.blocks


@dataclass(frozen=True)
class Match:
    """A scored pairing with the reasons shown beside it."""

    person: Person
    opening: Opening
    points: int
    blocked: bool
    in_demand: bool
    distance_km: float | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def reason_words(self) -> list[str]:
        return [r.words for r in self.reasons]

    def reason(self, kind: str) -> Reason | None:
        """The reason about `kind` (distance, hours, …), if there is one."""
        return next((r for r in self.reasons if r.kind == kind), None)


@dataclass(frozen=True)
class _Points:
    points: int
    blocked: bool
    in_demand: bool
    distance_km: float | None


def _distance_points(distance: float) -> int:
    for limit, gained in DISTANCE_POINTS:
        if distance <= limit:
            return gained
    return 0


def _assess(
    person: Person,
    opening: Opening,
    roles_in_demand: frozenset[str],
    reasons: list[Reason] | None = None,
) -> _Points:
    """Apply the weights once; with a `reasons` list, also say why (ranking many pairs
    passes none, and only the pairs shown are explained)."""

    def say(kind: str, gained: int, words: str, *, blocks: bool = False) -> None:
        if reasons is not None:
            reasons.append(Reason(kind, gained, words, blocks))

    points, blocked = 0, False
    if opening.is_critical_shortage:
        say("critical", 0, "Critical shortage: the provider needs people now")
    in_demand = opening.role is not None and opening.role in roles_in_demand
    if in_demand:
        points += ROLE_IN_DEMAND
        say("in_demand", ROLE_IN_DEMAND, "A role in demand in this area")
    if person.role_wanted is None:
        points += NO_ROLE_RECORDED
        say("role", 0, "No target role recorded in their plan yet")
    elif opening.role == person.role_wanted:
        points += WANTED_ROLE
        say("role", WANTED_ROLE, f"The role they want: {opening.role.label}")
    elif opening.role is not None:
        say("role", 0, f"Not the role they want ({person.role_wanted.label})")
    distance = None
    if person.place and opening.place:
        distance = distance_km(person.place, opening.place)
        gained = _distance_points(distance)
        points += gained
        precisions = (person.place.precision, opening.place.precision)
        approx = " (approx.)" if "district" in precisions else ""
        say("distance", gained, f"{distance:.1f} km away{approx}")
    else:
        points += DISTANCE_UNKNOWN
        which = "their postcode" if not person.place else "the opportunity's postcode"
        say("distance", 0, f"Distance unknown: {which} was not found")
    if opening.hours is not None:
        fits = (
            person.hours_wanted is None
            or abs(opening.hours - person.hours_wanted) <= HOURS_TOLERANCE
        )
        if fits:
            points += HOURS_FIT
        if person.hours_wanted is not None:
            hours = f"{opening.hours.normalize():f}"
            if fits:
                say(
                    "hours",
                    HOURS_FIT,
                    f"{hours} hours a week, near the {person.hours_wanted} they want",
                )
            else:
                say(
                    "hours", 0, f"{hours} hours a week; they want {person.hours_wanted}"
                )
    if opening.needs_driving_licence and not (
        person.has_driving_licence and person.has_car
    ):
        points += NO_LICENCE
        blocked = True
        say(
            "licence",
            NO_LICENCE,
            "Needs a driving licence and car, which they do not have",
            blocks=True,
        )
    if person.right_to_work == "no":
        points += NO_RIGHT_TO_WORK
        blocked = True
        say("right_to_work", NO_RIGHT_TO_WORK, "No right to work yet", blocks=True)
    elif person.right_to_work == "unknown":
        points += RIGHT_TO_WORK_UNCHECKED
        say("right_to_work", RIGHT_TO_WORK_UNCHECKED, "Right to work not checked yet")
    if DBS_ORDER.get(person.dbs_level, 0) < DBS_ORDER.get(opening.dbs_level, 0):
        points += DBS_SHORT
        level = Participant.DbsLevel(opening.dbs_level).label.lower()
        article = "an" if level[0] in "aeiou" else "a"
        say("dbs", DBS_SHORT, f"Needs {article} {level} DBS check (they can apply)")
    return _Points(points, blocked, in_demand, distance)


def _explained(
    person: Person, opening: Opening, roles_in_demand: frozenset[str]
) -> Match:
    reasons: list[Reason] = []
    p = _assess(person, opening, roles_in_demand, reasons)
    return Match(
        person, opening, p.points, p.blocked, p.in_demand, p.distance_km, reasons
    )


def score(
    person: Person, opening: Opening, *, roles_in_demand: frozenset[str] = frozenset()
) -> Match:
    """Score one person against one opening, saying why."""
    return _explained(person, opening, roles_in_demand)


def _key(opening: Opening, p: _Points) -> tuple[int, int, int, int, dt.date]:
    return (
        int(p.blocked),
        -int(opening.is_critical_shortage),
        -int(p.in_demand),
        -p.points,
        opening.closing_on,
    )


def rank(
    pairs: Iterable[tuple[Person, Opening]],
    *,
    roles_in_demand: frozenset[str] = frozenset(),
    limit: int | None = None,
) -> list[Match]:
    """Score every pair and put the best first (with reasons for those returned)."""
    # Many people share the same circumstances: score each distinct kind once.
    memo: dict[tuple[object, ...], _Points] = {}
    scored = []
    for person, opening in pairs:
        key = (
            person.role_wanted,
            person.place,
            person.hours_wanted,
            person.has_driving_licence,
            person.has_car,
            person.dbs_level,
            person.right_to_work,
            opening.kind,
            opening.id,
        )
        points = memo.get(key)
        if points is None:
            points = memo[key] = _assess(person, opening, roles_in_demand)
        scored.append((person, opening, points))
    keyed = ((_key(o, p), n) for n, (_, o, p) in enumerate(scored))
    order = heapq.nsmallest(limit, keyed) if limit else sorted(keyed)
    return [
        _explained(person, opening, roles_in_demand)
        for person, opening, _ in (scored[n] for _, n in order)
    ]
