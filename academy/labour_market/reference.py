"""The shipped lookups (in `data/`, read from here, never from ../shared): every
English local authority, county and region with its ONS (GSS) code and region, and the
Skills for Care area names of some of them; and Skills for Care's job roles for the
portal's care roles.

The areas are those current in ONS's Open Geography lookups, "Local Authority District
to Region (April 2024) Lookup in England" (296 districts: 63 unitary, 164
non-metropolitan, 36 metropolitan, 33 London boroughs), with the 21 counties and the
nine regions; Open Government Licence v3.0. data/README.md says how the file was built
and checked.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .config import EXTRA_ROLE_KEYS

DATA_DIR = Path(__file__).resolve().parent / "data"
GEOGRAPHY_FILE = DATA_DIR / "geography_england_lookup.csv"
ROLES_FILE = DATA_DIR / "soc2020_adult_social_care_roles.csv"

ENGLAND = "E92000001"
GSS_CODE = re.compile(r"^[EWSN]\d{8}$")
# The nine English regions (ONS codes), with the names Skills for Care also uses.
REGIONS: dict[str, tuple[str, ...]] = {
    "E12000001": ("North East",),
    "E12000002": ("North West",),
    "E12000003": ("Yorkshire and The Humber", "Yorkshire and Humber"),
    "E12000004": ("East Midlands",),
    "E12000005": ("West Midlands",),
    "E12000006": ("East of England", "Eastern", "East"),
    "E12000007": ("London",),
    "E12000008": ("South East",),
    "E12000009": ("South West",),
}


@dataclass(frozen=True)
class Area:
    """An area of the lookup: its code, ONS name, region and Skills for Care name (empty
    where the lookup has none: districts, and authorities not yet matched)."""

    code: str
    name: str
    region_code: str
    sfc_name: str


def name_key(name: str) -> str:
    """A name as compared: capitals, '&'/'and', hyphens and commas do not matter."""
    text = name.casefold().replace("&", " and ").replace("-", " ")
    text = re.sub(r"[,.'\u2019()]", " ", text)
    return " ".join(text.split())


@cache
def areas() -> dict[str, Area]:
    """Every area of the lookup, by GSS code, with the regions and England added."""
    found: dict[str, Area] = {}
    with GEOGRAPHY_FILE.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            found[row["gss_code"]] = Area(
                row["gss_code"],
                row["ons_name"],
                row["region_code"],
                row["sfc_cssr_name"],
            )
    for code, names in REGIONS.items():
        found.setdefault(code, Area(code, names[0], code, names[0]))
    found.setdefault(ENGLAND, Area(ENGLAND, "England", "", "England"))
    return found


@cache
def _codes_by_name() -> dict[str, str]:
    codes: dict[str, str] = {}
    # Skills for Care names first: "Cornwall and Isles of Scilly" is Cornwall's row.
    for area in areas().values():
        if area.sfc_name:
            codes.setdefault(name_key(area.sfc_name), area.code)
    for area in areas().values():
        codes.setdefault(name_key(area.name), area.code)
    for code, names in REGIONS.items():
        for name in names:
            codes.setdefault(name_key(name), code)
    return codes


def area_code_for_name(name: str) -> str | None:
    """The GSS code of a Skills for Care area name, or None if the lookup lacks it."""
    return _codes_by_name().get(name_key(name))


def area_get(code: str) -> Area | None:
    """The lookup's area of a GSS code, if it has it."""
    return areas().get(code)


def region_code_for(*, area_code: str, region_name: str = "") -> str | None:
    """The region of an area: from the lookup, else from the academy's region name."""
    area = areas().get(area_code)
    if area is not None and area.region_code:
        return area.region_code
    for code, names in REGIONS.items():
        if name_key(region_name) in {name_key(n) for n in names}:
            return code
    return None


def region_name_for(text: str) -> str | None:
    """The ONS name of the English region `text` names ("Yorkshire and Humber",
    "eastern" and the like), or None if it names none."""
    key = name_key(text)
    for names in REGIONS.values():
        if key in {name_key(name) for name in names}:
            return names[0]
    return None


def area_region_name(code: str) -> str | None:
    """The ONS name of the region an area is in (a region is in itself), or None for
    England and codes the lookup lacks."""
    area = areas().get(code)
    if area is None or area.region_code not in REGIONS:
        return None
    return REGIONS[area.region_code][0]


def area_said(code: str) -> str:
    """An area as a person reads it: "E06000026 \u2014 Plymouth (South West)"; a region
    or England by name alone; the bare code if the lookup lacks it."""
    area = areas().get(code)
    if area is None:
        return code
    region = area_region_name(code)
    if region is None or area.code == area.region_code:
        return f"{code} \u2014 {area.name}"
    return f"{code} \u2014 {area.name} ({region})"


def published_area_code(code: str) -> str:
    """The code Skills for Care's figures for an area are stored under.

    Skills for Care publishes Cornwall and the Isles of Scilly as one area, stored
    under Cornwall's code, so the Isles of Scilly read Cornwall's figures.
    """
    area = areas().get(code)
    if area is None or not area.sfc_name:
        return code
    return _codes_by_name().get(name_key(area.sfc_name), code)


@cache
def role_keys() -> dict[str, str]:
    """Skills for Care job role (as compared) -> the portal's care role key."""
    keys: dict[str, str] = {}
    with ROLES_FILE.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            if row["sfc_job_role"] and row["portal_role_key"]:
                keys.setdefault(name_key(row["sfc_job_role"]), row["portal_role_key"])
    for role, key in EXTRA_ROLE_KEYS.items():
        keys.setdefault(name_key(role), key)
    return keys


def role_key_for(job_role: str) -> str | None:
    """The portal's care role key of a Skills for Care job role, if it has one."""
    return role_keys().get(name_key(job_role))
