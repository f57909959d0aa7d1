"""The points of `matching.WEIGHTS` as SQL, so the database ranks and keeps the top.

Each expression gives, row by row, the points `matching._assess` gives in Python (the
same weights, the same haversine, the same hours tolerance), so `ORDER BY` and `LIMIT`
in the database pick exactly the matches a full Python ranking would show; Python then
says why for those few (tests/vacancies/test_matching_exact.py proves the two agree).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Case,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Left, StrIndex
from django.db.models.lookups import GreaterThan, In, LessThanOrEqual

from academy.models import Postcode
from academy.places.geo import Place
from participants.models import SkillsActionPlan

from . import matching
from .matching import Opening, Person, role_from_text
from .models import DBS_ORDER, CareRole

EARTH_KM = 6371.0
KM_PER_DEGREE_LATITUDE = EARTH_KM * 3.141592653589793 / 180


def _int(value: int) -> Value:
    return Value(value, output_field=IntegerField())


def _float(value: float) -> Value:
    return Value(value, output_field=FloatField())


class _Haversine(Func):
    """`geo.distance_km` in SQL, operation for operation (person, then opening), as
    one expression: the same SQL the ORM's arithmetic of Radians, Sin, Cos, Power,
    ASin and Sqrt writes, but one node to build and copy, not forty (a ranking
    builds it ten times: the ORM's copying cost about as much as its SQL)."""

    # a: lat1, b: lon1, c: lat2, d: lon2, e: the earth's radius, t: two, p: 2
    SHAPE = (
        "((e * t) * ASIN(SQRT((POWER(SIN(((RADIANS(c) - RADIANS(a)) / t)), p)"
        " + ((COS(RADIANS(a)) * COS(RADIANS(c))) * POWER(SIN((RADIANS((d - b))"
        " / t)), p))))))"
    )
    output_field = FloatField()

    def __init__(self, *points: Combinable) -> None:
        super().__init__(*points, _float(EARTH_KM), _float(2.0), _int(2))

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        compiled = dict(
            zip(
                "abcdetp",
                (compiler.compile(e) for e in self.get_source_expressions()),
                strict=True,
            )
        )
        sql: list[str] = []
        params: list[Any] = []
        for char in self.SHAPE:
            if char in compiled:
                part, part_params = compiled[char]
                sql.append(part)
                params.extend(part_params)
            else:
                sql.append(char)
        return "".join(sql), params


def haversine_km(
    lat1: Combinable, lon1: Combinable, lat2: Combinable, lon2: Combinable
) -> Combinable:
    """`geo.distance_km` in SQL, operation for operation (person, then opening)."""
    return _Haversine(lat1, lon1, lat2, lon2)


def _distance_points(distance: Combinable) -> Case:
    """The distance weights: within 5, 10, 20 km; further gains nothing."""
    return Case(
        *(
            When(LessThanOrEqual(distance, _float(limit)), then=_int(points))
            for limit, points in matching.DISTANCE_POINTS
        ),
        default=_int(0),
        output_field=IntegerField(),
    )


def _hours_fit(hours: float, column: str) -> Q:
    return Q(**{f"{column}__gte": hours - matching.HOURS_TOLERANCE}) & Q(
        **{f"{column}__lte": hours + matching.HOURS_TOLERANCE}
    )


def _sum(parts: Iterable[Combinable]) -> Combinable:
    total: Combinable = _int(0)
    for part in parts:
        total = total + part
    return total


def _if(condition: Q, points: int) -> Case:
    return Case(
        When(condition, then=_int(points)), default=_int(0), output_field=IntegerField()
    )


# --- One opening against many people -------------------------------------------------


def roles_of_texts(texts: Iterable[str]) -> dict[CareRole | None, list[str]]:
    """Plans' free-text target roles by the care role each names (None: none)."""
    grouped: dict[CareRole | None, list[str]] = {}
    for text in texts:
        grouped.setdefault(role_from_text(text or ""), []).append(text)
    return grouped


def _postcode_district(postcode: Combinable) -> Combinable:
    """A postcode's district ('PL4 6AB' -> 'PL4'; 'PL4' stays)."""
    space = StrIndex(postcode, Value(" "))
    return Case(
        When(GreaterThan(space, _int(0)), then=Left(postcode, space - 1)),
        default=postcode,
    )


def person_distance_points(place: Place | None) -> Combinable:
    """A person's distance points from an opening at `place`: their full postcode's
    centroid, else their district's (as `geo.places_of`), else unknown."""
    unknown = _int(matching.DISTANCE_UNKNOWN)
    if place is None:
        return unknown

    def points_at(postcode: Combinable) -> Subquery:
        # One probe of the postcodes' unique index each (an OR of the two, sorted
        # by length, took twice as long for each of thousands of candidates).
        centroid = (
            Postcode.objects.filter(postcode=postcode)
            .annotate(
                points=_distance_points(
                    haversine_km(
                        F("latitude"),
                        F("longitude"),
                        _float(place.latitude),
                        _float(place.longitude),
                    )
                )
            )
            .values("points")[:1]
        )
        return Subquery(centroid, output_field=IntegerField())

    return Coalesce(
        points_at(OuterRef("postcode")),
        points_at(_postcode_district(OuterRef("postcode"))),
        unknown,
    )


def near(place: Place | None) -> Q | None:
    """People who may gain the most distance points from an opening at `place`: their
    postcode, or its district, has its centroid within the nearest distance (the
    same haversine as `person_distance_points`, after a box that an index of the
    centroids can read). Everyone else gains at most `best_beyond_near`'s distance.
    None without a place (everyone's distance is unknown)."""
    if place is None:
        return None
    km = matching.DISTANCE_POINTS[0][0]
    # A box holding every point within `km` (its longitudes widen towards the pole).
    rise = km / KM_PER_DEGREE_LATITUDE * 1.01
    widest = math.cos(math.radians(min(abs(place.latitude) + rise, 89.0)))
    span = rise / widest
    centroids = (
        Postcode.objects.filter(
            latitude__range=(place.latitude - rise, place.latitude + rise),
            longitude__range=(place.longitude - span, place.longitude + span),
        )
        .alias(
            km=haversine_km(
                F("latitude"),
                F("longitude"),
                _float(place.latitude),
                _float(place.longitude),
            )
        )
        .filter(km__lte=_float(km))
        .values("postcode")
    )
    district = _postcode_district(F("postcode"))
    return Q(postcode__in=centroids) | Q(In(district, centroids))


def person_role_points(
    role: CareRole | None, texts: dict[CareRole | None, list[str]]
) -> Combinable:
    """A person's role points from their latest plan's target role."""
    unknown = _int(matching.NO_ROLE_RECORDED)
    if role is None:
        # Nobody's role can be the opening's; only "not recorded" gains.
        wanted: list[str] = []
    else:
        wanted = texts.get(role, [])
    # One plan a person a day (the `one_plan_per_participant_day` key), so the
    # latest is the last entry of that index: read backwards, one row, no sort (a
    # tie-break on the id made each of thousands of candidates sort their plans).
    latest = (
        SkillsActionPlan.objects.filter(participant=OuterRef("pk"))
        .order_by("-agreed_on")
        .annotate(
            points=Case(
                When(target_role__in=wanted, then=_int(matching.WANTED_ROLE)),
                When(target_role__in=texts.get(None, []), then=unknown),
                default=_int(0),
                output_field=IntegerField(),
            )
        )
        .values("points")[:1]
    )
    return Coalesce(Subquery(latest, output_field=IntegerField()), unknown)


def _best_distance(opening: Opening) -> int:
    """The most distance points anyone can gain (unknown for all when the opening
    has no place)."""
    if opening.place is None:
        return matching.DISTANCE_UNKNOWN
    return max(matching.DISTANCE_UNKNOWN, *(p for _, p in matching.DISTANCE_POINTS))


def _best_hours(opening: Opening) -> int:
    """The hours' points for hours that fit (none to gain when the opening gives no
    hours)."""
    return matching.HOURS_FIT if opening.hours is not None else 0


def best_with_role(opening: Opening, *, role_points: int) -> int:
    """The most points anyone can score against `opening` when `role_points` is the
    most their role gives: as near as can be, the hours fitting, nothing taken off."""
    return role_points + _best_distance(opening) + _best_hours(opening)


def fits_all_but_distance(opening: Opening) -> Q:
    """People whom nothing but distance keeps from full points: the hours fit, the
    right to work is checked, the DBS check and the licence are what it needs."""
    fits = ~Q(right_to_work__in=["no", "unknown"])
    if opening.hours is not None:
        hours = float(opening.hours)
        fits &= Q(hours_wanted__isnull=True) | _hours_fit(hours, "hours_wanted")
    if opening.needs_driving_licence:
        fits &= Q(has_driving_licence=True, has_car=True)
    needed = DBS_ORDER.get(opening.dbs_level, 0)
    if needed:
        fits &= Q(
            dbs_level__in=[k for k, order in DBS_ORDER.items() if order >= needed]
        )
    return fits


def best_beyond_near(opening: Opening, *, role_points: int) -> int:
    """The most points anyone outside `near(opening.place)` scores against `opening`
    when `role_points` is the most their role can give: the next distance (or an
    unknown one), everything else full."""
    further = max(
        [matching.DISTANCE_UNKNOWN, *(p for _, p in matching.DISTANCE_POINTS[1:])]
    )
    return role_points + further + _best_hours(opening)


def best_short_of_fit(opening: Opening, *, role_points: int) -> int:
    """The most points anyone scores against `opening` without
    `fits_all_but_distance` (unless blocked), when `role_points` is the most their
    role can give: one thing taken off, or hours that do not fit."""
    hours = _best_hours(opening)
    penalty = max(matching.RIGHT_TO_WORK_UNCHECKED, matching.DBS_SHORT)
    full = best_with_role(opening, role_points=role_points)
    return max(full + penalty, full - hours if hours else full + penalty)


def people_scored(
    opening: Opening, texts: dict[CareRole | None, list[str]]
) -> dict[str, Combinable]:
    """Annotations giving each person `points` and `blocked` against `opening`."""
    needs_licence = (
        ~Q(has_driving_licence=True, has_car=True)
        if opening.needs_driving_licence
        else Q(pk__in=[])
    )
    no_right = Q(right_to_work="no")
    needed = DBS_ORDER.get(opening.dbs_level, 0)
    parts = [
        person_role_points(opening.role, texts),
        person_distance_points(opening.place),
        _if(no_right, matching.NO_RIGHT_TO_WORK),
        _if(Q(right_to_work="unknown"), matching.RIGHT_TO_WORK_UNCHECKED),
    ]
    if opening.hours is not None:
        hours = float(opening.hours)
        parts.append(
            _if(
                Q(hours_wanted__isnull=True) | _hours_fit(hours, "hours_wanted"),
                matching.HOURS_FIT,
            )
        )
    if opening.needs_driving_licence:
        parts.append(_if(needs_licence, matching.NO_LICENCE))
    if needed:
        held = [level for level, order in DBS_ORDER.items() if order >= needed]
        parts.append(_if(~Q(dbs_level__in=held), matching.DBS_SHORT))
    blocked = Case(
        When(no_right | needs_licence, then=_int(1)),
        default=_int(0),
        output_field=IntegerField(),
    )
    return {"points": _sum(parts), "blocked": blocked}


# --- One person against many openings ------------------------------------------------


def openings_scored(
    person: Person,
    *,
    roles_in_demand: frozenset[str],
    hours: str | None,
    licence: str | None,
    dbs: str | None,
    critical: str | None,
) -> dict[str, Combinable]:
    """Annotations giving each vacancy (or training place) `points`, `blocked`,
    `critical` and `in_demand` for `person`; None names a column the kind lacks."""
    if person.role_wanted is None:
        role: Combinable = _int(matching.NO_ROLE_RECORDED)
    else:
        role = _if(Q(role=person.role_wanted.value), matching.WANTED_ROLE)
    unknown = _int(matching.DISTANCE_UNKNOWN)
    if person.place is None:
        distance: Combinable = unknown
    else:
        distance = Case(
            When(Q(latitude__isnull=True) | Q(longitude__isnull=True), then=unknown),
            default=_distance_points(
                haversine_km(
                    _float(person.place.latitude),
                    _float(person.place.longitude),
                    F("latitude"),
                    F("longitude"),
                )
            ),
            output_field=IntegerField(),
        )
    parts = [role, distance]
    if person.right_to_work == "no":
        parts.append(_int(matching.NO_RIGHT_TO_WORK))
    elif person.right_to_work == "unknown":
        parts.append(_int(matching.RIGHT_TO_WORK_UNCHECKED))
    blocked_when: Q | None = None
    if hours is not None:
        fits = Q(**{f"{hours}__isnull": False})
        if person.hours_wanted is not None:
            fits &= _hours_fit(float(person.hours_wanted), hours)
        parts.append(_if(fits, matching.HOURS_FIT))
    if licence is not None and not (person.has_driving_licence and person.has_car):
        parts.append(_if(Q(**{licence: True}), matching.NO_LICENCE))
        blocked_when = Q(**{licence: True})
    if dbs is not None:
        held = DBS_ORDER.get(person.dbs_level, 0)
        above = [level for level, order in DBS_ORDER.items() if order > held]
        parts.append(_if(Q(**{f"{dbs}__in": above}), matching.DBS_SHORT))
    if person.right_to_work == "no":
        blocked: Combinable = _int(1)
    elif blocked_when is None:
        blocked = _int(0)
    else:
        blocked = _if(blocked_when, 1)
    return {
        "points": _sum(parts),
        "blocked": blocked,
        "critical": _if(Q(**{critical: True}), 1) if critical else _int(0),
        "in_demand": _if(Q(role__in=sorted(roles_in_demand)), 1)
        if roles_in_demand
        else _int(0),
    }


__all__ = [
    "haversine_km",
    "openings_scored",
    "people_scored",
    "person_distance_points",
    "person_role_points",
    "roles_of_texts",
]
