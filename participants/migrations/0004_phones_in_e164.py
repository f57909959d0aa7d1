"""Phone numbers typed before they were parsed become E.164 ('+447700900123'); a value
that is not a phone number is left as it was, for a coordinator to correct."""

import phonenumbers
from django.db import migrations


def _e164(value):
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def forwards(apps, schema_editor):
    for app, model in (
        ("participants", "Participant"),
        ("participants", "Enquiry"),
        ("academy", "Organisation"),
    ):
        rows = apps.get_model(app, model).objects.exclude(phone="").exclude(
            phone__startswith="+"
        )
        for row in rows.only("pk", "phone").iterator(chunk_size=2000):
            e164 = _e164(str(row.phone))
            if e164 is not None:
                rows.model.objects.filter(pk=row.pk).update(phone=e164)


class Migration(migrations.Migration):
    dependencies = [
        ("academy", "0002_records_integrity"),
        ("participants", "0003_records_integrity"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
