"""Every existing academy gets its own copy of the shipped funder returns (new
academies get theirs from reporting.funders.services.funder_returns_install)."""

from django.db import migrations

from reporting.funders.shipped import install_shipped


def install(apps, schema_editor):
    Academy = apps.get_model("academy", "Academy")
    FunderReturn = apps.get_model("reporting", "FunderReturn")
    Indicator = apps.get_model("reporting", "Indicator")
    for academy_id in Academy.objects.values_list("pk", flat=True):
        install_shipped(academy_id, FunderReturn, Indicator)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0007_funder_returns")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
