"""Suspected double outcomes carry their academy (issue 16): the outcomes'
participant's, filled here for the pairs there are, then required; an index gives
an academy's open pairs in the list's order."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FILL = (
    "UPDATE participants_suspecteddoubleoutcome SET academy_id = (SELECT p.academy_id"
    " FROM participants_outcome o JOIN participants_participant p"
    " ON p.id = o.participant_id"
    " WHERE o.id = participants_suspecteddoubleoutcome.first_id)"
)


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL)
        if schema_editor.connection.vendor == "postgresql":
            # The foreign key's deferred checks now, so the column can be required
            # in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("academy", "0019_search_trigram"),
        ("participants", "0013_enquiry_status_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="suspecteddoubleoutcome",
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
            model_name="suspecteddoubleoutcome",
            name="academy",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="academy.academy",
            ),
        ),
        migrations.AddIndex(
            model_name="suspecteddoubleoutcome",
            index=models.Index(
                fields=["academy", "resolution", "found_at", "id"],
                name="double_academy_open",
            ),
        ),
    ]
