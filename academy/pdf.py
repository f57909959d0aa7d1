"""PDF rendering with WeasyPrint, for every app (impact reports, subject-access
bundles): print CSS from disk, and no network fetches (tasks have no request, and a
report must never reach out of the machine). A picture goes in the page itself, as a
data: URI (`data_uri`, or `picture_uri` to scale it to its printed size); every other
address is refused."""

from __future__ import annotations

import base64
import io
import os
from functools import lru_cache
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PRINT_CSS = "css/print.css"


class RemoteFetchRefused(Exception):
    """A template asked WeasyPrint for a URL; reports use only local, inline content."""


def data_uri(content: bytes, content_type: str) -> str:
    """A picture written into the page: `data:image/png;base64,...`."""
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"


# The resolution a picture is printed at: enough for a laser printer's cover logo.
PRINT_DPI = 300
MM_PER_INCH = 25.4


def picture_uri(
    content: bytes, content_type: str, *, box_mm: tuple[float, float]
) -> str:
    """A picture written into the page no larger than it prints: scaled down (never
    up) to fit `box_mm` (width, height) at 300 dpi. A photo of many megapixels as a
    logo otherwise costs every PDF seconds and hundreds of megabytes to decode."""
    from PIL import Image, UnidentifiedImageError

    width, height = (round(mm / MM_PER_INCH * PRINT_DPI) for mm in box_mm)
    try:
        with Image.open(io.BytesIO(content)) as picture:
            if picture.width <= width and picture.height <= height:
                return data_uri(content, content_type)
            picture.thumbnail((width, height))
            smaller = io.BytesIO()
            if content_type == "image/jpeg":
                picture.convert("RGB").save(smaller, "JPEG", quality=90)
            else:
                picture.save(smaller, "PNG", optimize=True)
    except (UnidentifiedImageError, OSError, ValueError):
        return data_uri(content, content_type)  # WeasyPrint says what is wrong
    return data_uri(smaller.getvalue(), content_type)


def _fetcher() -> Any:
    """WeasyPrint's fetcher, reading data: URIs only (they are decoded in memory)."""
    from weasyprint.urls import URLFetcher

    class InlineOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise RemoteFetchRefused(url)
            return super().fetch(url, headers)

    return InlineOnly(allowed_protocols={"data"})


@lru_cache(maxsize=4)
def _print_stylesheet(path: str, modified: float) -> tuple[Any, Any]:
    """The print CSS parsed once per process (and again only when the file changes),
    with the font configuration it was parsed for: a worker making PDFs one after
    another does not parse and match fonts for each."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return CSS(filename=path, url_fetcher=_fetcher(), font_config=fonts), fonts


def html_pdf(html: str) -> bytes:
    """HTML to PDF bytes, with the print CSS. Pictures are written at print
    resolution (150 dpi, JPEG quality 85) so a large logo does not weigh on every
    copy; fonts are embedded as the subsets the text uses."""
    from weasyprint import HTML  # heavy import, only where PDFs are made

    css_path = finders.find(PRINT_CSS)
    if not css_path:
        raise FileNotFoundError(f"static file {PRINT_CSS} is missing")
    path = str(css_path)
    stylesheet, fonts = _print_stylesheet(path, os.path.getmtime(path))
    document = HTML(string=html, url_fetcher=_fetcher(), base_url="/")
    pdf: bytes = document.write_pdf(
        stylesheets=[stylesheet],
        font_config=fonts,
        optimize_images=True,
        jpeg_quality=85,
        dpi=150,
    )
    return pdf


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a print template to PDF bytes."""
    return html_pdf(render_to_string(template_name, context))
