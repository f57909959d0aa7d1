"""The postcode-district centroids shipped for the demo areas (academy/places/data),
read by the migration that loads them and by tests that put them back after a flush.
No model imports here: migrations must not depend on the current models."""

import csv
from collections.abc import Iterator
from pathlib import Path

DISTRICTS_CSV = Path(__file__).resolve().parent / "data" / "postcode_districts.csv"
DISTRICTS_SOURCE = "Approximate district centroids shipped for the demo areas"


def district_rows() -> Iterator[tuple[str, float, float]]:
    """(district, latitude, longitude) for each shipped district."""
    with DISTRICTS_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield row["postcode"], float(row["latitude"]), float(row["longitude"])
