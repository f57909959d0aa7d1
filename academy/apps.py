from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Academies and people"

    def ready(self) -> None:
        from .home import home_panels
        from .labour_market import hooks
        from .menu import MenuItem, menu_items

        home_panels.register(hooks.roles_in_demand_panel)
        for item in (
            MenuItem("Home", "Home", "home", order=0),
            MenuItem("Manage", "Members", "academy:member-list", order=10),
            MenuItem("Manage", "Organisations", "academy:organisation-list", order=11),
            MenuItem("Manage", "Academy settings", "academy:settings", order=12),
            MenuItem("Labour market", "Labour market", "labour_market:area"),
            MenuItem("Manage", "Labour-market data", "labour_market:runs", order=13),
            MenuItem("Manage", "All academies", "academy:academy-list", order=90),
        ):
            menu_items.register(item)
