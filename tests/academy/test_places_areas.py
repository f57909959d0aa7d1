"""The areas a postcode is in: the full postcode's, else its district's."""

import pytest

from academy.models import PlaceName, Postcode
from academy.places.geo import Areas, area_names, areas_of

pytestmark = pytest.mark.django_db


def test_a_full_postcode_has_its_own_areas_and_falls_back_to_its_district():
    Postcode.objects.update_or_create(
        postcode="ZZ9",
        defaults={
            "latitude": 50.0,
            "longitude": -4.0,
            "source": "t",
            "local_authority": "E06000026",
            "ward": "E05000001",
            "constituency": "E14000001",
        },
    )
    Postcode.objects.create(
        postcode="ZZ9 1AB",
        latitude=50.0,
        longitude=-4.0,
        source="t",
        local_authority="E06000026",
        ward="E05000002",
        constituency="E14000002",
    )
    found = areas_of(["ZZ9 1AB", "zz9 9zz", "", "not a postcode", "ZY1 1AA"])
    assert found == {
        "ZZ9 1AB": Areas("E06000026", "E05000002", "E14000002"),
        "zz9 9zz": Areas("E06000026", "E05000001", "E14000001"),
    }


def test_names_come_from_the_loaded_names_then_the_shipped_lookup():
    PlaceName.objects.create(code="E05000002", name="Drake", kind="ward", source="t")
    names = area_names(["E05000002", "E06000026", "E99999999", ""])
    assert names == {"E05000002": "Drake", "E06000026": "Plymouth"}
