"""Create an academy from the command line.

manage.py create_academy --slug SLUG --name NAME [--region REGION] [--area-code CODE]
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy import services


class Command(BaseCommand):
    help = "Create an academy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="short name, e.g. plymouth")
        parser.add_argument("--name", required=True, help="e.g. 'Caring Plymouth'")
        parser.add_argument("--region", default="", help="e.g. 'South West'")
        parser.add_argument(
            "--area-code", default="", help="ONS (GSS) code of the area, e.g. E06000026"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            academy = services.academy_create(
                slug=options["slug"],
                name=options["name"],
                region=options["region"],
                area_code=options["area_code"],
            )
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            )
            raise CommandError(f"Academy not created. {problems}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Created academy '{academy.slug}': {academy.name}")
        )
