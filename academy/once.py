"""Create forms that save once: each form carries a one-time token, and the first
submit that claims it saves; a second submit with the same token (a double click, a
resend after a slow answer, a second tab) is shown what the first one saved.

Claiming is an INSERT into a table keyed by the token, inside the same transaction as
the save: a concurrent repeat waits on the key until the first commits, then finds it.
If the save fails, the claim rolls back with it and the form can be sent again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from .models import FormSubmission

# Tokens are kept this long: long enough for any resend, short enough to stay small.
TOKEN_DAYS = 2
ALREADY_SAVED = (
    "This was already saved (the form was sent twice), so nothing new was added: "
    "here is what was saved."
)

_T = TypeVar("_T")


class OnceFormMixin:
    """Adds the hidden one-time token to a create form (put it before the form class:
    `class MeetingForm(OnceFormMixin, forms.ModelForm[Meeting])`)."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission"] = forms.UUIDField(
            required=False, widget=forms.HiddenInput, initial=uuid.uuid4
        )

    @property
    def token(self) -> uuid.UUID | None:
        value = self.cleaned_data.get("submission")
        return value if isinstance(value, uuid.UUID) else None


def submitted_before(request: HttpRequest, form: OnceFormMixin) -> HttpResponse | None:
    """Where the first submit of this form went, if it has been saved already: for
    views that ask a question (a likely duplicate) before saving."""
    token = form.token
    user = request.user if request.user.is_authenticated else None
    earlier = (
        FormSubmission.objects.filter(token=token, user=user).exclude(url="")
        if token is not None
        else FormSubmission.objects.none()
    ).first()
    if earlier is None:
        return None
    messages.info(request, ALREADY_SAVED)
    return redirect(earlier.url)


def submit_once(
    request: HttpRequest,
    form: OnceFormMixin,
    save: Callable[[], _T],
    *,
    done: Callable[[_T], str] | str | None,
    to: Callable[[_T], str] | None = None,
) -> HttpResponse:
    """Save once per token and redirect to what was saved (`to`, or its URL).

    A ValidationError from `save` propagates with nothing written, token included.
    """
    token = form.token
    user = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        if token is not None:
            try:
                with transaction.atomic():
                    FormSubmission.objects.create(token=token, user=user)
            except IntegrityError:
                earlier = FormSubmission.objects.filter(token=token).first()
                if earlier is None or earlier.user_id != (user.pk if user else None):
                    raise ValidationError(
                        "This form is out of date. Reload the page and send it again."
                    ) from None
                messages.info(request, ALREADY_SAVED)
                return redirect(earlier.url or request.get_full_path())
        saved = save()
        url = to(saved) if to is not None else saved.get_absolute_url()  # type: ignore[attr-defined]
        if token is not None:
            FormSubmission.objects.filter(token=token).update(url=url)
    if done is not None:
        messages.success(request, done(saved) if callable(done) else done)
    return redirect(url)


def form_submissions_purge(*, now: dt.datetime | None = None) -> int:
    """Forget tokens older than TOKEN_DAYS; return how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=TOKEN_DAYS)
    deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
