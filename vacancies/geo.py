"""Where a postcode is, and how far apart two places are.

Centroids come from the Postcode table: full postcodes where an ONS Postcode Directory
(or Code-Point Open) extract has been loaded (`manage.py load_postcodes FILE`), and
postcode districts (PL4, NE29, ...) for the demo areas, shipped in
vacancies/data/postcode_districts.csv. A full postcode falls back to its district; a
postcode found in neither has no distance, and matching says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .models import Postcode

POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})?$")


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    precision: str  # "postcode" or "district"


@lru_cache(maxsize=65536)
def postcode_parts(value: str) -> tuple[str, str] | None:
    """('PL4 6AB' -> ('PL4', 'PL4 6AB')); None when it does not look like a UK postcode.
    A district alone ('PL4') is accepted, with itself as the full form."""
    compact = "".join(value.split()).upper()
    match = POSTCODE_RE.match(
        compact if len(compact) <= 4 else f"{compact[:-3]} {compact[-3:]}"
    )
    if not match:
        return None
    district, inward = match.group(1), match.group(2)
    return district, f"{district} {inward}" if inward else district


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
