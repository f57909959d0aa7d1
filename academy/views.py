"""Home pages, the academy switcher, and the admin's pages for the partnership."""

from __future__ import annotations

import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from . import auth, jobs, mfa, selectors, services, user_sessions
from .audit import access_record
from .filters import MemberFilterSet, OrganisationFilterSet
from .forms import (
    AcademyCreateForm,
    AcademyForm,
    InvitationAnswerForm,
    LockoutLiftForm,
    MemberAddForm,
    MembershipForm,
    MFACodeForm,
    OrganisationForm,
    form_add_validation_error,
    posted,
)
from .health import OUTAGES, health_checks
from .home import home_body
from .lists import list_page
from .logos import CONTENT_TYPES
from .models import Academy, Membership, Organisation
from .permissions import Role, admin_required, any_member, superuser_required
from .reauth import reauth_required
from .redirects import safe_next
from .tenancy import SESSION_ACADEMY_KEY, AcademyRequest
from .uploads import uploaded_files

HOME_TEMPLATES = {
    Role.COORDINATOR: "academy/home_coordinator.html",
    Role.PROVIDER: "academy/home_provider.html",
    Role.MANAGER: "academy/home_manager.html",
    Role.ADMIN: "academy/home_admin.html",
}


def home(request: AcademyRequest) -> HttpResponse:
    """Show each signed-in person the home page of their role in the current academy."""
    membership = request.membership
    invitations = selectors.invitation_list(user=request.user)
    if membership is None:
        if request.user.is_superuser and not invitations:
            return redirect("academy:academy-list")
        return render(
            request,
            "academy/no_membership.html",
            {"invitations": invitations},
            status=403,
        )
    body = home_body(request, membership)
    access_record(request, participants=body.people)
    return render(
        request,
        HOME_TEMPLATES[Role(membership.role)],
        {"invitations": invitations, "body": body},
    )


@require_POST
def academy_switch(request: AcademyRequest) -> HttpResponse:
    """Make another of the user's academies the current one."""
    wanted = request.POST.get("academy", "")
    chosen = next((m for m in request.memberships if str(m.academy_id) == wanted), None)
    if chosen is None:
        raise Http404("You are not a member of that academy.")
    request.session[SESSION_ACADEMY_KEY] = chosen.academy_id
    messages.success(request, f"You are now working in {chosen.academy}.")
    return redirect("home")


@mfa.mfa_exempt
@reauth_required
def mfa_setup(request: AcademyRequest) -> HttpResponse:
    """Add an authenticator app: scan the code (or type the key), then type a code it
    shows. Shown on first sign-in to everyone without one."""
    if mfa.has_mfa(request.user) and not mfa.is_verified(request):
        return redirect("mfa-verify")
    device = mfa.totp_setup_device(request.user)
    form = MFACodeForm(posted(request), button="Turn on two-step sign-in")
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.totp_confirm(
                request=request, device=device, token=form.cleaned_data["code"]
            )
        except ValueError as error:
            form.add_error("code", str(error))
        else:
            request.session["mfa_new_codes"] = codes
            request.session["mfa_next"] = safe_next(request, request.GET.get("next"))
            return redirect("mfa-recovery")
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr": mfa.totp_qr_svg(device),
            "secret": mfa.totp_secret(device),
        },
    )


@mfa.mfa_exempt
def mfa_verify(request: AcademyRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    if not mfa.has_mfa(request.user):
        return redirect("mfa-setup")
    form = MFACodeForm(posted(request), button="Continue")
    if request.method == "POST" and form.is_valid():
        if mfa.mfa_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(safe_next(request, request.GET.get("next"), "/"))
        form.add_error(
            "code",
            "That code is not right. Type the six digits the app shows now, or one "
            "of your recovery codes. After several wrong codes, wait a little.",
        )
    return render(request, "registration/mfa_verify.html", {"form": form})


@reauth_required
def mfa_recovery(request: AcademyRequest) -> HttpResponse:
    """New recovery codes, shown once; POST makes a new set (the old stop working)."""
    if request.method == "POST":
        request.session["mfa_new_codes"] = mfa.recovery_codes_make(
            user=request.user, request=request
        )
        messages.success(
            request, "New recovery codes made. The old ones no longer work."
        )
        return redirect("mfa-recovery")
    codes = request.session.pop("mfa_new_codes", None)
    return render(
        request,
        "registration/mfa_recovery.html",
        {
            "codes": codes,
            "left": mfa.recovery_codes_left(request.user),
            "next": request.session.pop("mfa_next", "") or "/",
        },
    )


def invitation_list(request: AcademyRequest) -> HttpResponse:
    """Academies that have asked the signed-in person to join them (their own only)."""
    return render(
        request,
        "academy/invitation_list.html",
        {"invitations": selectors.invitation_list(user=request.user)},
    )


@require_POST
def invitation_answer(request: AcademyRequest, pk: int) -> HttpResponse:
    """Accept or decline one of one's own invitations."""
    membership = get_object_or_404(
        Membership.objects.pending()
        .filter(user=request.user)
        .select_related("academy"),
        pk=pk,
    )
    form = InvitationAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Accept or decline the invitation.")
        return redirect("academy:invitations")
    accept = form.cleaned_data["answer"] == "accept"
    try:
        services.invitation_answer(
            membership=membership, user=request.user, accept=accept
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("academy:invitations")
    if accept:
        request.session[SESSION_ACADEMY_KEY] = membership.academy_id
        messages.success(
            request,
            f"You have joined {membership.academy} as a "
            f"{membership.get_role_display().lower()}. You are now working there.",
        )
        return redirect("home")
    messages.success(request, f"You declined {membership.academy}'s invitation.")
    return redirect("academy:invitations")


@admin_required
def academy_settings(request: AcademyRequest) -> HttpResponse:
    """Edit the current academy's name, region, area code, launch date, the contact
    the public pages show and the logo on the report's cover."""
    # A fresh copy, so that a rejected edit does not rename the academy in the header.
    academy = Academy.objects.get(pk=request.academy.pk)
    logo_url = logo_address(academy)
    form = AcademyForm(
        posted(request), uploaded_files(request), instance=academy, logo_url=logo_url
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.academy_update(
                academy=form.instance,
                remove_logo=form.cleaned_data.get("remove_logo") or False,
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, "Academy settings saved.")
            return redirect("academy:settings")
    return render(request, "academy/academy_settings.html", {"form": form})


def logo_address(academy: Academy) -> str:
    """Where the academy's members see its logo ("" without one); the stored name in
    the address makes a new logo a new address, so no browser shows the old one."""
    if not academy.logo:
        return ""
    url = reverse("academy:logo", args=[academy.pk])
    return f"{url}?{urlencode({'v': academy.logo.name or ''})}"


@any_member
def academy_logo(request: AcademyRequest, pk: int) -> HttpResponseBase:
    """The current academy's logo, for its members only (never served from MEDIA)."""
    academy = request.academy
    if pk != academy.pk or not academy.logo:
        raise Http404
    extension = (academy.logo.name or "").rsplit(".", 1)[-1].lower()
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None:
        raise Http404
    try:
        file = academy.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(file, content_type=content_type)
    response["Content-Disposition"] = "inline"
    return response


@admin_required
def organisation_list(request: AcademyRequest) -> HttpResponse:
    """The academy's partner organisations."""
    filterset = OrganisationFilterSet(
        request.GET,
        queryset=selectors.organisation_list(membership=request.membership),
        request=request,
    )
    return render(
        request,
        "academy/organisation_list.html",
        {"filterset": filterset, "page": list_page(request, filterset.qs)},
    )


@admin_required
def organisation_edit(request: AcademyRequest, pk: int | None = None) -> HttpResponse:
    """Add a partner organisation, or edit one of this academy's."""
    if pk is None:
        organisation = Organisation(academy=request.membership.academy)
    else:
        organisation = get_object_or_404(
            Organisation.objects.for_membership(request.membership), pk=pk
        )
    form = OrganisationForm(posted(request), instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_save(organisation=form.instance)
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, f"{organisation} saved.")
            return redirect("academy:organisation-list")
    return render(
        request,
        "academy/organisation_edit.html",
        {"form": form, "organisation": organisation if pk else None},
    )


@admin_required
def member_list(request: AcademyRequest) -> HttpResponse:
    """Everyone with a role in the academy."""
    filterset = MemberFilterSet(
        request.GET,
        queryset=selectors.member_list(academy=request.academy),
        request=request,
    )
    return render(
        request,
        "academy/member_list.html",
        {"filterset": filterset, "page": list_page(request, filterset.qs)},
    )


@admin_required
@reauth_required
def member_add(request: AcademyRequest) -> HttpResponse:
    """Give someone a role in the academy; a new person is e-mailed an invitation."""
    form = MemberAddForm(posted(request), academy=request.academy)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.member_add(
                academy=request.academy, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            role = membership.get_role_display().lower()
            if membership.accepted_at is None:
                messages.success(
                    request,
                    f"{membership.user} already has an account, so they have been "
                    f"asked to accept the role of {role} here. They appear as "
                    "awaiting acceptance until they do.",
                )
            else:
                messages.success(request, f"{membership.user} is now a {role}.")
            return redirect("academy:member-list")
    return render(request, "academy/member_add.html", {"form": form})


def _accepted(request: AcademyRequest) -> QuerySet[Membership]:
    """The academy's memberships whose person has accepted them: only their accounts
    are the academy's to manage (lockouts, two-step sign-in, sessions)."""
    return Membership.objects.for_academy(request.academy).filter(
        accepted_at__isnull=False
    )


@admin_required
@reauth_required
def membership_edit(request: AcademyRequest, pk: int) -> HttpResponse:
    """Change a member's role, organisation or access."""
    membership = get_object_or_404(
        Membership.objects.for_academy(request.academy).select_related("user"), pk=pk
    )
    form = MembershipForm(posted(request), membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, **form.cleaned_data)
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            messages.success(request, f"{membership.user}'s membership saved.")
            return redirect("academy:member-list")
    is_member = membership.accepted_at is not None
    return render(
        request,
        "academy/membership_edit.html",
        {
            "form": form,
            "membership": membership,
            # Someone only invited: their account is not the academy's to manage.
            "is_locked_out": is_member
            and auth.is_locked_out(user=membership.user, request=request),
            "has_mfa": is_member and mfa.has_mfa(membership.user),
            "sessions": _member_session_count(membership),
            "lift_form": LockoutLiftForm(),
        },
    )


@admin_required
@require_POST
@reauth_required
def lockout_lift(request: AcademyRequest, pk: int) -> HttpResponse:
    """Let a member locked out by failed sign-ins in again, saying why."""
    membership = get_object_or_404(_accepted(request).select_related("user"), pk=pk)
    form = LockoutLiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the lockout is lifted (for the record).")
    else:
        auth.lockout_lift(
            membership=membership, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{membership.user} can sign in again.")
    return redirect("academy:membership-edit", pk=membership.pk)


@admin_required
@require_POST
@reauth_required
def member_mfa_reset(request: AcademyRequest, pk: int) -> HttpResponse:
    """Reset a member's two-step sign-in (a lost phone); they set it up again."""
    membership = get_object_or_404(_accepted(request).select_related("user"), pk=pk)
    if membership.user_id == request.user.pk:
        messages.error(request, "Ask another admin to reset your own two-step sign-in.")
    else:
        mfa.mfa_reset(user=membership.user, by=request.user, request=request)
        messages.success(
            request,
            f"{membership.user}'s two-step sign-in is reset: they set it up again at "
            "their next sign-in.",
        )
    return redirect("academy:membership-edit", pk=membership.pk)


def _member_session_count(membership: Membership) -> int | None:
    """How many sessions the member has open (None for someone who has not accepted
    the academy's invitation: their account is not the academy's to manage)."""
    if membership.accepted_at is None:
        return None
    user_sessions.sessions_forget_expired(user=membership.user)
    return user_sessions.session_count(user=membership.user)


@admin_required
@require_POST
@reauth_required
def member_sessions_end(request: AcademyRequest, pk: int) -> HttpResponse:
    """Sign a member out everywhere (a lost laptop, a shared computer); their own
    admin keeps the session they are using."""
    membership = get_object_or_404(
        _accepted(request).select_related("user"),
        pk=pk,
    )
    is_self = membership.user_id == request.user.pk
    ended = user_sessions.sessions_end(
        user=membership.user,
        reason=user_sessions.EndReason.BY_ADMIN,
        by=request.user,
        keep=request.session.session_key if is_self else None,
    )
    if ended:
        messages.success(
            request,
            f"Ended {ended} session{'s' if ended != 1 else ''} of {membership.user}: "
            "they must sign in again.",
        )
    else:
        messages.info(
            request,
            "You had no other sessions to end."
            if is_self
            else f"{membership.user} is not signed in anywhere.",
        )
    return redirect("academy:membership-edit", pk=membership.pk)


@superuser_required
def platform_runs(request: AcademyRequest) -> HttpResponse:
    """Runs of every kind across academies (PDFs, imports, labour-market loads), for
    platform staff; POST reconciles them now instead of waiting for beat."""
    if request.method == "POST":
        done = jobs.runs_reconcile()
        messages.success(
            request,
            f"Checked every run: {done.resent} sent to the worker again, "
            f"{done.restarted} restarted, {done.failed} marked failed.",
        )
        return redirect("academy:platform-runs")
    return render(request, "academy/platform_runs.html", {"rows": jobs.runs_overview()})


@superuser_required
def academy_list(request: AcademyRequest) -> HttpResponse:
    """Every academy on the platform, for platform staff."""
    academies = Academy.objects.order_by("name")
    return render(request, "academy/academy_list.html", {"academies": academies})


@superuser_required
def academy_create(request: AcademyRequest) -> HttpResponse:
    """Create a new academy; the creator becomes its first admin."""
    form = AcademyCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            academy = services.academy_create(
                **form.cleaned_data, first_admin=request.user
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
        else:
            request.session[SESSION_ACADEMY_KEY] = academy.pk
            messages.success(request, f"{academy} created. You are its admin.")
            return redirect("home")
    return render(request, "academy/academy_create.html", {"form": form})


@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    """Whether the database, Redis, the worker and beat answer, as JSON: 200 when all
    do, 503 when one does not (for load balancers and monitoring)."""
    checks = health_checks()
    wanted = {name for name in request.GET.get("check", "").split(",") if name}
    if wanted:  # e.g. ?check=database,redis: the web's own health, for its container
        checks = [check for check in checks if check.name in wanted]
    is_ok = all(check.is_ok for check in checks)
    body = {
        "status": "ok" if is_ok else "unavailable",
        "checks": {c.name: {"ok": c.is_ok, "detail": c.detail} for c in checks},
    }
    return JsonResponse(body, status=200 if is_ok else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """A failed request: 503 "temporarily unavailable" when the database or Redis is
    down (monitoring can tell an outage from a bug), else the 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGES):
        return render(request, "503.html", status=503)
    return render(request, "500.html", status=500)
