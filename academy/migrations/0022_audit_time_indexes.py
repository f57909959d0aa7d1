"""The audit pages at scale (issue 16), where an academy's history holds millions of
changes and its access records more.

- The time of access records and changes loses its b-tree. PostgreSQL chose it for
  the newest page of a large academy (whose rows it expected everywhere) and read
  every other academy's newer rows first: 101 ms at 1.5 million changes, against
  0.06 ms through the (academy, time, id) keyset index of 0021. A BRIN index of the
  time (small, cheap to write, no order to offer) serves what reads by time alone:
  the retention purge.
- Added rows are most of a history, so the keyset index finds a page of them at
  once; changed, deleted and erased rows can be few among millions, and a page of
  them ("What: Deleted") read the whole history (433 ms at 1.5 million changes):
  they get a keyset index by kind (partial, so that imports, which add rows, write
  nothing more to it).

PostgreSQL's indexes are built CONCURRENTLY, so the migration is not atomic. On
SQLite the b-trees go too (the table is rebuilt; academy/audit/triggers.py puts its
triggers back after migrating)."""

from django.db import migrations, models

from academy.lists import PostgresOnly, keyset_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("academy", "0021_audit_keyset_indexes")]

    operations = [
        migrations.AlterField(
            model_name="accessrecord",
            name="at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="changerecord",
            name="at",
            field=models.DateTimeField(),
        ),
        PostgresOnly(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS accessrecord_at_brin "
            "ON academy_accessrecord USING brin (at)",
            "DROP INDEX CONCURRENTLY IF EXISTS accessrecord_at_brin",
        ),
        PostgresOnly(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS changerecord_at_brin "
            "ON academy_changerecord USING brin (at)",
            "DROP INDEX CONCURRENTLY IF EXISTS changerecord_at_brin",
        ),
        keyset_index(
            "academy_changerecord",
            "changerecord_edits_keyset",
            "academy_id, operation, at DESC, id DESC",
            where="operation IN ('update', 'delete', 'erase')",
        ),
    ]
