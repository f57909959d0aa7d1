"""The retention schedule applied (spec/security.md DP-3): each retention class of
academy/inventory.py has a rule that removes or anonymises what has been kept longer
than its period, and a nightly task runs every rule (`academy.tasks.retention_apply`).

Rules live with the data: this module's cover the audit trail, accounts and the
message log; the participants app registers casework, enquiries and import files, the
reporting app its report files (`retention_rules`, filled in each app's `ready()`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .audit import AccessRecord, ChangeRecord, SignInEvent, audit_purge
from .inventory import RETENTION, Retention
from .models import LockoutLift, Membership, Message, User
from .registry import Registry


@dataclass(frozen=True)
class RetentionRule:
    """Apply one class's period at `now`; returns how many records it removed or
    anonymised."""

    retention: Retention
    label: str
    apply: Callable[[dt.datetime], int]


retention_rules: Registry[RetentionRule] = Registry("retention rules")


def years_before(now: dt.datetime, years: int) -> dt.datetime:
    """The same day `years` earlier (28 February for 29 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def cutoff(retention: Retention, now: dt.datetime) -> dt.datetime:
    """Records of the class older than this are past their period."""
    rule = RETENTION[retention]
    period = rule.period
    if period is None:
        raise ValueError(f"{retention} has no period")
    if rule.unit == "years":
        return years_before(now, period)
    if rule.unit == "months":
        return years_before(now, period // 12) - dt.timedelta(days=31 * (period % 12))
    return now - dt.timedelta(days=period)


@transaction.atomic
def audit_expire(now: dt.datetime) -> int:
    """Access records, change history, sign-in events and lifted lockouts older than
    RETENTION_AUDIT_YEARS go, through the one path the database allows."""
    before = cutoff(Retention.AUDIT, now)
    removed = 0
    with audit_purge():
        for model in (AccessRecord, ChangeRecord, SignInEvent):
            count, _ = model.objects.filter(at__lt=before).delete()
            removed += count
    count, _ = LockoutLift.objects.filter(lifted_at__lt=before).delete()
    return removed + count


FORMER = "Former member"


@transaction.atomic
def accounts_expire(now: dt.datetime) -> int:
    """Accounts that ended (deactivated, with no membership giving access) more than
    RETENTION_ACCOUNT_YEARS ago, by their last sign-in (or joining), are anonymised:
    casework still names them as who recorded what, so the row stays, nameless."""
    before = cutoff(Retention.ACCOUNT, now)
    active_membership = Membership.objects.filter(user=OuterRef("pk"), is_active=True)
    ended = (
        User.objects.filter(is_active=False, is_superuser=False)
        .exclude(first_name=FORMER)
        .filter(Q(last_login__lt=before) | Q(last_login=None, date_joined__lt=before))
        .exclude(Exists(active_membership))
    )
    count = 0
    for user in ended.select_for_update():
        user.first_name, user.last_name = FORMER, ""
        user.email = f"former-{user.pk}@erased.invalid"
        user.password = make_password(None)
        user.save(update_fields=["first_name", "last_name", "email", "password"])
        count += 1
    return count


@transaction.atomic
def messages_expire(now: dt.datetime) -> int:
    """The message log's rows not to or about a participant (to members of staff, to
    the public about events) made more than RETENTION_MESSAGES_MONTHS ago go; a
    participant's messages are casework, erased with the person. A key is sent once
    for as long as its row is kept."""
    before = cutoff(Retention.MESSAGE, now)
    count, _ = Message.objects.filter(
        participant__isnull=True, created_at__lt=before
    ).delete()
    return count


def messages_forget(now: dt.datetime) -> int:
    """Words and addresses a finished message still holds (academy/messaging.py)."""
    from .messaging import finished_messages_forget

    return finished_messages_forget()


retention_rules.register(
    RetentionRule(Retention.AUDIT, "audit records past their period", audit_expire)
)
retention_rules.register(
    RetentionRule(Retention.ACCOUNT, "ended accounts anonymised", accounts_expire)
)
retention_rules.register(
    RetentionRule(
        Retention.MESSAGE,
        "messages not about a participant past their period deleted",
        messages_expire,
    )
)
retention_rules.register(
    RetentionRule(
        Retention.MESSAGE,
        "words and addresses of finished messages forgotten",
        messages_forget,
    )
)


def retention_apply(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every retention rule; what each removed or anonymised, by label."""
    now = now or timezone.now()
    return {rule.label: rule.apply(now) for rule in retention_rules}


__all__ = [
    "FORMER",
    "RetentionRule",
    "cutoff",
    "retention_apply",
    "retention_rules",
]
