from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        # Register with the apps this one reads, which never import it (DESIGN.md).
        from academy.home import home_panels
        from academy.menu import MenuItem, menu_items
        from vacancies.matching import roles_in_demand_providers

        from . import home
        from .labour_market import hooks, selectors

        home_panels.register(home.headline_figures)
        home_panels.register(hooks.roles_in_demand_panel)
        roles_in_demand_providers.register(selectors.roles_in_demand_keys)
        for item in (
            MenuItem("Impact", "Impact", "reporting:impact"),
            MenuItem("Labour market", "Labour market", "labour_market:area"),
            MenuItem("Manage", "Labour-market data", "labour_market:runs", order=13),
        ):
            menu_items.register(item)
