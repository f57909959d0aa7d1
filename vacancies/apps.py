from django.apps import AppConfig


class VacanciesConfig(AppConfig):
    name = "vacancies"

    def ready(self) -> None:
        # Register with the apps this one reads, which never import it (DESIGN.md).
        from participants.selectors import timeline_hooks
        from participants.services.casework import merge_hooks

        from . import hooks, services

        if hooks.referral_timeline not in timeline_hooks:
            timeline_hooks.append(hooks.referral_timeline)
        if services.merge_referrals not in merge_hooks:
            merge_hooks.append(services.merge_referrals)
