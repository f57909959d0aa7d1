"""PDF rendering with WeasyPrint, for every app (impact reports, subject-access
bundles): print CSS from disk, and no network fetches (tasks have no request, and a
report must never reach out of the machine)."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PRINT_CSS = "css/print.css"


class RemoteFetchRefused(Exception):
    """A template asked WeasyPrint for a URL; reports use only local, inline content."""


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise RemoteFetchRefused(url)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a print template to PDF bytes."""
    from weasyprint import CSS, HTML  # heavy import, only where PDFs are made

    html = render_to_string(template_name, context)
    css_path = finders.find(PRINT_CSS)
    if not css_path:
        raise FileNotFoundError(f"static file {PRINT_CSS} is missing")
    document = HTML(string=html, url_fetcher=_refuse, base_url="/")
    pdf: bytes = document.write_pdf(stylesheets=[CSS(filename=str(css_path))])
    return pdf
