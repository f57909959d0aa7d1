"""An academy's logo for the impact report's cover: a PNG or JPEG image, checked by its
content (Pillow), never by its name, and kept small enough to print and to send."""

from __future__ import annotations

import warnings
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from .uploads import upload_too_large

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 2000
# Pillow's name of each format taken -> the file's extension and content type.
LOGO_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg")}
CONTENT_TYPES = dict(LOGO_FORMATS.values())

NOT_AN_IMAGE = (
    "This file is not a PNG or JPEG image (or it is damaged). Save the logo as PNG or "
    "JPEG and upload it again."
)
TOO_WIDE = (
    "The logo is {width} \u00d7 {height} pixels. Make it at most 2000 \u00d7 2000 "
    "pixels (600 pixels wide is plenty for the report's cover) and upload it again."
)


def logo_check(upload: UploadedFile[Any]) -> str:
    """The extension of an uploaded logo's real format ("png" or "jpg"), or a
    ValidationError saying what to fix: too large, not PNG or JPEG, damaged, or more
    than 2000 pixels a side."""
    too_large = upload_too_large(upload, limit=LOGO_MAX_BYTES)
    if too_large:
        raise ValidationError(
            f"{too_large} Save the logo smaller (600 pixels wide is plenty for the "
            "report's cover) and upload it again.",
            code="too_large",
        )
    kind, width, height = _read(upload)
    if kind not in LOGO_FORMATS:
        raise ValidationError(
            f"This is a {kind} image. Save the logo as PNG or JPEG and upload it "
            "again.",
            code="format",
        )
    if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
        raise ValidationError(
            TOO_WIDE.format(width=f"{width:,}", height=f"{height:,}"), code="size"
        )
    return LOGO_FORMATS[kind][0]


def _read(upload: IO[bytes]) -> tuple[str, int, int]:
    """The format and size Pillow finds in a file, having checked that it reads."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # A header claiming a huge picture is refused, never decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                kind, (width, height) = image.format or "", image.size
                image.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(
            "The logo is far more than 2000 \u00d7 2000 pixels. Make it smaller and "
            "upload it again.",
            code="size",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(NOT_AN_IMAGE, code="invalid") from None
    finally:
        upload.seek(0)
    return kind, width, height
