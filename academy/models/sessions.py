"""The signed-in sessions a person can see and end (spec/security.md SESS-4)."""

from __future__ import annotations

from django.db import models

from .core import User


class UserSession(models.Model):
    """One signed-in session of a user: when it started and was last used, from which
    address and browser. The session itself lives in Django's session store; this row
    names it so that the person (or their academy's admin) can end it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"Session of {self.user} since {self.created_at:%Y-%m-%d %H:%M}"
