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

    class Meta:
        db_table = "vacancies_postcode"

    def __str__(self) -> str:
        return self.postcode
