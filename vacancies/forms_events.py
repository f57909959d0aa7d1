"""Input shapes for the staff's event pages: creating one date or a series, changing
or cancelling dates, and the door's forms (a walk-in, booking or linking a
participant, turning someone into an enquiry). The rules and saving are in
services/events.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from academy import rules
from academy.forms import PortalFormHelper
from academy.models import Membership, Organisation
from academy.once import OnceFormMixin
from academy.permissions import Role
from participants.models import Cohort, Participant
from participants.models.participant import ERASED_PREFIX

from .models import Event, EventKind, EventSeries
from .services.events import LONDON

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# How far from today an event's date may be: wide enough for typing in an old paper
# register or planning next year, narrow enough to catch a mistyped year.
DAYS_BACK = 366
DAYS_AHEAD = 2 * 366
ONCE = "once"
HOW_OFTEN = [
    (ONCE, "One date"),
    (EventSeries.Frequency.WEEKLY, "Every week"),
    (EventSeries.Frequency.FORTNIGHTLY, "Every two weeks"),
]
THIS_DATE, FOLLOWING = "this", "following"
APPLY_TO = [
    (THIS_DATE, "This date only"),
    (FOLLOWING, "This date and all that follow in the series"),
]
PUBLIC_CHOICES = [
    ("yes", "Public: on the academy's public events page, anyone can sign up"),
    ("no", "Invitation only: not shown to the public, the academy books people"),
]


def _date_in_range(day: dt.date, *, what: str) -> None:
    today = timezone.localdate()
    if day < today - dt.timedelta(days=DAYS_BACK):
        raise forms.ValidationError(f"{what} is more than a year ago. Check the year.")
    if day > today + dt.timedelta(days=DAYS_AHEAD):
        raise forms.ValidationError(
            f"{what} is more than two years ahead. Check the year."
        )


def _host_choices(membership: Membership, current: list[int]) -> QuerySet[Organisation]:
    return Organisation.objects.for_academy(membership.academy).filter(
        Q(is_active=True) | Q(pk__in=current)
    )


class _EventFields(forms.Form):
    """What an event is, where, for whom and how many: the same on one date and on
    every date of a series."""

    kind = forms.ChoiceField(label="What it is", choices=EventKind.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happens there and who it is for; the public page shows it.",
    )
    audience = forms.MultipleChoiceField(
        label="Meant for",
        choices=Cohort.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the groups it is meant for; leave empty for anyone.",
    )
    venue = forms.CharField(
        max_length=200, required=False, help_text="e.g. Skills Launchpad Plymouth"
    )
    address = forms.CharField(max_length=300, required=False)
    postcode = forms.CharField(max_length=10, required=False)
    online_url = forms.URLField(
        label="Online link",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="For an event held online (or also online).",
    )
    capacity = forms.IntegerField(
        label="Places",
        required=False,
        min_value=1,
        max_value=5000,
        help_text="Leave empty for no limit. When it is full, people can join a "
        "waiting list.",
    )
    # Choices checked in Python, then read once: a posted id too large for the
    # database is refused as a wrong choice, not sent to it.
    hosts = forms.TypedMultipleChoiceField(
        label="Hosted by",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Organisations running it with the academy: they see it, its "
        "register and, where people agreed, their details.",
    )
    is_public = forms.TypedChoiceField(
        label="Who can sign up",
        choices=PUBLIC_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    starts = forms.TimeField(label="Starts at", widget=TIME)
    ends = forms.TimeField(label="Ends at", widget=TIME)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = [int(pk) for pk in self.initial.get("hosts", [])]
        self.host_choices = _host_choices(membership, current)
        hosts = self.fields["hosts"]
        assert isinstance(hosts, forms.TypedMultipleChoiceField)  # noqa: S101
        hosts.choices = [(o.pk, o.name) for o in self.host_choices]
        # A provider's events are hosted by its own organisation, whatever is sent;
        # an academy with no partner organisations yet has nothing to choose.
        if membership.role == Role.PROVIDER or not hosts.choices:
            del self.fields["hosts"]
        self.fields["postcode"].widget.attrs["autocapitalize"] = "characters"
        self.fields["capacity"].widget.attrs["inputmode"] = "numeric"

    def clean_postcode(self) -> str:
        return rules.postcode_clean(str(self.cleaned_data.get("postcode") or ""))

    def clean_hosts(self) -> list[Organisation]:
        chosen = self.cleaned_data.get("hosts") or []
        return list(self.host_choices.filter(pk__in=chosen)) if chosen else []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        places = ("venue", "address", "online_url")
        if not any(cleaned.get(n) for n in places) and not self.has_error("online_url"):
            self.add_error(
                "venue", "Say where it is: a venue or address, or an online link."
            )
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The end must be after the start.")
        return cleaned

    def event_fields(self) -> dict[str, Any]:
        """The fields the services take as they are (services.EVENT_FIELDS)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"].strip(),
            "description": data["description"].strip(),
            "audience": list(data["audience"]),
            "venue": data["venue"].strip(),
            "address": data["address"].strip(),
            "postcode": data["postcode"],
            "online_url": data["online_url"],
            "capacity": data["capacity"],
            "is_public": data["is_public"],
        }

    def _what_and_where(self) -> list[Any]:
        return [
            Fieldset("The event", "kind", "title", "description", "audience"),
            Fieldset(
                "Where",
                "venue",
                "address",
                Row(Column("postcode", css_class="col-12 col-sm-4"), css_class="g-2"),
                "online_url",
            ),
            Fieldset(
                "Places and hosts",
                "capacity",
                *(["hosts"] if "hosts" in self.fields else []),
                "is_public",
            ),
        ]


class EventForm(OnceFormMixin, _EventFields):
    """A new event: one date, or a weekly or fortnightly series of dates."""

    how_often = forms.ChoiceField(
        label="How often",
        choices=HOW_OFTEN,
        widget=forms.RadioSelect,
        initial=ONCE,
    )
    first_on = forms.DateField(label="Date", widget=DATE, help_text="The first date.")
    last_on = forms.DateField(
        label="Last date",
        widget=DATE,
        required=False,
        help_text="For a series: the last date it runs (up to two years).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_on"].help_text = "For a series, the first date."
        self.helper = PortalFormHelper("Create the event")
        self.helper.attrs = {"data-submit-once": ""}
        self.helper.layout = Layout(
            *self._what_and_where()[:2],
            Fieldset(
                "When",
                "how_often",
                Row(
                    Column("first_on", css_class="col-12 col-sm-6"),
                    Column("last_on", css_class="col-12 col-sm-6"),
                    css_class="g-2",
                ),
                Row(
                    Column("starts", css_class="col-6 col-sm-3"),
                    Column("ends", css_class="col-6 col-sm-3"),
                    css_class="g-2",
                ),
            ),
            self._what_and_where()[2],
        )

    def clean_first_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["first_on"]
        _date_in_range(day, what="The date")
        return day

    def clean_last_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("last_on")
        if day is not None:
            _date_in_range(day, what="The last date")
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, last = cleaned.get("first_on"), cleaned.get("last_on")
        if cleaned.get("how_often") not in (None, ONCE):
            if last is None and not self.has_error("last_on"):
                self.add_error("last_on", "Give the last date of the series.")
            elif first and last and last < first:
                self.add_error("last_on", "The last date is before the first.")
        return cleaned

    @property
    def is_series(self) -> bool:
        return self.cleaned_data.get("how_often") != ONCE


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, LONDON)


class EventEditForm(OnceFormMixin, _EventFields):
    """Changing one date, or it and every later date of its series."""

    on = forms.DateField(
        label="Date",
        widget=DATE,
        help_text="A new date moves this date only, never the rest of the series.",
    )
    apply_to = forms.ChoiceField(
        label="Change",
        choices=APPLY_TO,
        widget=forms.RadioSelect,
        initial=THIS_DATE,
    )

    def __init__(
        self, *args: Any, event: Event, has_following: bool, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", _event_initial(event))
        super().__init__(*args, **kwargs)
        self.event = event
        if not has_following:
            del self.fields["apply_to"]
        self.helper = PortalFormHelper("Save changes")
        self.helper.attrs = {"data-submit-once": ""}
        when: list[Any] = [
            Row(
                Column("on", css_class="col-12 col-sm-6"),
                Column("starts", css_class="col-6 col-sm-3"),
                Column("ends", css_class="col-6 col-sm-3"),
                css_class="g-2",
            )
        ]
        if has_following:
            when.insert(0, "apply_to")
        self.helper.layout = Layout(Fieldset("When", *when), *self._what_and_where())

    def clean_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["on"]
        if day != _local(self.event.starts_at).date():
            _date_in_range(day, what="The date")
        return day

    @property
    def is_following(self) -> bool:
        return self.cleaned_data.get("apply_to") == FOLLOWING


def _event_initial(event: Event) -> dict[str, Any]:
    starts, ends = _local(event.starts_at), _local(event.ends_at)
    return {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "audience": list(event.audience or []),
        "venue": event.venue,
        "address": event.address,
        "postcode": event.postcode,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "hosts": [o.pk for o in event.hosts.all()],
        "is_public": "yes" if event.is_public else "no",
        "on": starts.date(),
        "starts": starts.time(),
        "ends": ends.time(),
    }


class EventCancelForm(forms.Form):
    """Cancelling one date, or it and every later date of its series."""

    reason = forms.CharField(
        label="Why it is cancelled",
        max_length=300,
        help_text="The people signed up are told this.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Say why, for the people signed up."},
    )
    apply_to = forms.ChoiceField(
        label="Cancel",
        choices=APPLY_TO,
        widget=forms.RadioSelect,
        initial=THIS_DATE,
    )

    def __init__(self, *args: Any, has_following: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_following:
            del self.fields["apply_to"]
        self.helper = PortalFormHelper("Cancel the event")
        self.helper.inputs[0].field_classes = "btn btn-danger"

    @property
    def is_following(self) -> bool:
        return self.cleaned_data.get("apply_to") == FOLLOWING


def _one_way_to_reach(form: forms.Form, cleaned: dict[str, Any]) -> None:
    has_error = form.has_error("email") or form.has_error("phone")
    if not (cleaned.get("email") or cleaned.get("phone") or has_error):
        form.add_error(
            "email", "Give an e-mail address or a phone number to reach them."
        )


class WalkInForm(forms.Form):
    """Someone who came without booking: a name and a way to reach them, in seconds."""

    first_name = forms.CharField(
        max_length=100,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "words"}
        ),
    )
    last_name = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "words"}
        ),
    )
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = rules.PhoneFormField(label="Phone", required=False)

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs["autocomplete"] = "off"
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = action
        self.helper.attrs = {"data-submit-once": ""}
        self.helper.layout = Layout(
            Row(
                Column("first_name", css_class="col-6 col-md-3"),
                Column("last_name", css_class="col-6 col-md-3"),
                Column("email", css_class="col-12 col-md-3"),
                Column("phone", css_class="col-12 col-md-3"),
                css_class="g-2",
            ),
            Submit("submit", "Add them, present", css_class="btn-primary w-100"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _one_way_to_reach(self, cleaned)
        return cleaned


def people_choices(membership: Membership) -> QuerySet[Participant]:
    """The participants a coordinator may book or link: the academy's, not erased."""
    return Participant.objects.for_membership(membership).exclude(
        reference__startswith=ERASED_PREFIX
    )


class ParticipantChoiceForm(forms.Form):
    """One of the academy's participants, chosen from the candidates a page offers."""

    participant = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        error_messages={
            "required": "Choose a participant.",
            "invalid_choice": "That participant is not one of this academy's. "
            "Find them again.",
        },
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participant"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = people_choices(membership)


class SignUpEnquiryForm(OnceFormMixin, forms.Form):
    """The details of someone met at an event, checked with them, for an enquiry."""

    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(
        max_length=100,
        error_messages={"required": "Give their last name: an enquiry needs it."},
    )
    email = forms.EmailField(label="E-mail address", required=False)
    phone = rules.PhoneFormField(label="Phone", required=False)
    postcode = forms.CharField(max_length=10, required=False)
    interest = forms.CharField(
        label="What interests them",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. Home care, part-time, after the school run.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["postcode"].widget.attrs["autocapitalize"] = "characters"
        self.helper = PortalFormHelper("Make the enquiry")
        self.helper.attrs = {"data-submit-once": ""}

    def clean_postcode(self) -> str:
        return rules.postcode_clean(str(self.cleaned_data.get("postcode") or ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _one_way_to_reach(self, cleaned)
        return cleaned


__all__ = [
    "APPLY_TO",
    "FOLLOWING",
    "HOW_OFTEN",
    "ONCE",
    "THIS_DATE",
    "EventCancelForm",
    "EventEditForm",
    "EventForm",
    "ParticipantChoiceForm",
    "SignUpEnquiryForm",
    "WalkInForm",
    "people_choices",
]
