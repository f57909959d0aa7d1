"""Pages about messages: the public opt-out page an e-mail's link opens, GOV.UK
Notify's callbacks (delivery receipts and received texts), and a member's choice of how
they are told of each kind of notice."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import messaging
from .notices import NOTICE_ROLES, NoticeChoicesForm, notice_choices_set, notices_for
from .permissions import role_required
from .tenancy import AcademyRequest

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def message_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """ "Stop reminders from <academy>?": the page an e-mail's opt-out link opens,
    without signing in; the button records the opt-out."""
    try:
        message = messaging.opt_out_message(token)
    except messaging.OptOutLinkInvalid:
        return render(request, "academy/message_opt_out_invalid.html", status=400)
    academy_name = message.academy.name if message.academy else settings.SITE_NAME
    context = {
        "academy": message.academy,
        "academy_name": academy_name,
        "token": token,
        "is_done": False,
    }
    if request.method == "POST":
        messaging.opt_out_by_link(message=message)
        context["is_done"] = True
    return render(request, "academy/message_opt_out.html", context)


def _callback_allowed(request: HttpRequest) -> bool:
    """Whether the request carries NOTIFY_CALLBACK_TOKEN as its bearer token
    (compared in constant time; no token set: no callback is accepted)."""
    expected = str(settings.NOTIFY_CALLBACK_TOKEN)
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def _callback_json(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    if not _callback_allowed(request):
        return JsonResponse({"error": "Unauthorised: wrong bearer token"}, status=401)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "The body is not JSON"}, status=400)
    if not isinstance(data, dict):
        return JsonResponse({"error": "The body is not a JSON object"}, status=400)
    return data


@login_not_required
@csrf_exempt  # Notify posts with a bearer token, not a browser session
@require_POST
def notify_delivery_receipt(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's delivery receipt: a message's state (delivered, permanent,
    temporary or technical failure). An id we do not know is answered 200 and
    ignored, so Notify does not keep retrying it."""
    data = _callback_json(request)
    if isinstance(data, HttpResponse):
        return data
    known = messaging.delivery_receipt_record(
        provider_id=str(data.get("id") or ""),
        reference=str(data.get("reference") or ""),
        status=str(data.get("status") or ""),
    )
    return JsonResponse({"recorded": known})


@login_not_required
@csrf_exempt  # Notify posts with a bearer token, not a browser session
@require_POST
def notify_received_text(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's received text: a reply of STOP records the opt-out of everyone
    with that number in the academies that texted it."""
    data = _callback_json(request)
    if isinstance(data, HttpResponse):
        return data
    opted_out = messaging.text_reply_receive(
        phone=str(data.get("source_number") or ""),
        text=str(data.get("message") or ""),
    )
    return JsonResponse({"opted_out": opted_out})


@role_required(*NOTICE_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def notice_choices(request: AcademyRequest) -> HttpResponse:
    """Notifications: how the member is told of each kind of notice for their role,
    at once, in a daily digest, or not at all."""
    kinds = notices_for(request.membership)
    if request.method == "POST":
        form = NoticeChoicesForm(request.POST, membership=request.membership)
        if form.is_valid():
            notice_choices_set(membership=request.membership, choices=form.cleaned_data)
            messages.success(request, "Your choices are saved.")
            return redirect("notice-choices")
    else:
        form = NoticeChoicesForm(membership=request.membership)
    return render(
        request, "academy/notice_choices.html", {"form": form, "kinds": kinds}
    )
