from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from academy.notify import OptOut


class ParticipantsConfig(AppConfig):
    name = "participants"

    def ready(self) -> None:
        import datetime as dt

        from academy.home import home_panels
        from academy.inventory import Retention
        from academy.jobs import RunKind, run_kinds
        from academy.menu import MenuItem, menu_items
        from academy.retention import RetentionRule, retention_rules

        from . import home, selectors, services, tasks
        from .diary import diary_sources
        from .models import ImportRun
        from .services.imports import import_run_fail, import_run_send

        run_kinds.register(
            RunKind(
                "import",
                ImportRun,
                send=import_run_send,  # its check, or its import once confirmed
                queued=ImportRun.Status.QUEUED,
                running=ImportRun.Status.RUNNING,
                time_limit=dt.timedelta(seconds=tasks.IMPORT_TIME_LIMIT),
                started_field="started_at",
                fail=import_run_fail,
            )
        )

        from academy.exports import export_kinds

        from .exports import PEOPLE_EXPORT

        export_kinds.register(PEOPLE_EXPORT)
        home_panels.register(home.todays_work)
        from academy.notify import opt_out_hooks

        opt_out_hooks.register(opt_out_record)
        diary_sources.register(selectors.appointments_in_diary)
        # Its own entry (not under Casework): providers have a diary too.
        menu_items.register(MenuItem("Diary", "Diary", "participants:diary"))
        for rule in (
            RetentionRule(
                Retention.CASEWORK,
                "closed cases past their period erased",
                services.casework_expire,
            ),
            RetentionRule(
                Retention.ENQUIRY,
                "enquiries never converted deleted",
                services.enquiries_expire,
            ),
            RetentionRule(
                Retention.IMPORT_FILE,
                "uploaded import files deleted",
                services.import_files_expire,
            ),
        ):
            retention_rules.register(rule)
        for order, (label, url_name) in enumerate(
            (
                ("People", "participants:list"),
                ("Register a person", "participants:register"),
                ("Enquiries", "participants:enquiry-list"),
                ("Tasks", "participants:task-list"),
                ("Possible double outcomes", "participants:outcome-doubles"),
                ("Import records", "participants:import-upload"),
            )
        ):
            menu_items.register(MenuItem("Casework", label, url_name, order=order))


def opt_out_record(opt_out: OptOut) -> int:
    """A STOP reply or an e-mail's opt-out link (academy.notify.opt_out_hooks): every
    open record with that number, or the person the e-mail was sent to, in the
    academies concerned, is set to be contacted no more."""
    from .models import Participant
    from .services.casework.contact import contact_preference_set

    people = Participant.objects.filter(academy_id__in=opt_out.academy_ids)
    if opt_out.participant_id is not None:
        people = people.filter(pk=opt_out.participant_id)
    elif opt_out.phone:
        people = people.filter(phone=opt_out.phone)
    else:
        return 0
    done = 0
    for person in people:
        if person.is_open and not person.is_erased:
            done += contact_preference_set(
                participant=person, contact_by="none", by=None, how=opt_out.how
            )
    return done
