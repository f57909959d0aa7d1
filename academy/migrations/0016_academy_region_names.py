"""Academies' regions as the list names them: a region typed before the list (issue 14)
under another name ("Yorkshire and Humber", "Eastern", "south west") becomes the ONS
name; a region no list knows is kept, and the settings page asks for one."""

from django.db import migrations

# The nine ONS names, and the other names people and Skills for Care use.
REGIONS = {
    "North East": ["north east"],
    "North West": ["north west"],
    "Yorkshire and The Humber": [
        "yorkshire and the humber",
        "yorkshire and humber",
        "yorkshire & the humber",
        "yorkshire & humber",
    ],
    "East Midlands": ["east midlands"],
    "West Midlands": ["west midlands"],
    "East of England": ["east of england", "eastern", "east"],
    "London": ["london"],
    "South East": ["south east"],
    "South West": ["south west"],
}
CANONICAL = {alias: name for name, aliases in REGIONS.items() for alias in aliases}


def regions_named_as_listed(apps, schema_editor):
    Academy = apps.get_model("academy", "Academy")
    for academy in Academy.objects.exclude(region=""):
        typed = " ".join(academy.region.replace("-", " ").split()).casefold()
        name = CANONICAL.get(typed)
        if name and name != academy.region:
            Academy.objects.filter(pk=academy.pk).update(region=name)


class Migration(migrations.Migration):
    dependencies = [("academy", "0015_report_settings_and_postcode_areas")]

    operations = [
        migrations.RunPython(regions_named_as_listed, migrations.RunPython.noop)
    ]
