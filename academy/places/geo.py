"""Where a postcode is, and how far apart two places are.

Centroids come from the Postcode table: full postcodes where an ONS Postcode Directory
(or Code-Point Open) extract has been loaded (`manage.py load_postcodes FILE`), and
postcode districts (PL4, NE29, ...) for the demo areas, shipped in
academy/places/data/postcode_districts.csv. A full postcode falls back to its district;
a postcode found in neither has no distance, and matching says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..models import PlaceName, Postcode
from ..rules import postcode_parts

__all__ = [
    "Areas",
    "Place",
    "area_names",
    "areas_of",
    "distance_km",
    "place_of",
    "places_of",
    "postcode_parts",
]


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    precision: str  # "postcode" or "district"


def places_of(postcodes: Iterable[str]) -> dict[str, Place]:
    """The centroid of each postcode that can be placed, in one query."""
    wanted: dict[str, tuple[str, str]] = {}
    for postcode in set(postcodes):
        parts = postcode_parts(postcode) if postcode else None
        if parts:
            wanted[postcode] = parts
    keys = {full for _, full in wanted.values()} | {d for d, _ in wanted.values()}
    known = {
        p.postcode: p
        for p in Postcode.objects.filter(postcode__in=keys).only(
            "postcode", "latitude", "longitude"
        )
    }
    found: dict[str, Place] = {}
    for postcode, (district, full) in wanted.items():
        if full in known and full != district:
            hit = known[full]
            found[postcode] = Place(hit.latitude, hit.longitude, "postcode")
        elif district in known:
            hit = known[district]
            found[postcode] = Place(hit.latitude, hit.longitude, "district")
    return found


def place_of(postcode: str) -> Place | None:
    """The centroid of one postcode, or None."""
    return places_of([postcode]).get(postcode)


@lru_cache(maxsize=65536)
def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance (haversine), in kilometres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = (
        math.sin(dlat / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Areas:
    """The ONS areas a postcode is in (codes; blank where not loaded)."""

    local_authority: str
    ward: str
    constituency: str


NO_AREAS = Areas("", "", "")


def areas_of(postcodes: Iterable[str]) -> dict[str, Areas]:
    """The local authority, ward and constituency of each postcode, in one query: the
    full postcode's where an ONS Postcode Directory extract with those columns is
    loaded, else its district's (the shipped demo districts carry them); postcodes
    found in neither are left out."""
    wanted: dict[str, tuple[str, str]] = {}
    for postcode in set(postcodes):
        parts = postcode_parts(postcode) if postcode else None
        if parts:
            wanted[postcode] = parts
    keys = {full for _, full in wanted.values()} | {d for d, _ in wanted.values()}
    known = {
        row["postcode"]: Areas(row["local_authority"], row["ward"], row["constituency"])
        for row in Postcode.objects.filter(postcode__in=keys)
        .exclude(local_authority="")
        .values("postcode", "local_authority", "ward", "constituency")
    }
    found: dict[str, Areas] = {}
    for postcode, (district, full) in wanted.items():
        areas = known.get(full) or known.get(district)
        if areas is not None:
            found[postcode] = areas
    return found


def area_names(codes: Iterable[str]) -> dict[str, str]:
    """The name of each ONS code that has one: from the names loaded with the
    postcodes (PlaceName), else from the shipped lookup of English local authorities
    and regions."""
    from ..labour_market.reference import area_get

    wanted = {code for code in codes if code}
    names = dict(PlaceName.objects.filter(code__in=wanted).values_list("code", "name"))
    for code in wanted - names.keys():
        area = area_get(code)
        if area is not None:
            names[code] = area.name
    return names
