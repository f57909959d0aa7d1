"""Import existing records from a CSV or XLSX file (spec/import-format.md).

manage.py import_records --academy SLUG --kind KIND FILE [--dry-run]
    [--coordinator EMAIL] [--accept REFERENCE ...]

Run with --dry-run first: it lists every change (old → new), every conflict (a
reference whose stored name or date of birth differs) and every likely duplicate of
a person already held. Those are held back unless their reference is passed to
--accept.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.models import Academy, User, membership_active_q
from academy.permissions import Role
from participants import imports
from participants.models import ImportRun
from participants.services.imports import records_import


class Command(BaseCommand):
    help = (
        "Import participants, action plans, support or outcomes from a CSV or XLSX "
        "file: all rows, or none if any row has a problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--academy", required=True, metavar="SLUG")
        parser.add_argument("--kind", required=True, choices=ImportRun.Kind.values)
        parser.add_argument("file", type=Path, metavar="FILE", help=".csv or .xlsx")
        parser.add_argument(
            "--coordinator",
            metavar="EMAIL",
            help="the coordinator or admin new people belong to, unless a row's "
            "coordinator column names another",
        )
        parser.add_argument(
            "--accept",
            nargs="+",
            default=[],
            metavar="REFERENCE",
            help="import these rows although they conflict or look like a duplicate",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and say what would change, writing nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug, kind, path = options["academy"], options["kind"], options["file"]
        academy = Academy.objects.filter(slug=slug).first()
        if academy is None:
            raise CommandError(
                f"There is no academy with slug '{slug}'. Nothing was imported."
            )
        coordinator = None
        if options["coordinator"]:
            coordinator = User.objects.filter(
                membership_active_q("memberships__"),
                email__iexact=options["coordinator"],
                memberships__academy=academy,
                memberships__role__in=[Role.COORDINATOR, Role.ADMIN],
            ).first()
            if coordinator is None:
                raise CommandError(
                    f"{options['coordinator']} is not a coordinator or admin of "
                    f"{slug}. Nothing was imported."
                )
        try:
            with path.open("rb") as source:
                result = records_import(
                    academy=academy,
                    kind=kind,
                    source=source,
                    file_name=path.name,
                    by=None,
                    dry_run=options["dry_run"],
                    accept=frozenset(options["accept"]),
                    coordinator=coordinator,
                    progress=lambda message: self.stderr.write(f"  {message}"),
                )
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        except imports.ImportFileError as error:
            raise CommandError(f"{path.name}: {error} Nothing was imported.") from error
        summary = result.summary
        if summary.ignored_columns:
            columns = ", ".join(summary.ignored_columns)
            self.stderr.write(self.style.WARNING(f"Ignored unknown columns: {columns}"))
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(result.problems)} problem(s) in {path.name}: nothing was "
                "imported. Fix them and run the command again."
            )
        for change in summary.changes:
            fields = "; ".join(
                f"{k}: {old} → {new}" for k, old, new in change["fields"]
            )
            self.stdout.write(f"  row {change['row']}: {change['reference']}: {fields}")
        for conflict in summary.conflicts:
            state = "accepted" if conflict.get("accepted") else "held back"
            fields = "; ".join(
                f"{k}: {old} → {new}" for k, old, new in conflict["fields"]
            )
            self.stdout.write(
                self.style.WARNING(
                    f"  row {conflict['row']}: {conflict['reference']} is stored as "
                    f"{conflict['name']}, a different person? ({state}) {fields}"
                )
            )
        for duplicate in summary.duplicates:
            state = "accepted" if duplicate["accepted"] else "held back"
            like = ", ".join(f"{r} {n} ({why})" for r, n, why in duplicate["matches"])
            self.stdout.write(
                self.style.WARNING(
                    f"  row {duplicate['row']}: {duplicate['reference']} "
                    f"{duplicate['name']} looks like {like} ({state})"
                )
            )
        counts = (
            f"{summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged"
        )
        if summary.held:
            counts += (
                f", {summary.held} held back (pass their references to --accept "
                "to import them)"
            )
        if result.is_written:
            done = f"Imported {summary.rows} {kind} rows into {academy.slug}: {counts}."
            self.stdout.write(self.style.SUCCESS(done))
        else:
            self.stdout.write(
                f"Dry run, nothing written. {summary.rows} {kind} rows would be: "
                f"{counts}."
            )
