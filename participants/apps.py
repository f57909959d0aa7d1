from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"

    def ready(self) -> None:
        from academy.home import home_panels
        from academy.menu import MenuItem, menu_items

        from . import home

        home_panels.register(home.todays_work)
        for order, (label, url_name) in enumerate(
            (
                ("People", "participants:list"),
                ("Register a person", "participants:register"),
                ("Enquiries", "participants:enquiry-list"),
                ("Overdue actions", "participants:actions-overdue"),
                ("Sustainment checks due", "participants:checks-due"),
                ("Possible double outcomes", "participants:outcome-doubles"),
                ("Import records", "participants:import-upload"),
            )
        ):
            menu_items.register(MenuItem("Casework", label, url_name, order=order))
