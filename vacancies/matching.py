"""Matching people and opportunities: a plain, tested scoring function.

Fit comes first. A match's points add up the weights in `WEIGHTS` below (the one
table the code reads; README's "Matching" section shows it, and a test keeps the two
the same): the role they want, distance, hours, and what stands in the way.

Order: matches that nothing blocks first; then the most points; only among matches
with the same points do `TIE_BREAKERS` decide (a critical shortage, then a role in
demand, then the soonest closing date). So a shortage in a role they do not want never
outranks the one they do.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Final

from academy.places.geo import Place, distance_km
from participants.models import Participant

from .models import DBS_ORDER, CareRole


@dataclass(frozen=True)
class Weight:
    """One row of the weights table: what it is about, its points, and whether it
    rules the match out (a blocker: listed last, referred only with a confirmation)."""

    what: str
    points: int
    blocks: bool = False
    within_km: float | None = None


WEIGHTS: Final[dict[str, Weight]] = {
    "role_wanted": Weight("the role their plan aims for is the opening's role", 40),
    "no_role": Weight("no role recorded yet (neither for nor against)", 10),
    "within_5_km": Weight("5 km away or less", 20, within_km=5.0),
    "within_10_km": Weight("5 to 10 km away", 15, within_km=10.0),
    "within_20_km": Weight("10 to 20 km away", 8, within_km=20.0),
    "further": Weight("further than 20 km", 0),
    "distance_unknown": Weight("distance unknown (a postcode not found)", 5),
    "hours_fit": Weight("hours within 8 a week of what they want (or not said)", 10),
    "no_licence": Weight("needs a driving licence and car they lack", -30, True),
    "no_right_to_work": Weight("no right to work", -50, True),
    "right_to_work_unchecked": Weight("right to work not checked yet", -5),
    "dbs_short": Weight("needs a higher DBS level than they hold (they can apply)", -5),
}

# Only among matches with the same points, in this order.
TIE_BREAKERS: Final = (
    "a critical shortage (the provider needs people now)",
    "a role in demand in the area (labour-market data)",
    "the soonest closing (or start) date",
)

WANTED_ROLE = WEIGHTS["role_wanted"].points
NO_ROLE_RECORDED = WEIGHTS["no_role"].points
DISTANCE_POINTS = tuple(
    (w.within_km, w.points) for w in WEIGHTS.values() if w.within_km is not None
)
DISTANCE_UNKNOWN = WEIGHTS["distance_unknown"].points
HOURS_FIT = WEIGHTS["hours_fit"].points
HOURS_TOLERANCE = 8
NO_LICENCE = WEIGHTS["no_licence"].points
NO_RIGHT_TO_WORK = WEIGHTS["no_right_to_work"].points
RIGHT_TO_WORK_UNCHECKED = WEIGHTS["right_to_work_unchecked"].points
DBS_SHORT = WEIGHTS["dbs_short"].points


def weights_markdown() -> str:
    """The weights and tie-breakers as the Markdown README shows them."""
    lines = ["| what | points |", "| --- | --- |"]
    for weight in WEIGHTS.values():
        blocks = ", blocks" if weight.blocks else ""
        points = f"{weight.points:+d}" if weight.points else "0"
        lines.append(f"| {weight.what} | {points}{blocks} |")
    lines.append("")
    lines.append("Ties (same points) go to, in order: " + "; ".join(TIE_BREAKERS) + ".")
    return "\n".join(lines)


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


class Verdict(StrEnum):
    """How a reason counts: the opening fits them in this, or does not, or nobody
    knows yet; `context` is about the opening (a shortage), not about fit."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    CONTEXT = "context"


@dataclass(frozen=True)
class Reason:
    """One reason for a match's place: what it is about, the points it gave, whether
    it is met, and the words shown. A blocker rules the match out."""

    kind: str  # critical, in_demand, role, distance, hours, licence, right_to_work, dbs
    points: int
    words: str
    blocks: bool = False
    verdict: Verdict = Verdict.CONTEXT

    @property
    def is_good(self) -> bool:
        return self.verdict == Verdict.MET

    @property
    def is_bad(self) -> bool:
        return self.verdict == Verdict.NOT_MET


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

    def _said(self, verdict: Verdict) -> list[Reason]:
        return [r for r in self.reasons if r.verdict == verdict]

    @property
    def met(self) -> list[Reason]:
        """Where the opening fits them."""
        return self._said(Verdict.MET)

    @property
    def not_met(self) -> list[Reason]:
        """Where it does not, blockers first."""
        return sorted(self._said(Verdict.NOT_MET), key=lambda r: not r.blocks)

    @property
    def unknown(self) -> list[Reason]:
        """What nobody knows yet (no role recorded, a postcode not found)."""
        return self._said(Verdict.UNKNOWN)

    @property
    def blockers(self) -> list[Reason]:
        """What rules the match out: referring needs a confirmation naming these."""
        return [r for r in self.reasons if r.blocks]


def blockers_said(blockers: Iterable[Reason]) -> str:
    """Blockers as one phrase, as a confirmation and a refusal name them: 'needs a
    driving licence and car, which they do not have; no right to work yet'."""
    return "; ".join(b.words[0].lower() + b.words[1:] for b in blockers)


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

    def say(
        kind: str, gained: int, words: str, verdict: Verdict, *, blocks: bool = False
    ) -> None:
        if reasons is not None:
            reasons.append(Reason(kind, gained, words, blocks, verdict))

    met, not_met, unknown = Verdict.MET, Verdict.NOT_MET, Verdict.UNKNOWN
    points, blocked = 0, False
    if opening.is_critical_shortage:
        say(
            "critical",
            0,
            "Critical shortage: the provider needs people now",
            Verdict.CONTEXT,
        )
    # A tie-breaker only: no points (spec: fit first).
    in_demand = opening.role is not None and opening.role in roles_in_demand
    if in_demand:
        say("in_demand", 0, "A role in demand in this area", Verdict.CONTEXT)
    if person.role_wanted is None:
        points += NO_ROLE_RECORDED
        say("role", 0, "No target role recorded in their plan yet", unknown)
    elif opening.role == person.role_wanted:
        points += WANTED_ROLE
        say("role", WANTED_ROLE, f"The role they want: {opening.role.label}", met)
    elif opening.role is not None:
        say("role", 0, f"Not the role they want ({person.role_wanted.label})", not_met)
    distance = None
    if person.place and opening.place:
        distance = distance_km(person.place, opening.place)
        gained = _distance_points(distance)
        points += gained
        precisions = (person.place.precision, opening.place.precision)
        approx = " (approx.)" if "district" in precisions else ""
        say(
            "distance",
            gained,
            f"{distance:.1f} km away{approx}",
            met if gained > 0 else not_met,
        )
    else:
        points += DISTANCE_UNKNOWN
        which = "their postcode" if not person.place else "the opportunity's postcode"
        say("distance", 0, f"Distance unknown: {which} was not found", unknown)
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
                said = f"{hours} hours a week, near the {person.hours_wanted} they want"
                say("hours", HOURS_FIT, said, met)
            else:
                said = f"{hours} hours a week; they want {person.hours_wanted}"
                say("hours", 0, said, not_met)
    if opening.needs_driving_licence:
        if person.has_driving_licence and person.has_car:
            say("licence", 0, "Has the driving licence and car it needs", met)
        else:
            points += NO_LICENCE
            blocked = True
            say(
                "licence",
                NO_LICENCE,
                "Needs a driving licence and car, which they do not have",
                not_met,
                blocks=True,
            )
    if person.right_to_work == "no":
        points += NO_RIGHT_TO_WORK
        blocked = True
        say(
            "right_to_work",
            NO_RIGHT_TO_WORK,
            "No right to work yet",
            not_met,
            blocks=True,
        )
    elif person.right_to_work == "unknown":
        points += RIGHT_TO_WORK_UNCHECKED
        say(
            "right_to_work",
            RIGHT_TO_WORK_UNCHECKED,
            "Right to work not checked yet",
            unknown,
        )
    if DBS_ORDER.get(person.dbs_level, 0) < DBS_ORDER.get(opening.dbs_level, 0):
        points += DBS_SHORT
        level = Participant.DbsLevel(opening.dbs_level).label.lower()
        article = "an" if level[0] in "aeiou" else "a"
        said = f"Needs {article} {level} DBS check (they can apply)"
        say("dbs", DBS_SHORT, said, not_met)
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
    # Fit first; TIE_BREAKERS only among matches with the same points.
    return (
        int(p.blocked),
        -p.points,
        -int(opening.is_critical_shortage),
        -int(p.in_demand),
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
