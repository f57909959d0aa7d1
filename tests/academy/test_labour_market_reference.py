"""The shipped geography lookup (labour_market/data/geography_england_lookup.csv):
every English local authority, county and region of ONS's April 2024 lookup, each in one
of the nine regions, and the Skills for Care names of the areas that have them."""

import csv
from collections import Counter

from academy.labour_market import reference
from academy.models.core import REGION_CHOICES


def rows():
    with reference.GEOGRAPHY_FILE.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_lookup_has_every_english_authority_by_kind():
    counts = Counter(row["gss_code"][:3] for row in rows())
    # ONS, LAD to Region (April 2024) Lookup in England: 296 districts.
    assert counts == {
        "E92": 1,
        "E12": 9,
        "E10": 21,
        "E06": 63,
        "E07": 164,
        "E08": 36,
        "E09": 33,
    }


def test_no_code_is_listed_twice():
    codes = [row["gss_code"] for row in rows()]
    assert len(codes) == len(set(codes))
    assert all(reference.GSS_CODE.match(code) for code in codes)


def test_every_authority_is_in_one_of_the_nine_regions():
    regions = {code: names[0] for code, names in reference.REGIONS.items()}
    assert sorted(regions.values()) == sorted(name for name, _ in REGION_CHOICES)
    for row in rows():
        if row["gss_code"] == reference.ENGLAND:
            continue
        assert regions[row["region_code"]] == row["region_name"], row["gss_code"]
    per_region = Counter(
        row["region_name"]
        for row in rows()
        if row["gss_code"][:3] in {"E06", "E07", "E08", "E09"}
    )
    assert per_region == {
        "North East": 12,
        "North West": 35,
        "Yorkshire and The Humber": 15,
        "East Midlands": 35,
        "West Midlands": 30,
        "East of England": 45,
        "London": 33,
        "South East": 64,
        "South West": 27,
    }


def test_known_codes_have_their_names_and_regions():
    for code, name, region in [
        ("E06000026", "Plymouth", "South West"),
        ("E08000022", "North Tyneside", "North East"),
        ("E09000033", "Westminster", "London"),
        ("E07000223", "Adur", "South East"),
        ("E06000065", "North Yorkshire", "Yorkshire and The Humber"),
        ("E10000017", "Lancashire", "North West"),
    ]:
        area = reference.area_get(code)
        assert area is not None, code
        assert (area.name, reference.areas()[area.region_code].name) == (name, region)


def test_retired_and_made_up_codes_are_not_known():
    # Allerdale (2023, now Cumberland), Bournemouth (2019), a well-formed made-up code.
    for code in ("E07000026", "E06000028", "E06000999", "E10000006"):
        assert reference.area_get(code) is None


def test_skills_for_care_names_still_map_to_their_codes():
    assert reference.area_code_for_name("Durham") == "E06000047"
    assert reference.area_code_for_name("Redcar & Cleveland") == "E06000003"
    assert reference.area_code_for_name("Cornwall and Isles of Scilly") == "E06000052"
    assert reference.published_area_code("E06000053") == "E06000052"
    # An area without a Skills for Care name is published under its own code, and
    # an empty name is no area.
    assert reference.published_area_code("E08000035") == "E08000035"
    assert reference.area_code_for_name("") is None
    assert reference.area_code_for_name("Leeds") == "E08000035"
