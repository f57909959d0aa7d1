"""Importing existing records from CSV or XLSX files (spec/import-format.md).

`table_read` turns a file into numbered rows of cells; `import_check` parses every row,
reads the academy's records once per kind and works out what would be created, updated
or left unchanged, writing nothing; `import_apply` writes a checked plan in one
transaction. A plan with any problem must not be applied: imports are all or nothing.
"""

from .checking import coordinators, import_check, import_rematch
from .columns import (
    BATCH_SIZE,
    COLUMNS,
    MAX_START_AHEAD,
    PROGRESS_EVERY,
    SUFFIXES,
    XLSX_MAGIC,
    Cell,
    Column,
    ImportFileError,
    Problem,
    Progress,
    Value,
    template_header,
)
from .plans import (
    ImportPlan,
    ImportResult,
    ImportSummary,
    Listing,
    ParsedRow,
    Update,
)
from .reading import Table, file_check, file_sniff, rows_count, table_read
from .writing import import_apply

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "MAX_START_AHEAD",
    "PROGRESS_EVERY",
    "SUFFIXES",
    "XLSX_MAGIC",
    "Cell",
    "Column",
    "ImportFileError",
    "ImportPlan",
    "ImportResult",
    "ImportSummary",
    "Listing",
    "ParsedRow",
    "Problem",
    "Progress",
    "Table",
    "Update",
    "Value",
    "coordinators",
    "file_check",
    "file_sniff",
    "import_apply",
    "import_check",
    "import_rematch",
    "rows_count",
    "table_read",
    "template_header",
]
