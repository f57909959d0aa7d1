"""Input shapes of the import pages: the upload, and the confirmation button."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from academy.forms import PortalFormHelper
from academy.models import Membership, User
from academy.once import OnceFormMixin
from academy.uploads import upload_too_large

from .. import imports
from ..models import ImportRun
from ..selectors import coordinator_choices

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportUploadForm(OnceFormMixin, forms.Form):
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

    coordinator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,  # not sent: the uploader's caseload
        label="New people join the caseload of",
        help_text="Unless a row's coordinator column names someone else.",
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        coordinator = self.fields["coordinator"]
        assert isinstance(coordinator, forms.ModelChoiceField)  # noqa: S101
        coordinator.queryset = coordinator_choices(membership=membership)
        coordinator.initial = membership.user_id
        coordinator.empty_label = None
        self.helper = PortalFormHelper("Check the file")

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(imports.SUFFIXES):
            raise forms.ValidationError(
                "Choose a .csv or .xlsx file. In your spreadsheet, use 'Save as' "
                "and pick 'CSV UTF-8' or 'Excel workbook'."
            )
        too_large = upload_too_large(upload, limit=MAX_UPLOAD_BYTES)
        if too_large:
            raise forms.ValidationError(
                f"{too_large} Split it into smaller files, or ask an administrator "
                "to import it from the command line."
            )
        try:
            # Only its first bytes here: a worker reads and checks the whole file.
            imports.file_sniff(upload, name=name)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


class ImportConfirmForm(forms.Form):
    """Confirm a checked file; `accept` are the references of conflicts and likely
    duplicates ticked to import anyway (the page lists them beside their details)."""

    accept = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, run: ImportRun, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        references = sorted(
            {
                str(item["reference"])
                for key in ("conflicts", "duplicates")
                for item in run.summary.get(key, [])
            }
        )
        accept = self.fields["accept"]
        assert isinstance(accept, forms.MultipleChoiceField)  # noqa: S101
        accept.choices = [(r, r) for r in references]
