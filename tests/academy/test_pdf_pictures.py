"""Pictures in PDFs are written at the size they print (issue 16): a logo uploaded as
a photo of many megapixels cost every impact PDF seconds and hundreds of megabytes."""

import base64
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from academy.pdf import data_uri, picture_uri
from reporting.presenters import logo_data_uri


def png(size) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, "PNG")
    return out.getvalue()


def size_of(uri: str) -> tuple[int, int]:
    content = base64.b64decode(uri.split(",", 1)[1])
    with Image.open(io.BytesIO(content)) as picture:
        return picture.size


def test_a_large_picture_is_scaled_to_its_printed_box_at_300_dpi():
    # 70 by 35 mm at 300 dpi is 827 by 413 pixels; the shape is kept.
    uri = picture_uri(png((3000, 2000)), "image/png", box_mm=(70, 35))
    assert size_of(uri) == (619, 413)


def test_a_jpeg_stays_a_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), "teal").save(out, "JPEG")
    uri = picture_uri(out.getvalue(), "image/jpeg", box_mm=(70, 35))
    assert uri.startswith("data:image/jpeg;base64,")
    assert size_of(uri) == (827, 207)


def test_a_picture_that_fits_is_written_as_it_is():
    small = png((360, 120))
    assert picture_uri(small, "image/png", box_mm=(70, 35)) == data_uri(
        small, "image/png"
    )


def test_bytes_that_are_no_picture_are_left_for_weasyprint_to_refuse():
    assert picture_uri(b"not a picture", "image/png", box_mm=(70, 35)) == data_uri(
        b"not a picture", "image/png"
    )


@pytest.mark.django_db
def test_the_impact_covers_logo_is_no_larger_than_it_prints(academy):
    academy.logo.save("photo.png", ContentFile(png((3000, 2000))))
    width, height = size_of(logo_data_uri(academy))
    assert width <= 827
    assert height <= 413
