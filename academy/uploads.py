"""Uploads stop being read once they pass settings.UPLOAD_MAX_BYTES (spec/security.md:
limited by size while streaming), and the form still says which file was too large."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict

# Where the handler notes the files it refused: {field name: file name}.
REFUSED = "portal.uploads_refused"


class TooLargeUpload(UploadedFile):  # type: ignore[type-arg]
    """Stands in for a refused file: no content, a size just past the limit, so that
    the form's own size check gives the message that says what to do."""

    def __init__(self, name: str) -> None:
        super().__init__(
            file=io.BytesIO(), name=name, size=settings.UPLOAD_MAX_BYTES + 1
        )


class UploadLimitHandler(FileUploadHandler):
    """First of the upload handlers: passes chunks on until a file passes the limit,
    then skips the rest of that file (nothing more is stored) and notes it. A request
    already announced as too large stores none of its files."""

    too_large = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        # The form's other fields are small: allow them a little room.
        self.too_large = content_length > settings.UPLOAD_MAX_BYTES + 64 * 1024

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file

    def _refuse(self) -> None:
        if self.request is not None:
            self.request.META.setdefault(REFUSED, {})[self.field_name] = self.file_name
        raise SkipFile


def upload_too_large(upload: UploadedFile[Any], *, limit: int) -> str:
    """The message for a file over a form's `limit` (or refused while arriving), or
    "" when it is within it."""
    limit = min(limit, settings.UPLOAD_MAX_BYTES)
    if isinstance(upload, TooLargeUpload) or (upload.size or 0) > limit:
        return f"The file is larger than {filesizeformat(limit)}."
    return ""


def uploaded_files(request: HttpRequest) -> MultiValueDict[str, Any] | None:
    """The request's files for a form, with a `TooLargeUpload` for each refused one;
    None when nothing was posted (an unbound form)."""
    if request.method != "POST":
        return None
    files = request.FILES.copy()
    for field, name in request.META.get(REFUSED, {}).items():
        files[field] = TooLargeUpload(name)
    return files
