"""Load the shipped postcode-district centroids of the demo areas."""

from django.db import migrations

from academy.places.districts import DISTRICTS_SOURCE as SOURCE
from academy.places.districts import district_rows


def load(apps, schema_editor):
    Postcode = apps.get_model("vacancies", "Postcode")
    for district, latitude, longitude in district_rows():
        Postcode.objects.update_or_create(
            postcode=district,
            defaults={"latitude": latitude, "longitude": longitude, "source": SOURCE},
        )


def unload(apps, schema_editor):
    apps.get_model("vacancies", "Postcode").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("vacancies", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
