"""Referrals carry their academy (issue 16): the participant's, filled here for the
referrals there are, then required. Every read of referrals starts from one
academy's by an index leading with it (diaries and a provider's interviews, the
referral list's order, the impact report's period); events get one for a diary's
week. The fill is not change history (nothing about the person changed), so on
PostgreSQL the table's history triggers are off while it runs."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FILL = (
    "UPDATE vacancies_referral SET academy_id = (SELECT p.academy_id FROM "
    "participants_participant p WHERE p.id = vacancies_referral.participant_id)"
)


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    is_postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        if is_postgres:
            cursor.execute("ALTER TABLE vacancies_referral DISABLE TRIGGER USER")
        cursor.execute(FILL)
        if is_postgres:
            cursor.execute("ALTER TABLE vacancies_referral ENABLE TRIGGER USER")
            # The foreign key's deferred checks now, so the column can be required
            # in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("academy", "0019_search_trigram"),
        ("participants", "0013_enquiry_status_index"),
        ("vacancies", "0012_search_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="academy",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="academy.academy",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="referral",
            name="academy",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="academy.academy",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["academy", "starts_at"], name="event_academy_starts"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["academy", "interview_at"], name="referral_academy_interview"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["academy", "-updated_at", "-id"], name="referral_academy_list"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["academy", "created_at"], name="referral_academy_created"
            ),
        ),
    ]
