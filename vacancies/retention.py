"""Event sign-ups under the retention schedule (academy/retention.py): a sign-up keeps
a person's name and contact details for ENQUIRY_RETENTION_MONTHS after the event, as
an enquiry does; then they go, and the sign-up stays, nameless, so that past events'
figures still count who came. A sign-up linked to a participant follows their record
(erased with it)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from academy.inventory import Retention
from academy.retention import cutoff

from .events_report import Key, SamePerson, person_keys, signup_person
from .models import SignUp

ERASED = "Erased"


def _visitors_keep(expiring: list[SignUp]) -> None:
    """Before their details go, give each person's sign-ups (those expiring and their
    others in the academy, found as the impact report finds people) one random visitor
    key, so that the report still counts them once."""
    academy_of = dict(
        SignUp.objects.filter(pk__in=[s.pk for s in expiring]).values_list(
            "pk", "event__academy_id"
        )
    )
    for academy_id in set(academy_of.values()):
        rows = list(
            SignUp.objects.filter(event__academy_id=academy_id)
            .annotate(person=signup_person())
            .values_list("pk", "person", "email", "phone", "visitor")
        )
        people = SamePerson()
        person_of = {row[0]: people.join(person_keys(*row)) for row in rows}
        members: dict[Key, list[tuple[int, str]]] = defaultdict(list)
        for pk, *_, visitor in rows:
            members[people.find(person_of[pk])].append((pk, visitor))
        wanted = {
            people.find(person_of[pk])
            for pk, academy in academy_of.items()
            if academy == academy_id
        }
        for person in wanted:
            keys = sorted({visitor for _, visitor in members[person] if visitor})
            key = keys[0] if keys else secrets.token_hex(16)
            SignUp.objects.filter(
                Q(pk__in=[pk for pk, _ in members[person]]) | Q(visitor__in=keys)
            ).update(visitor=key)


@transaction.atomic
def signups_expire(now: dt.datetime) -> int:
    """Anonymise sign-ups of people who never became participants, whose event ended
    more than the enquiry period ago; returns how many."""
    expired = list(
        SignUp.objects.filter(
            participant__isnull=True, event__ends_at__lt=cutoff(Retention.ENQUIRY, now)
        )
        .exclude(first_name=ERASED, email="", phone="", note="")
        .select_for_update()
    )
    _visitors_keep(expired)
    count = 0
    for signup in expired:
        cleared = {"first_name": ERASED, "last_name": "", "email": "", "phone": ""}
        for name, value in {**cleared, "note": ""}.items():
            setattr(signup, name, value)
        signup.save(update_fields=[*cleared, "note"])
        count += 1
    return count
