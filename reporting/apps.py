from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        # Register with the apps this one reads, which never import it (DESIGN.md).
        import datetime as dt

        from academy.home import home_panels
        from academy.inventory import Retention
        from academy.jobs import RunKind, run_kinds
        from academy.menu import MenuItem, menu_items
        from academy.retention import RetentionRule, retention_rules
        from academy.services import academy_created_hooks

        from . import home, services, tasks
        from .funders.services import funder_returns_install
        from .models import ReportRun

        home_panels.register(home.headline_figures)
        self._keep_summaries_up()
        academy_created_hooks.register(funder_returns_install)
        retention_rules.register(
            RetentionRule(
                Retention.REPORT,
                "report files past their period deleted",
                services.report_runs_expire,
            )
        )
        run_kinds.register(
            RunKind(
                "PDF report",
                ReportRun,
                send=tasks.report_run_build.delay,
                queued=ReportRun.Status.QUEUED,
                running=ReportRun.Status.RUNNING,
                time_limit=dt.timedelta(seconds=tasks.REPORT_TIME_LIMIT),
                started_field="started_at",
                fail=services.report_run_fail,
            )
        )
        menu_items.register(MenuItem("Impact", "Impact", "reporting:impact"))
        menu_items.register(
            MenuItem("Impact", "Targets", "reporting:targets", order=105)
        )
        menu_items.register(
            MenuItem("Impact", "Funder returns", "reporting:funder-returns", order=110)
        )

    def _keep_summaries_up(self) -> None:
        """The impact summaries follow every change to the records they count."""
        from celery.signals import task_postrun
        from django.db.models.signals import post_delete, post_save

        from participants import tasks as participant_tasks
        from participants.models import (
            Enquiry,
            Meeting,
            Outcome,
            Participant,
            ParticipantCohort,
            SkillsActionPlan,
            Support,
            SustainmentCheck,
        )
        from participants.services.casework import merge_hooks
        from participants.services.imports import import_written_hooks
        from vacancies.models import Event, Referral, ReferralEvent, SignUp

        from . import receivers

        for model in (
            SkillsActionPlan,
            Outcome,
            Support,
            ParticipantCohort,
            Meeting,
            SustainmentCheck,
            Referral,
            ReferralEvent,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    receivers.record_changed,
                    sender=model,
                    dispatch_uid=f"impact-{model.__name__}-{signal is post_save}",
                )
        # Who came to events, and who is one person: counted again when next read.
        for came in (SignUp, Event, Enquiry):
            for signal in (post_save, post_delete):
                signal.connect(
                    receivers.attendance_changed,
                    sender=came,
                    dispatch_uid=f"impact-came-{came.__name__}-{signal is post_save}",
                )
        for signal in (post_save, post_delete):
            signal.connect(
                receivers.participant_changed,
                sender=Participant,
                dispatch_uid=f"impact-Participant-{signal is post_save}",
            )
        merge_hooks.register(receivers.participants_merged)
        # A file imported from the command line (the worker's: task_postrun below).
        import_written_hooks.register(receivers.academy_rewritten)
        task_postrun.connect(
            receivers.import_finished,
            sender=participant_tasks.import_run_apply,
            weak=False,
        )
