"""Input shapes of the labour-market pages: the upload, and the confirmation button."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from academy.forms import PortalFormHelper
from academy.uploads import upload_too_large

from .config import SOURCES
from .observations import Source
from .reading import XLSX_MAGIC

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
SUFFIXES = {
    Source.SKILLS_FOR_CARE: (".xlsx", ".csv"),
    Source.LG_INFORM: (".csv",),
    Source.NOMIS_CLAIMANT_COUNT: (".csv",),
}


class RefreshUploadForm(forms.Form):
    source = forms.ChoiceField(
        label="What the file is",
        choices=[(s.value, info.label) for s, info in SOURCES.items()],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        help_text=(
            "As downloaded from the source, 50 MB at most. Nothing is loaded until "
            "you have seen what it would change."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    period = forms.RegexField(
        label="Year (Skills for Care only)",
        regex=r"^20\d\d/\d\d$",
        required=False,
        help_text="Only if the file's name does not say, e.g. 2023/24.",
        error_messages={"invalid": "Write the year as 2023/24."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Check the file")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload: UploadedFile[Any] | None = cleaned.get("file")
        source = cleaned.get("source")
        if upload is None or not source:
            return cleaned
        name = PurePath(upload.name or "").name
        suffix = PurePath(name.lower()).suffix
        allowed = SUFFIXES[Source(source)]
        if suffix not in allowed:
            self.add_error(
                "file",
                f"Choose a {' or '.join(allowed)} file: this source comes as "
                f"{' or '.join(allowed)}.",
            )
            return cleaned
        too_large = upload_too_large(upload, limit=MAX_UPLOAD_BYTES)
        if too_large:
            self.add_error("file", too_large)
            return cleaned
        data = upload.read()
        # The name must match the content (spec/security.md INP-5).
        if (suffix == ".xlsx") != data.startswith(XLSX_MAGIC) or (
            suffix == ".csv" and b"\x00" in data[:8192]
        ):
            kind = suffix[1:].upper()
            self.add_error(
                "file", f"The file's content is not {kind}, as its name says."
            )
            return cleaned
        cleaned["data"], cleaned["filename"] = data, name
        return cleaned


class RefreshConfirmForm(forms.Form):
    """No fields: a checked file is loaded by pressing the button."""

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Load these figures")
        self.helper.form_action = action
        self.helper.attrs = {"data-submit-once": ""}
