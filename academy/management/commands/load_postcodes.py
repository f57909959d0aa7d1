"""Load postcode centroids for distances, from the ONS Postcode Directory (ONSPD) CSV or
any CSV with postcode and latitude/longitude columns (e.g. a Code-Point Open extract
converted to WGS84). Open Government Licence; download it from the ONS Open Geography
portal. manage.py load_postcodes FILE [--source TEXT]"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy.places.loading import postcodes_load


class Command(BaseCommand):
    help = "Load postcode centroids (all rows or none) from an ONSPD-style CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="ONS Postcode Directory")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"No file at {path}.")
        try:
            count = postcodes_load(path=path, source=options["source"])
        except ValidationError as error:
            raise CommandError(f"Nothing loaded. {' '.join(error.messages)}") from error
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} postcodes."))
