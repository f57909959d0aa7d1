"""The documents a council asks for before it puts anyone's record in the portal exist
and have been reviewed within a year (spec/security.md DP-10)."""

import datetime as dt
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize(
    "name",
    ["dpia.md", "appropriate-policy-document.md", "dspt.md", "data-inventory.md"],
)
def test_the_document_exists_and_its_review_is_not_overdue(name):
    path = DOCS / name
    assert path.exists(), f"docs/{name} is missing"
    if name == "data-inventory.md":
        return  # generated from the code (tests/academy/test_inventory.py)
    found = re.search(r"Reviewed: (\d{4}-\d{2}-\d{2})", path.read_text())
    assert found, f"docs/{name} must say when it was reviewed (Reviewed: YYYY-MM-DD)"
    reviewed = dt.date.fromisoformat(found.group(1))
    age = (dt.datetime.now(tz=dt.UTC).date() - reviewed).days
    assert 0 <= age <= 365, f"docs/{name} was reviewed {age} days ago: review it"


def test_the_documents_name_only_files_that_exist():
    root = DOCS.parent
    for name in ("dpia.md", "appropriate-policy-document.md", "dspt.md"):
        text = (DOCS / name).read_text()
        for ref in re.findall(r"`((?:docs|academy|tests)/[\w./-]+)`", text):
            assert (root / ref).exists(), f"docs/{name} names {ref}, which is missing"
