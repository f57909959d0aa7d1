"""The portal's root URLconf; the core app's pages are in the `academy` namespace."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import (
    views,
    views_account,
    views_audit,
    views_bench,
    views_exports,
    views_invitations,
    views_messages,
)

academy_patterns = (
    [
        path("switch/", views.academy_switch, name="switch"),
        path("invitations/", views.invitation_list, name="invitations"),
        path(
            "invitations/<int:pk>/",
            views.invitation_answer,
            name="invitation-answer",
        ),
        path("manage/academy/", views.academy_settings, name="settings"),
        path("academy/<int:pk>/logo/", views.academy_logo, name="logo"),
        path(
            "manage/organisations/", views.organisation_list, name="organisation-list"
        ),
        path(
            "manage/organisations/new/",
            views.organisation_edit,
            name="organisation-add",
        ),
        path(
            "manage/organisations/<int:pk>/",
            views.organisation_edit,
            name="organisation-edit",
        ),
        path("manage/members/", views.member_list, name="member-list"),
        path("manage/members/new/", views.member_add, name="member-add"),
        path("manage/members/<int:pk>/", views.membership_edit, name="membership-edit"),
        path(
            "manage/members/<int:pk>/lockout/",
            views.lockout_lift,
            name="lockout-lift",
        ),
        path(
            "manage/members/<int:pk>/sessions/end/",
            views.member_sessions_end,
            name="member-sessions-end",
        ),
        path(
            "manage/members/<int:pk>/two-step/reset/",
            views.member_mfa_reset,
            name="mfa-reset",
        ),
        path(
            "manage/members/<int:pk>/invitation/send-again/",
            views_invitations.invitation_resend,
            name="invitation-resend",
        ),
        path("manage/audit/", views_audit.audit_list, name="audit"),
        path("manage/audit/<slug:kind>/", views_audit.audit_list, name="audit"),
        path(
            "manage/audit/export.csv",
            views_audit.audit_export,
            {"kind": "access"},
            name="audit-export",
        ),
        path(
            "manage/audit/<slug:kind>/export.csv",
            views_audit.audit_export,
            name="audit-export",
        ),
        path("exports/<int:pk>/", views_exports.export_run_detail, name="export-run"),
        path(
            "exports/<int:pk>/download/",
            views_exports.export_run_download,
            name="export-run-download",
        ),
        path("platform/academies/", views.academy_list, name="academy-list"),
        path("platform/runs/", views.platform_runs, name="platform-runs"),
        path("platform/academies/new/", views.academy_create, name="academy-create"),
    ],
    "academy",
)

admin.site.site_header = f"{settings.SITE_NAME}: administration"
admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("", include("academy.urls_public")),
    path(
        "messages/stop/<str:token>/",
        views_messages.message_opt_out,
        name="message-opt-out",
    ),
    path(
        "notify/delivery-receipts/",
        views_messages.notify_delivery_receipt,
        name="notify-delivery-receipt",
    ),
    path(
        "notify/received-texts/",
        views_messages.notify_received_text,
        name="notify-received-text",
    ),
    path(
        "accounts/notifications/",
        views_messages.notice_choices,
        name="notice-choices",
    ),
    path("", include(academy_patterns)),
    path("", include("participants.urls")),
    path("", include("vacancies.urls")),
    path("", include("reporting.urls")),
    path("", include("academy.labour_market.urls")),
    path(
        "accounts/password_reset/",
        views_account.password_reset,
        name="password_reset",
    ),
    path("accounts/two-step/", views.mfa_verify, name="mfa-verify"),
    path("accounts/two-step/setup/", views.mfa_setup, name="mfa-setup"),
    path("accounts/two-step/recovery/", views.mfa_recovery, name="mfa-recovery"),
    path("accounts/confirm/", views_account.reauth_view, name="reauth"),
    path("accounts/sessions/", views_account.session_list, name="account-sessions"),
    path(
        "accounts/sessions/<int:pk>/end/",
        views_account.session_end,
        name="account-session-end",
    ),
    path(
        "accounts/sessions/end-others/",
        views_account.sessions_end_others,
        name="account-sessions-end-others",
    ),
    # Django's own, but ending the person's other sessions (and asking first).
    path(
        "accounts/password_change/",
        views_account.password_change,
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views_account.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # A new member's invitation: its own token, lasting 7 days (academy/invitations.py).
    path(
        "accounts/invitation/<uidb64>/<token>/",
        views_invitations.invitation_set_password,
        name="invitation-set-password",
    ),
    path(
        "accounts/invitation/done/",
        views_invitations.invitation_done,
        name="invitation-done",
    ),
    # Django's admin signs in through the portal's sign-in and its second step.
    path(
        f"{settings.ADMIN_URL}login/",
        RedirectView.as_view(pattern_name="login", query_string=True),
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.BENCH_MINIMAL_VIEW:  # make bench's baseline page, off by default
    urlpatterns.append(
        path("bench/minimal/", views_bench.bench_minimal, name="bench-minimal")
    )

handler500 = "academy.views.server_error"
