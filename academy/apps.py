from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Academies and people"

    def ready(self) -> None:
        from .menu import MenuItem, menu_items

        for item in (
            MenuItem("Home", "Home", "home", order=0),
            MenuItem("Manage", "Members", "academy:member-list", order=10),
            MenuItem("Manage", "Organisations", "academy:organisation-list", order=11),
            MenuItem("Manage", "Academy settings", "academy:settings", order=12),
            MenuItem("Manage", "All academies", "academy:academy-list", order=90),
        ):
            menu_items.register(item)
