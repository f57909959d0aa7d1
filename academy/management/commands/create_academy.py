"""Create an academy from the command line.

manage.py create_academy --slug SLUG --name NAME [--region REGION] [--area-code CODE]
    [--launched-on YYYY-MM-DD]

The settings are checked as the settings page checks them (services.academy_check): a
region from the nine, an ONS area code of that region, a launch date not in the future.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from academy import services

# The option that gives each field, to say which one to fix.
OPTIONS = {
    "slug": "--slug",
    "name": "--name",
    "region": "--region",
    "area_code": "--area-code",
    "launched_on": "--launched-on",
}


class Command(BaseCommand):
    help = "Create an academy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="short name, e.g. plymouth")
        parser.add_argument("--name", required=True, help="e.g. 'Caring Plymouth'")
        parser.add_argument(
            "--region", default="", help="English region, e.g. 'South West'"
        )
        parser.add_argument(
            "--area-code", default="", help="ONS (GSS) code of the area, e.g. E06000026"
        )
        parser.add_argument(
            "--launched-on",
            default="",
            help="the day the academy launched, e.g. 2023-11-01 (not in the future)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        launched_on = None
        if options["launched_on"]:
            try:
                launched_on = dt.date.fromisoformat(options["launched_on"])
            except ValueError:
                raise CommandError(
                    f"Academy not created. --launched-on: '{options['launched_on']}' "
                    "is not a date; give it as YYYY-MM-DD, e.g. 2023-11-01."
                ) from None
        try:
            academy = services.academy_create(
                slug=options["slug"],
                name=options["name"],
                region=options["region"],
                area_code=options["area_code"],
                launched_on=launched_on,
            )
        except ValidationError as error:
            problems = "; ".join(
                f"{OPTIONS.get(field, field)}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            )
            raise CommandError(f"Academy not created. {problems}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Created academy '{academy.slug}': {academy.name}")
        )
