"""Event sign-ups under the retention schedule (academy/retention.py): a sign-up keeps
a person's name and contact details for ENQUIRY_RETENTION_MONTHS after the event, as
an enquiry does; then they go, and the sign-up stays, nameless, so that past events'
figures still count who came. A sign-up linked to a participant follows their record
(erased with it)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from academy.inventory import Retention
from academy.retention import cutoff

from .models import SignUp

ERASED = "Erased"


@transaction.atomic
def signups_expire(now: dt.datetime) -> int:
    """Anonymise sign-ups of people who never became participants, whose event ended
    more than the enquiry period ago; returns how many."""
    expired = (
        SignUp.objects.filter(
            participant__isnull=True, event__ends_at__lt=cutoff(Retention.ENQUIRY, now)
        )
        .exclude(first_name=ERASED, email="", phone="", note="")
        .select_for_update()
    )
    count = 0
    for signup in expired:
        cleared = {"first_name": ERASED, "last_name": "", "email": "", "phone": ""}
        for name, value in {**cleared, "note": ""}.items():
            setattr(signup, name, value)
        signup.save(update_fields=[*cleared, "note"])
        count += 1
    return count
