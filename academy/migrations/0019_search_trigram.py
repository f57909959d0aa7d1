"""The public board's keyword search at national scale (issue 16), on PostgreSQL only
(academy/lists.py; nothing on SQLite): GIN trigram indexes of UPPER(name) for
organisations and ONS area names, the expressions the board's `icontains` search
compares (vacancies/selectors_public.py). Built CONCURRENTLY, so not atomic."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from academy.lists import search_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("academy", "0018_export_runs")]

    operations = [
        TrigramExtension(),  # does nothing on a database other than PostgreSQL
        search_index("academy_organisation", "name"),
        search_index("academy_placename", "name"),
    ]
