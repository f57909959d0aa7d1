"""The impact report's PDF at length (issue 16: a 20-page PDF in 12 s or less, at most
250 MB). A five-year report of a busy academy (past 20 pages) against a one-page PDF
made by the same code in the same run, and the peak memory of a process that makes
the long one (ru_maxrss, in a child process: WeasyPrint's memory is C memory that
tracemalloc cannot see, and is not given back until the process ends)."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from academy.pdf import html_pdf
from tests.bench.pdf_data import long_report_context

pytestmark = [pytest.mark.bench, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]

# Runs in a child process: Django set up and WeasyPrint imported first, so the peak
# printed is what one PDF adds to a worker, beside the worker's own size.
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child started by a
# large pytest process would report its parent's peak.
PEAK = """
import json, sys, time
import django
django.setup()
import weasyprint  # noqa: F401
from academy.pdf import html_pdf

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

html = open(sys.argv[1], encoding="utf-8").read()
before = peak_mb()
started = time.process_time()
html_pdf(html)
cpu = time.process_time() - started
print(json.dumps({"before_mb": before, "peak_mb": peak_mb(), "cpu_s": cpu}))
"""


def _cover_only(html: str) -> str:
    """The same document cut after its cover: a one-page PDF through the same code."""
    cover_end = html.index("</section>") + len("</section>")
    return html[:cover_end] + "</body></html>"


@pytest.mark.django_db
def test_a_long_impact_pdf_against_a_one_page_pdf(academy, compare, tmp_path):
    html = render_to_string("print/impact_report.html", long_report_context(academy))
    pages = len(PdfReader(io.BytesIO(html_pdf(html))).pages)
    one_page = _cover_only(html)
    assert len(PdfReader(io.BytesIO(html_pdf(one_page))).pages) == 1
    assert pages >= 20, pages

    result = compare(
        f"impact PDF, {pages} pages",
        lambda: html_pdf(html),
        lambda: html_pdf(one_page),
        rounds=3,
        repeat=1,
        baseline_name="1-page PDF",
    )
    print(f"BENCH per page: {result.subject_ms / pages:.0f} ms")

    page = tmp_path / "long.html"
    page.write_text(html, encoding="utf-8")
    child = subprocess.run(
        [sys.executable, "-c", PEAK, str(page)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "academy.settings"},
    )
    memory = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"BENCH impact PDF, {pages} pages, in a fresh process: "
        f"{memory['cpu_s']:.1f} s of CPU (goal 12 s, aim 8 s), peak "
        f"{memory['peak_mb']:.0f} MB (the process before it: "
        f"{memory['before_mb']:.0f} MB; goal at most 250 MB)"
    )
