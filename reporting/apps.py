from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        from vacancies.hooks import referral_activity

        from . import home  # noqa: F401 - registers the manager's home panel
        from .impact import activity_providers

        if referral_activity not in activity_providers:
            activity_providers.append(referral_activity)

        from .labour_market import hooks

        hooks.register()  # roles in demand (matching, coordinator home), report context
