"""Load a labour-market source file, or fetch the Nomis claimant count: all or nothing.

python manage.py refresh_labour_market --source skills-for-care --file LA.xlsx
python manage.py refresh_labour_market --source nomis-claimant-count [--dry-run]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.labour_market import fetch, refresh
from academy.labour_market.observations import Source
from academy.models import RefreshRun

# What a finished run did, in the command's words.
DONE_WORDS: dict[str, str] = {RefreshRun.Status.DONE: "Loaded"}


class Command(BaseCommand):
    help = (
        "Load a labour-market file (or, for nomis-claimant-count without --file, fetch "
        "it from NOMIS_CLAIMANT_COUNT_URL). The whole file is checked before anything "
        "is written; a failure writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", required=True, choices=[s.value for s in Source]
        )
        parser.add_argument("--file", type=Path, help="the downloaded file to load")
        parser.add_argument(
            "--period",
            default="",
            help="the year (2023/24) of a Skills for Care file whose name and Notes "
            "sheet do not say",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and count what would change; write nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["source"]
        data, filename = self._acquire(source, options["file"])
        run = refresh.labour_market_refresh(
            source=source,
            data=data,
            filename=filename,
            period=options["period"],
            dry_run=options["dry_run"],
            progress=lambda rows: self.stderr.write(f"read {rows:,} rows"),
            on_stage=lambda stage: self.stderr.write(f"{stage}…"),
        )
        for rejected in run.rejected:
            self.stderr.write(f"rejected row {rejected['row']}: {rejected['reason']}")
        if run.rejected_count > len(run.rejected):
            self.stderr.write(f"… {run.rejected_count - len(run.rejected)} more")
        if run.status == RefreshRun.Status.FAILED:
            raise CommandError(f"{run.error} (run {run.pk})")
        seconds = run.duration.total_seconds() if run.duration else 0.0
        said = DONE_WORDS.get(run.status, run.get_status_display())
        self.stdout.write(
            f"{said}: {source} {filename} "
            f"(sha256 {run.checksum}): {run.new_count} new, {run.changed_count} "
            f"changed, {run.unchanged_count} unchanged, {run.rejected_count} rejected "
            f"rows, in {seconds:.1f} s (run {run.pk})"
        )

    def _acquire(self, source: str, path: Path | None) -> tuple[bytes, str]:
        if path is not None:
            try:
                return path.read_bytes(), path.name
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error}") from error
        if source != Source.NOMIS_CLAIMANT_COUNT:
            raise CommandError(
                f"{source} has no address to fetch from: download the file and give "
                "--file PATH."
            )
        url = fetch.nomis_claimant_count_url()
        if url is None:
            raise CommandError(
                "NOMIS_CLAIMANT_COUNT_URL is not set, so this machine does not fetch: "
                "download the CSV from Nomis and give --file PATH."
            )
        self.stderr.write(f"fetching {url}")
        try:
            return fetch.url_fetch(url), url
        except fetch.FetchError as error:
            raise CommandError(str(error)) from error
