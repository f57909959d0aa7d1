"""Searches and deep pages of the people list at national scale (issue 16), on
PostgreSQL only (academy/lists.py): pg_trgm and GIN trigram indexes of what people
search (names, reference, e-mail, postcode as `UPPER(column)`, the phone number as
it is), and b-tree indexes for each sort of the list paged by keyset, academy first
and the pk last. Each is built CONCURRENTLY, so the migration is not atomic."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from academy.lists import keyset_index, search_index

PEOPLE = "participants_participant"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("participants", "0010_start_evidence")]

    operations = [
        TrigramExtension(),  # does nothing on a database other than PostgreSQL
        search_index(PEOPLE, "first_name"),
        search_index(PEOPLE, "last_name"),
        search_index(PEOPLE, "email"),
        search_index(PEOPLE, "reference"),
        search_index(PEOPLE, "postcode"),
        search_index(PEOPLE, "phone", upper=False),
        keyset_index(
            PEOPLE,
            "participant_keyset_name",
            "academy_id, last_name, first_name, id",
        ),
        keyset_index(
            PEOPLE, "participant_keyset_registered", "academy_id, registered_on, id"
        ),
        keyset_index(
            PEOPLE,
            "participant_keyset_contact",
            "academy_id, last_contact_at NULLS FIRST, id",
        ),
    ]
