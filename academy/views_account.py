"""The signed-in person's own account pages: "Your sessions", "Confirm it's you", and
the password pages, which end the person's other sessions (academy/user_sessions.py).
Every signed-in person may open them, for their own account only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import (
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
)
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import mfa, reauth, user_sessions
from .audit import SignInEvent, sign_in_event
from .forms import ReauthForm, posted
from .models import User, UserSession
from .redirects import safe_next
from .tenancy import AcademyRequest
from .user_sessions import EndReason


@mfa.mfa_exempt  # also asked before setting up two-step sign-in for the first time
def reauth_view(request: AcademyRequest) -> HttpResponse:
    """Confirm it's you: the password (and two-step code), then back to the page."""
    needs_code = mfa.has_mfa(request.user)
    if needs_code and not mfa.is_verified(request):
        return redirect("mfa-verify")
    back = safe_next(request, request.GET.get("next"), reverse("home"))
    again = request.GET.get(reauth.AGAIN) == "1"
    form = ReauthForm(posted(request), needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        try:
            reauth.reauthenticate(
                request=request,
                password=form.cleaned_data["password"],
                code=form.cleaned_data.get("code", ""),
            )
        except reauth.ReauthFailed as error:
            if not request.user.is_authenticated:  # that failure locked the account
                return redirect(settings.LOGIN_URL)  # AxesMiddleware says so
            form.add_error(error.field, str(error))
        else:
            if again:
                messages.info(
                    request,
                    "Confirmed, thank you. Nothing has been changed yet: send the "
                    "form again.",
                )
            return redirect(back)
    return render(
        request,
        "registration/reauth.html",
        {
            "form": form,
            "needs_code": needs_code,
            "again": again,
            "minutes": settings.REAUTH_SECONDS // 60,
        },
    )


def session_list(request: AcademyRequest) -> HttpResponse:
    """The person's signed-in sessions, this one marked, each with End."""
    user_sessions.sessions_forget_expired(user=request.user)
    rows = user_sessions.session_list(
        user=request.user, current_key=request.session.session_key
    )
    return render(
        request,
        "registration/session_list.html",
        {
            "rows": rows,
            "others": sum(not row.is_current for row in rows),
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "hours": settings.SESSION_ABSOLUTE_SECONDS // 3600,
        },
    )


@require_POST
def session_end(request: AcademyRequest, pk: int) -> HttpResponse:
    """End one of one's own sessions (this one: sign out)."""
    row = get_object_or_404(UserSession.objects.filter(user=request.user), pk=pk)
    if row.session_key == request.session.session_key:
        logout(request)
        return redirect(settings.LOGIN_URL)
    user_sessions.sessions_end(
        user=request.user,
        reason=EndReason.BY_USER,
        by=request.user,
        keys=[row.session_key],
    )
    device = user_sessions.device_label(row.user_agent)
    messages.success(request, f"Ended the session on {device}: it is signed out.")
    return redirect("account-sessions")


@require_POST
def sessions_end_others(request: AcademyRequest) -> HttpResponse:
    """End every session of one's own but this one."""
    ended = user_sessions.sessions_end(
        user=request.user,
        reason=EndReason.BY_USER,
        by=request.user,
        keep=request.session.session_key,
    )
    if ended:
        messages.success(
            request,
            f"Ended {ended} other session{'s' if ended != 1 else ''}: only this one "
            "is still signed in.",
        )
    else:
        messages.info(request, "There were no other sessions to end.")
    return redirect("account-sessions")


class PasswordChange(PasswordChangeView):
    """Django's password change; every other session of the person ends (this one
    stays signed in, with a new key)."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        sign_in_event(
            SignInEvent.Kind.PASSWORD_CHANGED, request=self.request, user=form.user
        )
        user_sessions.sessions_end(
            user=form.user,
            reason=EndReason.PASSWORD_CHANGED,
            by=form.user,
            keep=self.request.session.session_key,
        )
        return response


class PasswordResetConfirm(PasswordResetConfirmView):
    """Django's reset link page; a new password ends every session of the person,
    this browser's included if it was signed in as them (spec/security.md AUTH-6)."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        sign_in_event(SignInEvent.Kind.PASSWORD_RESET, request=self.request, user=user)
        if self.request.user.pk == user.pk:
            logout(self.request)
        user_sessions.sessions_end(user=user, reason=EndReason.PASSWORD_RESET)
        return response


class PasswordReset(PasswordResetView):
    """Django's "forgot your password" form; every request is recorded (the page
    answers the same whether or not the address has an account)."""

    extra_email_context = {"site_name": settings.SITE_NAME}

    def form_valid(self, form: Any) -> HttpResponse:
        typed = str(form.cleaned_data["email"])
        sign_in_event(
            SignInEvent.Kind.PASSWORD_RESET_ASKED,
            request=self.request,
            user=User.objects.filter(email__iexact=typed).first(),
            username=typed,
        )
        return super().form_valid(form)


password_reset = PasswordReset.as_view()
password_change = reauth.reauth_required(PasswordChange.as_view())
password_reset_confirm = PasswordResetConfirm.as_view()
