"""A long impact report's PDF (past 20 pages, issue 16) keeps what a short one has:
the cover without page furniture, then on every page the academy's header, the
classification and "Page n of N", and the month table's header row repeated on each
page it runs over, no row cut."""

import io

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from academy.pdf import html_pdf
from tests.bench.pdf_data import long_report_context


@pytest.mark.slow
@pytest.mark.django_db
def test_a_long_reports_pdf_keeps_its_cover_headers_numbers_and_table_headers(
    academy,
):
    context = long_report_context(academy)
    html = render_to_string("print/impact_report.html", context)
    reader = PdfReader(io.BytesIO(html_pdf(html)))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) >= 20, len(texts)

    assert texts[0].strip().startswith("Internal — not for publication")
    assert "Page" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {len(texts)}" in text
        assert "impact report" in text
        assert "Internal — not for publication" in text

    month_pages = [t for t in texts if "April 2022" in t or "January 2023" in t]
    assert len(month_pages) >= 10, len(month_pages)
    for text in month_pages:
        assert "Supported" in text, "the month table's header repeats"
        assert "Registered" in text
