"""The audit trail: who looked at whose record, every change to casework, and every
sign-in event. All three are append-only: the database refuses UPDATE and DELETE on them
(academy/audit/triggers.py), except through the narrow erasure and retention path.

No foreign keys: an audit row must outlive what it names (a deactivated user, a merged
or erased record), and must never block a deletion the law requires."""

from __future__ import annotations

from django.db import models

# The moments of access records and changes have no b-tree of their own: on
# PostgreSQL a BRIN index (academy 0022) finds a time range (the retention purge),
# and the pages read through (academy, time, id) keyset indexes. A b-tree on the time
# alone was chosen for a large academy's newest page and read every other academy's
# newer rows first (101 ms at 1.5 million changes; 0.06 ms by the keyset index).


class AccessRecord(models.Model):
    """One request that showed or exported participants' data."""

    at = models.DateTimeField()
    user_id = models.IntegerField(null=True, db_index=True)
    user_email = models.CharField(max_length=254, blank=True)
    role = models.CharField(max_length=20, blank=True)
    academy_id = models.IntegerField(null=True, db_index=True)
    # The url name and method ("participants:detail GET"): what was done.
    action = models.CharField(max_length=120)
    path = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    participant_ids = models.JSONField(default=list)
    enquiry_ids = models.JSONField(default=list)
    count = models.PositiveIntegerField(default=0, help_text="people shown or exported")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["academy_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_email} {self.action}"


class ChangeRecord(models.Model):
    """One row inserted, changed or deleted in a tracked table, written by a database
    trigger, so that bulk updates and raw SQL are kept too. `old` and `new` are the
    row's columns before and after (encrypted columns stay encrypted)."""

    class Operation(models.TextChoices):
        INSERT = "insert", "Added"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        # Written by erasure in place of the history it removes (no old or new row).
        ERASE = "erase", "Erased"

    at = models.DateTimeField()
    table_name = models.CharField(max_length=63)
    row_id = models.BigIntegerField()
    operation = models.CharField(max_length=6, choices=Operation.choices)
    participant_id = models.BigIntegerField(null=True, db_index=True)
    academy_id = models.IntegerField(null=True, db_index=True)
    actor_id = models.IntegerField(null=True, db_index=True)
    request_id = models.CharField(max_length=32, blank=True)
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["table_name", "row_id"])]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.operation} {self.table_name} {self.row_id}"
        )


class SignInEvent(models.Model):
    """A sign-in, a failure, a lockout, a change to two-step sign-in or a password, an
    ended session."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGNED_OUT = "signed_out", "Signed out"
        FAILED = "failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out"
        LOCKOUT_LIFTED = "lockout_lifted", "Lockout lifted"
        SECOND_STEP_PASSED = "mfa_passed", "Second step passed"
        SECOND_STEP_FAILED = "mfa_failed", "Second step failed"
        SECOND_STEP_SET_UP = "mfa_set_up", "Two-step sign-in set up"
        SECOND_STEP_RESET = "mfa_reset", "Two-step sign-in reset"
        RECOVERY_CODES = "recovery_codes", "New recovery codes"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET_ASKED = "reset_asked", "Password reset asked for"
        PASSWORD_RESET = "password_reset", "Password reset"
        REAUTHENTICATED = "reauthenticated", "Confirmed it was them"
        SESSIONS_ENDED = "sessions_ended", "Sessions ended"
        INVITATION_RESENT = "invitation_resent", "Invitation sent again"
        PASSWORD_SET = "password_set", "Password set from the invitation"

    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user_id = models.IntegerField(null=True, db_index=True)
    # What was typed, for failures against no account; lower-cased, at most 254.
    username = models.CharField(max_length=254, blank=True)
    by_user_id = models.IntegerField(
        null=True, help_text="who did it, when not the user themselves"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
