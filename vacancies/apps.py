from django.apps import AppConfig


class VacanciesConfig(AppConfig):
    name = "vacancies"

    def ready(self) -> None:
        # Register with the apps this one reads, which never import it (DESIGN.md).
        from django.db.models.signals import post_delete, post_save

        from academy.home import home_panels
        from academy.inventory import Retention
        from academy.menu import MenuItem, menu_items
        from academy.models import Organisation
        from academy.permissions import OPPORTUNITIES
        from academy.retention import RetentionRule, retention_rules
        from participants.diary import diary_sources
        from participants.selectors import outcome_followups, timeline_hooks
        from participants.services import merge_hooks, outcome_replaced_hooks

        from . import diary, hooks, interviews, services
        from .models import Vacancy
        from .retention import signups_expire
        from .views.board import board_changed

        # A vacancy or organisation saved or deleted shows on the public board at once.
        for model in (Vacancy, Organisation):
            post_save.connect(
                board_changed, sender=model, dispatch_uid=f"board-{model}"
            )
            post_delete.connect(
                board_changed, sender=model, dispatch_uid=f"board-del-{model}"
            )

        retention_rules.register(
            RetentionRule(
                Retention.ENQUIRY,
                "event sign-ups past their period anonymised",
                signups_expire,
            )
        )
        diary_sources.register(interviews.interview_diary)
        timeline_hooks.register(hooks.referral_timeline)
        timeline_hooks.register(hooks.event_timeline)
        merge_hooks.register(services.merge_referrals)
        merge_hooks.register(services.merge_signups)
        outcome_followups.register(services.referral_for_outcome)
        outcome_replaced_hooks.register(services.referral_outcome_replace)
        home_panels.register(hooks.critical_shortage_banner)
        diary_sources.register(diary.events_in_diary)
        home_panels.register(hooks.provider_interviews)
        home_panels.register(hooks.provider_overview)
        for order, (label, url_name) in enumerate(
            (
                ("Vacancies", "vacancies:list"),
                ("Training places", "vacancies:training-list"),
                ("Referrals", "vacancies:referral-list"),
            )
        ):
            menu_items.register(MenuItem("Jobs", label, url_name, order=order))
        menu_items.register(
            MenuItem("Events", "Events", "vacancies:event-list", order=0)
        )
        menu_items.register(
            MenuItem("Events", "Calendar feeds", "vacancies:event-calendar", order=110)
        )
        menu_items.register(
            MenuItem(
                "Jobs",
                "Public job board",
                "vacancies:board",
                order=9,
                kwargs=lambda membership: {"academy_slug": membership.academy.slug},
                only_for=OPPORTUNITIES,
            )
        )
