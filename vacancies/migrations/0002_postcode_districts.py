"""Load the shipped postcode-district centroids of the demo areas."""

import csv
from pathlib import Path

from django.db import migrations

SOURCE = "Approximate district centroids shipped for the demo areas"


def load(apps, schema_editor):
    Postcode = apps.get_model("vacancies", "Postcode")
    path = Path(__file__).resolve().parent.parent / "data" / "postcode_districts.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Postcode.objects.update_or_create(
                postcode=row["postcode"],
                defaults={
                    "latitude": float(row["latitude"]),
                    "longitude": float(row["longitude"]),
                    "source": SOURCE,
                },
            )


def unload(apps, schema_editor):
    apps.get_model("vacancies", "Postcode").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("vacancies", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
