"""Django's `{# … #}` comment ends on its own line: one that runs onto the next is not
a comment, and the page shows it as text (a coordinator's home said "{# The part of
the coordinator's home below …" above their day). Longer notes use
`{% comment %}…{% endcomment %}`."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ONE_LINE_COMMENT = re.compile(r"\{#(?P<inside>.*?)#\}", re.DOTALL)


def _templates() -> list[Path]:
    roots = [Path(root) for root in settings.TEMPLATES[0]["DIRS"]]
    return sorted(path for root in roots for path in root.rglob("*.html"))


def test_no_template_comment_runs_onto_a_second_line():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for match in ONE_LINE_COMMENT.finditer(text):
            if "\n" in match.group("inside"):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path}:{line}")
    assert _templates(), "no templates found"
    assert found == []


@pytest.mark.django_db
def test_the_home_shows_no_template_comment(client_of, coordinator):
    html = client_of(coordinator).get("/").content.decode()
    assert "{#" not in html
    assert "#}" not in html
