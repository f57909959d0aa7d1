"""Vacancy searches and the coordinators' shortage banner at national scale (issue
16), on PostgreSQL only (academy/lists.py; nothing on SQLite): GIN trigram indexes of
UPPER(title) and UPPER(description), the expressions the board's `icontains` search
compares (vacancies/selectors_public.py), and a b-tree index that gives the home
page's critical shortages of an academy in closing order without reading its closed
vacancies. Built CONCURRENTLY, so the migration is not atomic."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from academy.lists import keyset_index, search_index

VACANCIES = "vacancies_vacancy"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("vacancies", "0011_posts_message")]

    operations = [
        TrigramExtension(),  # does nothing on a database other than PostgreSQL
        search_index(VACANCIES, "title"),
        search_index(VACANCIES, "description"),
        keyset_index(
            VACANCIES,
            "vacancy_open_by_closing",
            "academy_id, status, is_critical_shortage, closing_on, id",
        ),
    ]
