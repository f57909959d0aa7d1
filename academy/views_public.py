"""Pages anyone may open that belong to the portal as a whole, not to one academy's
work: the accessibility statement."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Academy

# The GOV.UK model statement says when it was prepared and last reviewed.
STATEMENT_PREPARED_ON = dt.date(2026, 12, 1)
STATEMENT_REVIEWED_ON = dt.date(2026, 12, 1)
# What tests/e2e/test_accessibility.py runs axe-core with, as the statement says.
TESTED_WIDTHS = (390, 1366)
WCAG_RULE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def _statement_academy(request: HttpRequest) -> Academy | None:
    """The academy the visitor came from: the one they work in, or the public page's
    (`?academy=slug`); None when neither is known."""
    current = getattr(request, "academy", None)
    if current is not None:
        return current  # type: ignore[no-any-return]
    slug = request.GET.get("academy", "")
    if not slug:
        return None
    return Academy.objects.filter(slug=slug).first()


@login_not_required
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, in the GOV.UK model's form (Public Sector Bodies
    Accessibility Regulations 2018): what was tested, known issues, how to report."""
    academy = _statement_academy(request)
    contact_email = academy.public_email if academy and academy.public_email else ""
    if not contact_email and settings.ADMINS:
        contact_email = settings.ADMINS[0][1]
    if not contact_email:
        contact_email = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    signed_in = getattr(request, "membership", None) is not None
    return render(
        request,
        "academy/accessibility_statement.html",
        {
            "layout": "layouts/app.html" if signed_in else "layouts/public.html",
            "academy": academy,
            "contact_email": contact_email,
            "contact_phone": academy.public_phone if academy else "",
            "prepared_on": STATEMENT_PREPARED_ON,
            "reviewed_on": STATEMENT_REVIEWED_ON,
            "widths": TESTED_WIDTHS,
            "rule_tags": WCAG_RULE_TAGS,
        },
    )
