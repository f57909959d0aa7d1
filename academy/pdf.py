"""PDF rendering with WeasyPrint, for every app (impact reports, subject-access
bundles): print CSS from disk, and no network fetches (tasks have no request, and a
report must never reach out of the machine). A picture goes in the page itself, as a
data: URI (`data_uri`); every other address is refused."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PRINT_CSS = "css/print.css"


class RemoteFetchRefused(Exception):
    """A template asked WeasyPrint for a URL; reports use only local, inline content."""


def data_uri(content: bytes, content_type: str) -> str:
    """A picture written into the page: `data:image/png;base64,...`."""
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"


def _fetcher() -> Any:
    """WeasyPrint's fetcher, reading data: URIs only (they are decoded in memory)."""
    from weasyprint.urls import URLFetcher

    class InlineOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise RemoteFetchRefused(url)
            return super().fetch(url, headers)

    return InlineOnly(allowed_protocols={"data"})


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a print template to PDF bytes."""
    from weasyprint import CSS, HTML  # heavy import, only where PDFs are made

    html = render_to_string(template_name, context)
    css_path = finders.find(PRINT_CSS)
    if not css_path:
        raise FileNotFoundError(f"static file {PRINT_CSS} is missing")
    fetcher = _fetcher()
    document = HTML(string=html, url_fetcher=fetcher, base_url="/")
    stylesheet = CSS(filename=str(css_path), url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet])
    return pdf
