"""Input shapes for the admin's pages; saving and rules are in services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, QueryDict
from django.utils.html import format_html

from .labour_market.reference import area_get, area_said
from .logos import logo_check
from .models import Academy, Membership, Organisation
from .models.core import REGION_CHOICES
from .permissions import Role
from .services import academy_place_problems

# What a form says of a date, a time or text it cannot take: the same words on
# every form (plain_messages), never Django's "Enter a valid date.".
DATE_INVALID = "Enter a date such as 31/12/2026."
TIME_INVALID = "Enter a time such as 14:30."
DATETIME_INVALID = "Enter a date such as 31/12/2026 and a time such as 14:30."


def too_long_message(limit: int, typed: int) -> str:
    """'Keep it to 300 characters (you typed 1,000).'"""
    return f"Keep it to {limit:,} characters (you typed {typed:,})."


class LengthLimit(MaxLengthValidator):
    """At most `limit_value` characters, saying how many were typed."""

    def __call__(self, value: Any) -> None:
        limit = self.limit_value() if callable(self.limit_value) else self.limit_value
        if len(value) > limit:
            raise ValidationError(
                too_long_message(limit, len(value)), code="max_length"
            )


def plain_messages(
    form: forms.BaseForm, required: Mapping[str, str] | None = None
) -> None:
    """Give a form's fields the portal's words: what each required field needs
    (`required`, by field name), too-long text, dates and times it cannot read."""
    for name, field in form.fields.items():
        if required and name in required:
            field.error_messages["required"] = required[name]
        if isinstance(field, forms.DateTimeField):
            field.error_messages["invalid"] = DATETIME_INVALID
        elif isinstance(field, forms.DateField):
            field.error_messages["invalid"] = DATE_INVALID
        elif isinstance(field, forms.TimeField):
            field.error_messages["invalid"] = TIME_INVALID
        field.validators = [
            LengthLimit(rule.limit_value) if type(rule) is MaxLengthValidator else rule
            for rule in field.validators
        ]


class PortalFormHelper(FormHelper):
    """A POST form with one primary button."""

    def __init__(self, submit_label: str) -> None:
        super().__init__()
        self.form_method = "post"
        # Hidden fields a layout leaves out (the one-time token) are still sent.
        self.render_hidden_fields = True
        self.add_input(Submit("submit", submit_label))

    @property
    def attrs(self) -> dict[str, str]:
        # The form's error summary says what is wrong, not the browser's bubbles,
        # which stop at the first field and vanish (GOV.UK: no HTML5 validation).
        return {**self._attrs, "novalidate": ""}

    @attrs.setter
    def attrs(self, value: dict[str, str]) -> None:
        self._attrs = dict(value)


AREA_CODE_HELP = (
    "Your council's ONS code, a letter and 8 digits: E06000026 for Plymouth, "
    "E08000022 for North Tyneside. Find it on the ONS Open Geography Portal "
    "(geoportal.statistics.gov.uk, \u2018local authority districts\u2019)."
)
LOGO_PREVIEW = """
{% if form.logo_url %}
  <figure class="mb-2">
    <img src="{{ form.logo_url }}" alt="The logo now on the report's cover"
         class="img-thumbnail academy-logo-preview">
    <figcaption class="form-text">The logo now on the report's cover.</figcaption>
  </figure>
{% endif %}
"""


class AcademyForm(forms.ModelForm[Academy]):
    logo = forms.FileField(
        required=False,
        label="Logo for the report's cover",
        help_text="A PNG or JPEG image of at most 1 MB and 2000 \u00d7 2000 pixels.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    class Meta:
        model = Academy
        fields = [
            "name",
            "region",
            "area_code",
            "launched_on",
            "public_phone",
            "public_email",
            "logo",
        ]
        widgets = {"launched_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, logo_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logo_url = logo_url
        region = self.fields["region"]
        region.error_messages["invalid_choice"] = (
            "'%(value)s' is not an English region. Choose one from the list."
        )
        stored = self.instance.region
        if stored and stored not in dict(REGION_CHOICES) and not self.is_bound:
            # Help text is shown as HTML: the stored text is escaped.
            region.help_text = format_html(
                "Stored as \u2018{}\u2019, which is not one of the nine English "
                "regions: choose the region from the list.",
                stored,
            )
        self.fields["area_code"].help_text = AREA_CODE_HELP
        area = area_get(self.instance.area_code) if self.instance.area_code else None
        if area is not None:
            self.fields["area_code"].help_text = format_html(
                "Saved: <strong>{}</strong>. {}", area_said(area.code), AREA_CODE_HELP
            )
        self.fields["launched_on"].help_text = (
            "The day the academy started: reports 'since launch' count from it. "
            "Today at the latest."
        )
        if "remove_logo" in self.fields and not self.instance.logo:
            del self.fields["remove_logo"]
        self.helper = PortalFormHelper("Save settings")
        self.helper.layout = Layout(
            *(name for name in self.fields if name not in ("logo", "remove_logo")),
            HTML(LOGO_PREVIEW),
            *(name for name in ("logo", "remove_logo") if name in self.fields),
        )

    def clean_area_code(self) -> str:
        return str(self.cleaned_data["area_code"]).strip().upper()

    def clean_logo(self) -> object:
        # Without a new file the field gives back the stored logo: nothing to check.
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            extension = logo_check(logo)
            # The stored name is the portal's, never the sender's.
            logo.name = f"{self.instance.slug or 'academy'}.{extension}"
        return logo

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        uploaded = isinstance(cleaned.get("logo"), UploadedFile)
        if uploaded and cleaned.get("remove_logo"):
            self.add_error(
                "remove_logo",
                "Either upload a new logo or remove the one there is, not both.",
            )
        problems = academy_place_problems(
            region=cleaned.get("region") or "", area_code=cleaned.get("area_code") or ""
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class AcademyCreateForm(AcademyForm):
    logo = None  # type: ignore[assignment]
    remove_logo = None  # type: ignore[assignment]

    class Meta(AcademyForm.Meta):
        fields = ["slug", "name", "region", "area_code", "launched_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Create academy")


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "email", "phone", "postcode", "website", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save organisation")


class _OrganisationChoiceMixin(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Required for providers: the organisation whose vacancies they run.",
    )

    def _limit_organisations(self, academy: Academy) -> None:
        field = cast(forms.ModelChoiceField[Organisation], self.fields["organisation"])
        field.queryset = Organisation.objects.for_academy(academy).filter(
            is_active=True
        )

    def _check_provider_organisation(self, cleaned: dict[str, Any]) -> None:
        if cleaned.get("role") == Role.PROVIDER and not cleaned.get("organisation"):
            self.add_error(
                "organisation", "Choose the organisation this provider works for."
            )


class MemberAddForm(_OrganisationChoiceMixin):
    email = forms.EmailField(label="E-mail address")
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices)

    field_order = ["email", "first_name", "last_name", "role", "organisation"]

    def __init__(self, *args: Any, academy: Academy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit_organisations(academy)
        self.helper = PortalFormHelper("Add member and send invitation")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_provider_organisation(cleaned)
        return cleaned


class MembershipForm(_OrganisationChoiceMixin):
    role = forms.ChoiceField(choices=Role.choices)
    is_active = forms.BooleanField(
        required=False, label="Active", help_text="Untick to end this person's access."
    )

    field_order = ["role", "organisation", "is_active"]

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "role": membership.role,
                "organisation": membership.organisation,
                "is_active": membership.is_active,
            },
        )
        super().__init__(*args, **kwargs)
        self._limit_organisations(membership.academy)
        self.helper = PortalFormHelper("Save membership")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_provider_organisation(cleaned)
        return cleaned


def form_add_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field if the form has that
    field, else above the form (a model field the form does not show)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, or None on GET (an empty POST still binds)."""
    return request.POST if request.method == "POST" else None


class MFACodeForm(forms.Form):
    """A code from the authenticator app (or, when signing in, a recovery code)."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "portal-code",
            }
        ),
        error_messages={"required": "Type the code the app shows."},
    )

    def __init__(self, *args: Any, button: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper(button)


class InvitationAnswerForm(forms.Form):
    """The invited person's answer to an academy's invitation."""

    answer = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")],
        error_messages={
            "required": "Accept or decline the invitation.",
            "invalid_choice": "Accept or decline the invitation.",
        },
    )


class LockoutLiftForm(forms.Form):
    """Why a member's sign-in lockout is lifted early (kept with who lifted it)."""

    reason = forms.CharField(
        max_length=300,
        label="Why lift it now",
        help_text="For example: confirmed by phone that it was them mistyping.",
    )


class ReauthForm(forms.Form):
    """Confirm it's you: the password, and the two-step code for someone with one."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "autofocus": True}
        ),
        error_messages={"required": "Type your password."},
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        help_text="Or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "portal-code",
            }
        ),
        error_messages={"required": "Type the code the app shows."},
    )

    def __init__(self, *args: Any, needs_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]
        self.helper = PortalFormHelper("Confirm")
