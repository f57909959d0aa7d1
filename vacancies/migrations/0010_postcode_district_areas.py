"""The shipped postcode districts of the demo areas gain the local authority, ward and
Westminster constituency their centroids fall in, and those wards' and constituencies'
names (academy/places/data/README.md says where each comes from)."""

from django.db import migrations

from academy.places.districts import (
    DISTRICT_NAMES_SOURCE,
    DISTRICTS_SOURCE,
    district_areas,
    district_place_names,
    district_rows,
)

AREAS = ("local_authority", "ward", "constituency")


def load(apps, schema_editor):
    Postcode = apps.get_model("academy", "Postcode")
    PlaceName = apps.get_model("academy", "PlaceName")
    centroids = {district: (lat, lon) for district, lat, lon in district_rows()}
    for row in district_areas():
        areas = {area: getattr(row, area) for area in AREAS}
        if not Postcode.objects.filter(postcode=row.district).update(**areas):
            latitude, longitude = centroids[row.district]
            Postcode.objects.create(
                postcode=row.district,
                latitude=latitude,
                longitude=longitude,
                source=DISTRICTS_SOURCE,
                **areas,
            )
    for code, (name, kind) in district_place_names().items():
        PlaceName.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "source": DISTRICT_NAMES_SOURCE},
        )


def unload(apps, schema_editor):
    Postcode = apps.get_model("academy", "Postcode")
    districts = [district for district, _, _ in district_rows()]
    Postcode.objects.filter(postcode__in=districts).update(**dict.fromkeys(AREAS, ""))
    apps.get_model("academy", "PlaceName").objects.filter(
        source=DISTRICT_NAMES_SOURCE
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("academy", "0015_report_settings_and_postcode_areas"),
        ("vacancies", "0009_day_ahead"),
    ]

    operations = [migrations.RunPython(load, unload)]
