from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        # Register with the apps this one reads, which never import it (DESIGN.md).
        from academy.home import home_panels
        from academy.menu import MenuItem, menu_items

        from . import home

        home_panels.register(home.headline_figures)
        menu_items.register(MenuItem("Impact", "Impact", "reporting:impact"))
