"""Vacancy tests may run after a browser or worker test has emptied the tables (those
tests flush the database), so the shipped district centroids are put back first."""

import csv
from pathlib import Path

import pytest

from vacancies.models import Postcode

DISTRICTS = (
    Path(__file__).resolve().parents[2]
    / "vacancies"
    / "data"
    / "postcode_districts.csv"
)


@pytest.fixture(autouse=True)
def _postcode_districts(request):
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    if not Postcode.objects.exists():
        with DISTRICTS.open(encoding="utf-8") as handle:
            Postcode.objects.bulk_create(
                Postcode(
                    postcode=row["postcode"],
                    latitude=float(row["latitude"]),
                    longitude=float(row["longitude"]),
                    source="test",
                )
                for row in csv.DictReader(handle)
            )
