from django.apps import AppConfig


class VacanciesConfig(AppConfig):
    name = "vacancies"

    def ready(self) -> None:
        # Register with the apps this one reads, which never import it (DESIGN.md).
        from participants.selectors import postcode_notice_hooks, timeline_hooks
        from participants.selectors.outcomes import outcome_followups
        from participants.services.casework import merge_hooks
        from participants.services.doubles import outcome_replaced_hooks

        from . import hooks, services

        if hooks.postcode_unplaced not in postcode_notice_hooks:
            postcode_notice_hooks.append(hooks.postcode_unplaced)
        if hooks.referral_timeline not in timeline_hooks:
            timeline_hooks.append(hooks.referral_timeline)
        if services.merge_referrals not in merge_hooks:
            merge_hooks.append(services.merge_referrals)
        if services.referral_for_outcome not in outcome_followups:
            outcome_followups.append(services.referral_for_outcome)
        if services.referral_outcome_replace not in outcome_replaced_hooks:
            outcome_replaced_hooks.append(services.referral_outcome_replace)
