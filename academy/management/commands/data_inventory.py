"""Print the data inventory as Markdown: docs/data-inventory.md is its output.

manage.py data_inventory > docs/data-inventory.md
"""

from typing import Any

from django.core.management.base import BaseCommand

from academy.inventory import inventory_markdown


class Command(BaseCommand):
    help = (
        "Print the data inventory (every field: classification and retention class) "
        "and the retention schedule as Markdown."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(inventory_markdown(), ending="")
