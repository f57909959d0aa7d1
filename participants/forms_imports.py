"""Input shapes of the import pages: the upload, and the confirmation button."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from academy.forms import PortalFormHelper

from . import imports
from .models import ImportRun

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds", choices=ImportRun.Kind.choices
    )
    file = forms.FileField(
        help_text=(
            "A .csv file (UTF-8) or an .xlsx workbook (its first sheet is read), "
            "20 MB at most. Nothing is imported until you have seen the preview."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Check the file")

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(imports.SUFFIXES):
            raise forms.ValidationError(
                "Choose a .csv or .xlsx file. In your spreadsheet, use 'Save as' "
                "and pick 'CSV UTF-8' or 'Excel workbook'."
            )
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 20 MB. Split it into smaller files, or "
                "ask an administrator to import it from the command line."
            )
        try:
            imports.file_check(upload, name=name)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


class ImportConfirmForm(forms.Form):
    """No fields: a checked file is confirmed by pressing the button."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Confirm import")
