"""A new member's invitation: the page its link opens (set your password), and an
admin sending it again from the members page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from . import services, user_sessions
from .audit import SignInEvent, sign_in_event
from .invitations import invitation_token_generator, valid_days
from .models import Membership
from .permissions import admin_required
from .tenancy import AcademyRequest
from .user_sessions import EndReason


@method_decorator(login_not_required, name="dispatch")
class InvitationSetPassword(PasswordResetConfirmView):
    """Django's reset-link page with the invitation's own token (7 days) and words:
    "Set your password"; an expired or replaced link says to ask for a new one."""

    token_generator = invitation_token_generator
    template_name = "registration/invitation_set_password.html"
    success_url = reverse_lazy("invitation-done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "valid_days": valid_days()}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        sign_in_event(
            SignInEvent.Kind.PASSWORD_SET, request=self.request, user=form.user
        )
        user_sessions.sessions_end(user=form.user, reason=EndReason.PASSWORD_RESET)
        return response


invitation_set_password = InvitationSetPassword.as_view()


@login_not_required
def invitation_done(request: AcademyRequest) -> HttpResponse:
    """The password is set: sign in (the two-step sign-in is set up next)."""
    return render(request, "registration/invitation_done.html")


@admin_required
@require_POST
def invitation_resend(request: AcademyRequest, pk: int) -> HttpResponse:
    """Send a new member's invitation again: a new link, and the old one stops."""
    membership = get_object_or_404(
        Membership.objects.for_academy(request.academy).select_related("user"), pk=pk
    )
    try:
        services.invitation_resend(membership=membership, by=request.user)
    except services.InvitationNotResent as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"Invitation sent again to {membership.user.email}: its link works for "
            f"{valid_days()} days, and the earlier link no longer works.",
        )
    return redirect("academy:member-list")
