"""Load postcode centroids, and the local authority, ward and Westminster constituency
each postcode is in, from the ONS Postcode Directory (ONSPD) CSV, or any CSV with
postcode and latitude/longitude columns (e.g. a Code-Point Open extract converted to
WGS84); and the names of those areas from the ONSPD's name files (its Documents folder).
Open Government Licence; download it from the ONS Open Geography portal.

    manage.py load_postcodes FILE [--names NAMES_FILE ...] [--source TEXT]
    manage.py load_postcodes --names NAMES_FILE [--names NAMES_FILE ...]

Everything given loads, or nothing does."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from academy.places.loading import Loaded, place_names_load, postcodes_load


def _counts(loaded: Loaded) -> str:
    return f"{loaded.new} new, {loaded.changed} changed, {loaded.unchanged} unchanged"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class Command(BaseCommand):
    help = (
        "Load postcode centroids and areas (ONSPD CSV) and area names (ONSPD name "
        "files); all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            type=Path,
            nargs="?",
            help="ONSPD-style CSV: pcds, lat, long, and oslaua/lad25cd, "
            "osward/wd25cd, pcon/pcon24cd where present",
        )
        parser.add_argument(
            "--names",
            type=Path,
            action="append",
            default=[],
            metavar="NAMES_FILE",
            help="an ONSPD name file (WD24CD/WD24NM, PCON24CD/PCON24NM, "
            "LAD23CD/LAD23NM); give it once per file",
        )
        parser.add_argument("--source", default="ONS Postcode Directory")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["file"]
        names: list[Path] = options["names"]
        if path is None and not names:
            raise CommandError(
                "Give an ONSPD file, one or more --names files, or both."
            )
        for given in ([path] if path else []) + names:
            if not given.is_file():
                raise CommandError(f"Nothing loaded. No file at {given}.")
        lines: list[str] = []
        try:
            with transaction.atomic():
                if path is not None:
                    try:
                        loaded = postcodes_load(path=path, source=options["source"])
                    except ValidationError as error:
                        raise ValidationError(
                            f"{path.name}: {' '.join(error.messages)}"
                        ) from error
                    line = f"Loaded {_plural(loaded.total, 'postcode')} "
                    line += f"({_counts(loaded)})"
                    if loaded.skipped:
                        line += f"; skipped {loaded.skipped} with no grid reference"
                    lines.append(line + ".")
                for name_path in names:
                    try:
                        named = place_names_load(
                            path=name_path, source=options["source"]
                        )
                    except ValidationError as error:
                        raise ValidationError(
                            f"{name_path.name}: {' '.join(error.messages)}"
                        ) from error
                    lines.append(
                        f"Loaded {_plural(named.total, 'name')} from "
                        f"{name_path.name} ({_counts(named)})."
                    )
        except ValidationError as error:
            raise CommandError(f"Nothing loaded. {' '.join(error.messages)}") from error
        for line in lines:
            self.stdout.write(self.style.SUCCESS(line))
