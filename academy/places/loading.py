"""Loading postcode centroids from an ONS Postcode Directory extract."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Postcode
from ..rules import postcode_parts


@transaction.atomic
def postcodes_load(*, path: Path, source: str) -> int:
    """Load postcode centroids from an ONS Postcode Directory style CSV (columns `pcds`
    or `postcode`, and `lat`/`latitude`, `long`/`longitude`); all rows or none."""
    loaded = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = {name.lower(): name for name in reader.fieldnames or []}
        code = fields.get("pcds") or fields.get("postcode")
        lat = fields.get("lat") or fields.get("latitude")
        lon = fields.get("long") or fields.get("longitude")
        if not (code and lat and lon):
            raise ValidationError(
                "The file needs a postcode column (pcds or postcode) and lat/latitude "
                "and long/longitude columns."
            )
        batch: list[Postcode] = []
        for number, row in enumerate(reader, start=2):
            parts = postcode_parts(row[code])
            if parts is None:
                raise ValidationError(
                    f"row {number}: {code}: '{row[code]}' is not a postcode"
                )
            try:
                latitude, longitude = float(row[lat]), float(row[lon])
            except ValueError as error:
                raise ValidationError(
                    f"row {number}: coordinates are not numbers"
                ) from error
            if not (49 <= latitude <= 61 and -9 <= longitude <= 2.5):
                continue  # ONSPD marks postcodes with no grid reference as 99.999999
            batch.append(
                Postcode(
                    postcode=parts[1],
                    latitude=latitude,
                    longitude=longitude,
                    source=source,
                )
            )
            loaded += 1
        Postcode.objects.bulk_create(
            batch,
            batch_size=5000,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["latitude", "longitude", "source"],
        )
    return loaded
