"""WCAG 2.2 AA on every page (issue 15): axe-core over each page of each role and of the
public, at a phone's width and a laptop's; the navbar on one line; focus after htmx.

The pages are found in the URL registry, not listed here: every named GET pattern is
opened by each audience that may open it (tests/test_permissions.py MATRIX, PUBLIC and
OWN_RULE say which), its ids filled with records the probe's builders make
(tests/probe.py), so a new page is checked without anyone adding it. A pattern this
test cannot fill in fails the test by name. What is not an HTML page (a file, a feed, a
redirect, a POST-only action) is skipped only when NOT_PAGES says why.
"""

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from academy.models import Message
from academy.notify import opt_out_link
from tests.academy.factories import MembershipFactory
from tests.e2e.conftest import SCREENSHOTS
from tests.probe import _patterns, side_of, url_kind, view_name
from tests.test_permissions import MATRIX, OWN_RULE, PUBLIC

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

SHOTS = SCREENSHOTS / "accessibility"
WIDTHS = (1366, 390)
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe-core's tags for them).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "resultTypes": ["violations"],
}
AUDIENCES = ["public", "coordinator", "provider", "manager", "admin", "platform"]

# Public pages members open too, in the portal's own layout.
SIGNED_IN_TOO = {"accessibility"}

# What is not an HTML page, by URL name, and why it is not run through axe. A name here
# that turns out to be an HTML page is checked all the same; a page that is not HTML
# and not here fails the test.
NOT_PAGES = {
    "participants:export": "download: CSV",
    "participants:access-export": "download: a person's data as JSON or PDF",
    "participants:plan-pdf": "download: a person's plan as PDF",
    "reporting:impact-csv": "download: CSV",
    "reporting:run-download": "download: PDF",
    "reporting:funder-return-xlsx": "download: XLSX",
    "reporting:funder-return-csv": "download: CSV",
    "academy:audit-export": "download: CSV",
    "academy:export-run-download": "download: CSV",
    "vacancies:event-feed": "download: iCalendar feed",
    "vacancies:event-feed-private": "download: iCalendar feed",
    "notify-delivery-receipt": "POST only: GOV.UK Notify's callback",
    "notify-received-text": "POST only: GOV.UK Notify's callback",
    "logout": "POST only: signing out",
    "academy:switch": "POST only: switching academy",
    "academy:invitation-answer": "POST only: answering an invitation",
    "account-sessions-end-others": "POST only: ending one's other sessions",
    "account-session-end": "POST only: ending a session",
    "academy:logo": "image: the report cover's logo",
    "vacancies:event-qr": "image: the check-in QR code",
    "health": "JSON: for load balancers",
    "participants:actions-overdue": "redirect: to the task list (an old address)",
    "participants:checks-due": "redirect: to the task list (an old address)",
    "mfa-verify": "redirect: home, the second step being done",
    "vacancies:event-board-signed-up": (
        "redirect: to the event, unless this browser has just signed up to it"
    ),
    "participants:enquiry-thanks": "redirect: to the form, unless one was just sent",
}
# Never opened in the browser: it would wait for a page that a download or a refused
# GET never gives.
NOT_OPENED = {
    name for name, why in NOT_PAGES.items() if why.startswith(("download", "POST"))
}


def _all_patterns() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every named URL pattern with its converters (Django's admin left out: it is
    Django's own, for platform staff)."""
    yield from _patterns()


def audience_of(name: str) -> Callable[[str], bool] | None:
    """Who opens `name` here: the roles its matrix row allows (platform staff: the
    rows no academy role may open), everyone signed in for one's own pages, the
    public for public ones."""
    if name in MATRIX:
        allowed, _kind, *method = MATRIX[name]
        if method == ["post"]:
            return lambda who: False
        if not allowed:
            return lambda who: who == "platform"
        return lambda who: who in allowed
    if name in OWN_RULE:
        return lambda who: who not in ("public", "platform")
    if name in SIGNED_IN_TOO:
        return lambda who: True
    if name in PUBLIC:
        return lambda who: who == "public"
    return None


class Pages:
    """The addresses of the pages one audience opens, built from the URL registry."""

    def __init__(self, who: str, side: Any, persona: Any) -> None:
        self.who = who
        self.side = side
        self.persona = persona
        self.unbuildable: list[str] = []

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for name, converters in _all_patterns():
            audience = audience_of(name)
            if audience is None:
                self.unbuildable.append(
                    f"{name} (in none of MATRIX, PUBLIC and OWN_RULE: "
                    "tests/test_permissions.py)"
                )
                continue
            if not audience(self.who):
                continue
            try:
                values = [self._values(name, key, c) for key, c in converters.items()]
            except LookupError as error:
                self.unbuildable.append(f"{name} <{error.args[0]}>")
                continue
            keys = list(converters)
            for combination in itertools.product(*values):
                yield (
                    name,
                    reverse(name, kwargs=dict(zip(keys, combination, strict=True))),
                )

    def _values(self, name: str, key: str, converter: Any) -> list[Any]:
        side = self.side
        if isinstance(converter, IntConverter):
            return [self._object(name).pk]
        if key == "academy_slug":
            return [side.academy.slug]
        if (name, key) == ("reporting:people", "metric"):
            return ["action_plan_people"]
        if (name, key) == ("academy:audit", "kind"):
            return ["changes", "sign-ins"]
        if (name, key) == ("academy:audit-export", "kind"):
            return ["changes"]
        if (name, key) == ("vacancies:booking-cancel", "cancel_token"):
            return [side.get("signup").cancel_token]
        if (name, key) == ("vacancies:event-check-in", "checkin_token"):
            return [side.get("event").checkin_token]
        if (name, key) == ("vacancies:event-feed-private", "token"):
            return ["feed-token"]  # a feed, never opened (NOT_PAGES)
        if (name, key) == ("message-opt-out", "token"):
            return [_opt_out_token(side)]
        if key in ("uidb64", "token") and name in TOKEN_LINKS:
            user = side.coordinator.user
            if key == "uidb64":
                return [urlsafe_base64_encode(force_bytes(user.pk))]
            # Django sends the link on to its set-password address: that page is
            # checked (the redirect stays within the pattern).
            return [TOKEN_LINKS[name]().make_token(user)]
        raise LookupError(key)

    def _object(self, name: str) -> Any:
        if name == "academy:invitation-answer":
            return self.persona.user.memberships.filter(accepted_at=None).first()
        if name == "account-session-end":
            return _own_session(self.persona.user)
        kind = url_kind(name)
        if kind is None:
            raise LookupError("pk")
        if kind == "export_run":  # one's own only: asked for by this persona
            run = type(self.side.get(kind)).objects.get(pk=self.side.get(kind).pk)
            run.pk = None  # a copy: the side's stays its coordinator's
            run.requested_by = self.persona.user
            run.save()
            return run
        return self.side.get(kind)


def _invitation_tokens() -> Any:
    from academy.invitations import invitation_token_generator

    return invitation_token_generator


# A person's one-off links: the token generator of each.
TOKEN_LINKS = {
    "password_reset_confirm": lambda: default_token_generator,
    "invitation-set-password": _invitation_tokens,
}


def _own_session(user: Any) -> Any:
    from academy.models import UserSession

    return UserSession.objects.create(
        user=user,
        session_key="othersessionkey0000000000000000",
        created_at=timezone.now(),
        last_seen_at=timezone.now(),
        user_agent="Firefox on Android",
    )


def _opt_out_token(side: Any) -> str:
    message = Message.objects.create(
        academy=side.academy,
        channel=Message.Channel.EMAIL,
        template="appointment_reminder",
        key="accessibility:opt-out",
        participant=side.get("participant"),
    )
    return opt_out_link(message.key).rsplit("/", 2)[-2]


def violations_of(axe: Axe, page: Any) -> list[str]:
    """axe-core's WCAG A/AA violations of the page, one line each."""
    results = axe.run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


@pytest.fixture
def world(request, academy, coordinator, provider, manager, admin, settings):
    """The home academy's records, one of each kind, as the probe builds them."""
    settings.REAUTH_SECONDS = 24 * 3600  # downloads and account pages: asked once
    settings.BULK_LIMIT = 100_000
    numbers = itertools.count(1)
    provider.organisation.name = "Tamar View Care Homes"
    provider.organisation.save()
    side = side_of(
        academy,
        mark=lambda label: f"{label.capitalize()} {next(numbers)}",
        organisation=provider.organisation,
        coordinator=coordinator,
    )
    for kind in ("referral", "event", "check", "funder_return", "task", "enquiry"):
        side.get(kind)
    return side


def _persona(request, who: str) -> Any:
    if who == "public":
        return None
    if who == "platform":
        membership = request.getfixturevalue("admin")
        membership.user.is_superuser = membership.user.is_staff = True
        membership.user.save()
        return membership
    return request.getfixturevalue(who)


@pytest.mark.parametrize("who", AUDIENCES)
def test_every_page_meets_wcag_22_aa(request, page, live_server, sign_in, world, who):
    persona = _persona(request, who)
    if persona is not None:
        # An invitation to another academy's team, for the invitations page.
        MembershipFactory(user=persona.user, accepted_at=None)
        sign_in(page, persona.user.email)
    axe = Axe()
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = Pages(who, world, persona)
    found: list[str] = []
    skipped: dict[str, str] = {}
    refused: list[str] = []
    checked = 0
    for name, path in pages:
        if name in NOT_OPENED:
            skipped[name] = NOT_PAGES[name]
            continue
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        try:
            response = page.goto(live_server.url + path)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                raise
            refused.append(f"{name} {path}: a download, not in NOT_PAGES")
            continue
        assert response is not None, path
        html = "text/html" in response.headers.get("content-type", "")
        redirected = response.request.redirected_from is not None and (
            view_name(page.url.removeprefix(live_server.url)) != name
        )
        if not html or redirected:
            assert name in NOT_PAGES, (
                f"{name} ({path}) is not an HTML page "
                f"({response.headers.get('content-type')}, redirected: {redirected}): "
                "say why in NOT_PAGES"
            )
            skipped[name] = NOT_PAGES[name]
            continue
        if response.status >= 400 and name not in NOT_PAGES:
            refused.append(f"{name} {path}: {response.status}")
            continue
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found += [f"{path} at {width}px: {v}" for v in violations_of(axe, page)]
        checked += 1
        if name in ("home", "accessibility", "vacancies:board"):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(
                    path=str(SHOTS / f"{who}-{name.replace(':', '-')}-{width}.png")
                )
    # What was left out, and why, shows with the test in the report (-rA).
    request.node.user_properties.append(("checked", checked))
    request.node.user_properties.append(("skipped", skipped))
    assert not pages.unbuildable, (
        f"cannot build these URL patterns: {pages.unbuildable}"
    )
    assert not refused, f"{who} could not check pages it may open: {refused}"
    assert checked >= (3 if who in ("public", "platform") else 10)
    assert not found, "\n".join(found)


@pytest.fixture
def admin_of_two(admin, other_academy):
    """An admin of two academies, as platform staff who created a second one are, with
    the demo's names (the longest the demo shows)."""
    admin.academy.name = "Demo Care Academy (Plymouth)"
    admin.academy.save()
    admin.user.first_name, admin.user.last_name = "Ada", "Lovell"
    admin.user.is_superuser = admin.user.is_staff = True
    admin.user.save()
    MembershipFactory(user=admin.user, academy=other_academy, role="admin")
    return admin


def _menu_rows(page) -> set[int]:
    """The distinct heights at which the navbar's top-level entries sit."""
    return set(
        page.locator(".portal-navbar .navbar-nav > .nav-item").evaluate_all(
            "items => items.filter(i => i.offsetParent)"
            ".map(i => Math.round(i.getBoundingClientRect().top))"
        )
    )


def test_admin_navbar_is_one_line_at_laptop_width(page, sign_in, admin_of_two):
    page.set_viewport_size({"width": 1366, "height": 800})
    sign_in(page, admin_of_two.user.email)
    assert len(_menu_rows(page)) == 1, "the navbar wraps onto a second line"
    # ...nor runs off the right of the screen (its entries do not wrap inside).
    right = page.locator(".portal-navbar .navbar-nav > .nav-item").evaluate_all(
        "items => Math.max(...items.filter(i => i.offsetParent)"
        ".map(i => i.getBoundingClientRect().right))"
    )
    assert right <= page.evaluate("document.documentElement.clientWidth")
    expect(page.get_by_role("button", name="Ada Lovell")).to_be_in_viewport(ratio=1)
    assert page.locator(".portal-navbar").bounding_box()["height"] < 70
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "navbar-admin-two-academies-1366.png"))


def test_every_menu_entry_is_reachable_on_a_phone(page, sign_in, admin_of_two):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, admin_of_two.user.email)
    page.get_by_role("button", name="Show menu").click()
    nav = page.get_by_role("navigation", name="Main")
    for section in ("Casework", "Jobs", "Events", "Impact", "Manage"):
        nav.get_by_role("button", name=section, exact=True).click()
        expect(nav.locator(".dropdown-menu.show a").first).to_be_visible()
    nav.get_by_role(
        "link", name="Labour market", exact=True
    ).scroll_into_view_if_needed()
    expect(nav.get_by_role("link", name="Labour market", exact=True)).to_be_visible()
    nav.get_by_role("button", name="Ada Lovell").click()
    expect(nav.get_by_role("button", name="Other Care Academy")).to_be_visible()
    expect(nav.get_by_role("link", name="Your sessions")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "navbar-admin-phone-390.png"), full_page=True)


def test_a_filter_refresh_is_announced_and_focus_stays_on_the_filter(
    page, live_server, sign_in, coordinator
):
    from tests.vacancies.factories import VacancyFactory

    VacancyFactory(academy=coordinator.academy, title="Care assistant (days)")
    VacancyFactory(academy=coordinator.academy, title="Night carer", status="closed")
    sign_in(page, coordinator.user.email)
    page.goto(live_server.url + reverse("vacancies:list"))
    expect(page.get_by_text("1 vacancy", exact=True)).to_be_visible()
    status = page.get_by_label("Status")
    status.focus()
    status.select_option(label="All")
    expect(page.locator("#portal-live")).to_have_text("2 vacancies")
    expect(status).to_be_focused()


def test_focus_moves_to_a_register_row_the_person_marked(
    page, live_server, sign_in, coordinator
):
    from tests.vacancies.factories import EventFactory, SignUpFactory
    from vacancies.models import SignUp

    now = timezone.now()
    event = EventFactory(
        academy=coordinator.academy,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=2),
    )
    SignUpFactory(
        event=event, first_name="Chen", last_name="Li", status=SignUp.Status.BOOKED
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, coordinator.user.email)
    page.goto(live_server.url + reverse("vacancies:event-register", args=[event.pk]))
    row = page.locator("li.portal-register-row").filter(has_text="Chen Li")
    row.get_by_role("button", name="Present").focus()
    page.keyboard.press("Enter")
    state = row.locator(".portal-register-state")
    expect(state).to_have_text(re.compile(r"^\s*Came"))
    expect(state).to_be_focused()
    expect(page.locator("#portal-live")).to_have_text(re.compile(r"^Came"))


def test_focus_moves_to_what_a_task_done_did(page, live_server, sign_in, coordinator):
    from tests.participants.factories import TaskFactory

    TaskFactory(
        participant__academy=coordinator.academy,
        participant__coordinator=coordinator.user,
        owner=coordinator.user,
        title="Ring about the DBS check",
    )
    sign_in(page, coordinator.user.email)
    page.goto(live_server.url + reverse("participants:task-list"))
    page.get_by_role("button", name=re.compile(r"^Done\b")).press("Enter")
    messages = page.locator(".portal-messages")
    expect(messages).to_contain_text("Ring about the DBS check")
    expect(messages).to_be_focused()
