"""The postcode districts shipped for the demo areas (academy/places/data, whose README
says where every column comes from): their approximate centroids, and the local
authority, ward and Westminster constituency each centroid falls in. Read by the
migrations that load them and by tests that put them back after a flush.
No model imports here: migrations must not depend on the current models."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DISTRICTS_CSV = Path(__file__).resolve().parent / "data" / "postcode_districts.csv"
DISTRICTS_SOURCE = "Approximate district centroids shipped for the demo areas"
DISTRICT_NAMES_SOURCE = "ONS names of the shipped demo districts' areas"


@dataclass(frozen=True)
class DistrictAreas:
    """A shipped district's areas (ONS codes, blank where not known) and names."""

    district: str
    local_authority: str
    ward: str
    ward_name: str
    constituency: str
    constituency_name: str


def district_rows() -> Iterator[tuple[str, float, float]]:
    """(district, latitude, longitude) for each shipped district."""
    with DISTRICTS_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield row["postcode"], float(row["latitude"]), float(row["longitude"])


def district_areas() -> Iterator[DistrictAreas]:
    """The areas of each shipped district."""
    with DISTRICTS_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield DistrictAreas(
                district=row["postcode"],
                local_authority=row["local_authority"],
                ward=row["ward"],
                ward_name=row["ward_name"],
                constituency=row["constituency"],
                constituency_name=row["constituency_name"],
            )


def district_place_names() -> dict[str, tuple[str, str]]:
    """{code: (name, kind)} of the shipped districts' wards and constituencies (local
    authorities are named by the shipped lookup of English areas)."""
    names: dict[str, tuple[str, str]] = {}
    for areas in district_areas():
        if areas.ward:
            names[areas.ward] = (areas.ward_name, "ward")
        if areas.constituency:
            names[areas.constituency] = (areas.constituency_name, "constituency")
    return names
