from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Academies and people"

    def ready(self) -> None:
        import datetime as dt

        from axes.signals import user_locked_out
        from django.contrib.auth.signals import (
            user_logged_in,
            user_logged_out,
            user_login_failed,
        )
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from . import middleware, reauth, tasks, user_sessions
        from .audit import context as audit_context
        from .audit import signals as audit_signals
        from .audit import triggers as audit_triggers
        from .home import home_panels
        from .jobs import RunKind, run_kinds
        from .labour_market import hooks, refresh
        from .menu import MenuItem, menu_items
        from .models import RefreshRun

        # The sign-in time the absolute session limit counts from.
        user_logged_in.connect(middleware.note_sign_in_time)
        # The session's row on "Your sessions"; signing in counts as confirming.
        user_logged_in.connect(user_sessions.session_record)
        user_logged_out.connect(user_sessions.session_forget)
        user_logged_in.connect(reauth.reauth_on_sign_in)
        # The audit trail: sign-in events, and the database told who is acting.
        user_logged_in.connect(audit_signals.on_signed_in)
        user_logged_out.connect(audit_signals.on_signed_out)
        user_login_failed.connect(audit_signals.on_failed)
        user_locked_out.connect(audit_signals.on_locked_out)
        connection_created.connect(audit_context.connection_created)
        pre_migrate.connect(audit_triggers.pre_migrate, sender=self)
        post_migrate.connect(audit_triggers.post_migrate, sender=self)
        home_panels.register(hooks.roles_in_demand_panel)
        run_kinds.register(
            RunKind(
                "labour-market load",
                RefreshRun,
                send=tasks.refresh_run_process.delay,
                queued=RefreshRun.Status.QUEUED,
                running=RefreshRun.Status.RUNNING,
                time_limit=dt.timedelta(seconds=tasks.REFRESH_TIME_LIMIT),
                started_field="started_at",
                fail=refresh.refresh_run_fail,
            )
        )
        from . import exports

        exports.exports_register()  # export runs: their kind of run and retention
        for item in (
            MenuItem("Home", "Home", "home", order=0),
            MenuItem("Manage", "Members", "academy:member-list", order=10),
            MenuItem("Manage", "Organisations", "academy:organisation-list", order=11),
            MenuItem("Manage", "Academy settings", "academy:settings", order=12),
            MenuItem("Manage", "Audit", "academy:audit", order=14),
            MenuItem("Labour market", "Labour market", "labour_market:area"),
            MenuItem("Manage", "Labour-market data", "labour_market:runs", order=13),
            MenuItem("Manage", "All academies", "academy:academy-list", order=90),
            MenuItem("Manage", "All runs", "academy:platform-runs", order=91),
        ):
            menu_items.register(item)
