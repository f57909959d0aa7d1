"""Where places are: postcode and postcode-district centroids every academy shares,
for distances (academy/places/ reads and loads them). The table keeps the name the
vacancies app gave it, where this model began (db_table)."""

from __future__ import annotations

from django.db import models


class Postcode(models.Model):
    """A postcode (or postcode district) centroid, for distances."""

    postcode = models.CharField(max_length=10, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    source = models.CharField(max_length=100)
    # The areas the postcode is in (ONS Postcode Directory columns oslaud, osward,
    # pcon): what funder returns break their figures down by. Blank when not loaded.
    local_authority = models.CharField("local authority code", max_length=9, blank=True)
    ward = models.CharField("ward code", max_length=9, blank=True)
    constituency = models.CharField(
        "Westminster constituency code", max_length=9, blank=True
    )

    class Meta:
        db_table = "vacancies_postcode"
        # Matching reads the centroids near an opening by a box of these.
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="postcode_place")
        ]

    def __str__(self) -> str:
        return self.postcode


class PlaceName(models.Model):
    """The name of an ONS area code (ward, constituency, local authority) from the ONS
    Postcode Directory's name files, so that breakdowns read as names."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        WARD = "ward", "Ward"
        CONSTITUENCY = "constituency", "Westminster constituency"

    code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=100)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
