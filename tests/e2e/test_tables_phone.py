"""Tables on a phone (issue 15, seen 1: "the Record and Done buttons of the
sustainment-checks and overdue-actions tables are cut off at the right edge").

Each role's list and table pages, with the demo academy's data, at 390 px: the page
never scrolls sideways, every link and button of a table (and of the task lists that
replaced the checks-due and overdue-actions tables) lies inside the screen, and a
`table-cards` table shows each row as a card whose cells are labelled with their
column's header; at 1366 px it is an ordinary table. Chromium's own accessibility tree
still has a table, rows and cells in card form. Screenshots in /tmp/shots/tables/."""

import json
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from academy.models import Academy, Membership, RefreshRun
from participants.models import ConsentRecord, ImportRun, SustainmentCheck
from reporting.models import FunderReturn
from vacancies.models import ReferralEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir()) / "shots" / "tables"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}

# What a table must show for its links and buttons to count as reachable: every one
# inside the phone's screen, not past its right edge (nor hidden in a sideways scroll).
OUT_OF_SCREEN = """(width) => {
    const out = [];
    for (const el of document.querySelectorAll(
        "table a, table button, .task-actions a, .task-actions button"
    )) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;  // hidden at this size
        if (box.left < 0 || box.right > width + 0.5) {
            out.push(`${el.textContent.trim().slice(0, 40)}: ${box.left}-${box.right}`);
        }
    }
    return out;
}"""

# Every cell of a table inside the screen, except in a table kept as a grid because its
# rows are compared across (a cross-tab): that one scrolls sideways in a labelled region
# a keyboard can scroll (role="region", tabindex="0").
CELLS_OFF_SCREEN = """(width) => {
    const out = [];
    for (const table of document.querySelectorAll("table")) {
        if (table.closest('[role="region"][tabindex="0"]')) continue;
        // A card table's header row is out of sight by design (checked below).
        const cells = table.classList.contains("table-cards")
            ? table.querySelectorAll("tbody td, tbody th")
            : table.querySelectorAll("td, th");
        for (const cell of cells) {
            const box = cell.getBoundingClientRect();
            if (box.width === 0 && box.height === 0) continue;
            if (box.right > width + 0.5) {
                const name = table.caption?.textContent.trim().slice(0, 40);
                out.push(`${name}: ${cell.textContent.trim().slice(0, 30)}`);
                break;
            }
        }
    }
    return out;
}"""

# Each card-table cell with a label must show it before its content, and the column
# headers must be out of sight (still there for screen readers).
CARD_LABELS = """() => {
    const wrong = [];
    for (const table of document.querySelectorAll("table.table-cards")) {
        const head = table.tHead;
        if (head && head.getBoundingClientRect().height > 1) {
            wrong.push(`header row shown: ${table.caption?.textContent.trim()}`);
        }
        for (const cell of table.querySelectorAll("td[data-label]")) {
            if (cell.getBoundingClientRect().height === 0) continue;
            const before = getComputedStyle(cell, "::before").content;
            if (!before.includes(cell.dataset.label)) {
                wrong.push(`${cell.dataset.label}: ${before}`);
            }
        }
    }
    return wrong;
}"""


@pytest.fixture
def demo(tmp_path, settings):
    """The demo academy (`manage.py seed_demo`) and its logins."""
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    logins = json.loads((tmp_path / "demo-logins.json").read_text())
    return Academy.objects.get(slug="demo"), {login["role"]: login for login in logins}


def _pages(role, academy):
    """The pages of one role that show tables or lists of rows."""
    check = SustainmentCheck.objects.filter(
        outcome__participant__academy=academy
    ).first()
    consent = ConsentRecord.objects.filter(participant__academy=academy).first()
    moved = ReferralEvent.objects.filter(referral__participant__academy=academy).first()
    funder_return = FunderReturn.objects.filter(academy=academy).first()
    coordinator = Membership.objects.get(academy=academy, role="coordinator").user
    if role == "coordinator":
        rejected = ImportRun.objects.create(
            academy=academy,
            kind="support",
            file="imports/x.csv",
            original_name="support-records-from-the-job-centre-november.csv",
            status=ImportRun.Status.REJECTED,
            problems=[
                "row 2: first_name: This field is required.",
                f"row 3: postcode: {'PL1 ' * 30}is not a UK postcode.",
            ],
            created_by=coordinator,
        )
        return [
            ("import-problems", f"/participants/import/{rejected.pk}/"),
            ("home", "/"),
            ("people", "/participants/"),
            ("tasks", "/tasks/"),
            ("person-checks", f"/participants/{check.outcome.participant_id}/"),
            ("consent", f"/participants/{consent.participant_id}/consent/"),
            ("imports", "/participants/import/"),
            ("import-format", "/participants/import/format/"),
            ("vacancies", "/vacancies/"),
            ("training", "/training/"),
            ("referrals", "/referrals/"),
            ("referral", f"/referrals/{moved.referral_id}/"),
            ("events", "/events/"),
            ("sessions", "/accounts/sessions/"),
        ]
    if role == "provider":
        return [
            ("home", "/"),
            ("vacancies", "/vacancies/"),
            ("training", "/training/"),
            ("referrals", "/referrals/"),
            ("events", "/events/"),
        ]
    if role == "manager":
        return [
            ("home", "/"),
            ("impact", "/reports/impact/?period=since_launch"),
            (
                "impact-people",
                "/reports/impact/people/support_people/?period=since_launch",
            ),
            ("funder-return", f"/reports/funders/{funder_return.pk}/"),
            ("labour-market", "/labour-market/"),
        ]
    refresh = RefreshRun.objects.create(
        academy=academy,
        source=RefreshRun.Source.SKILLS_FOR_CARE,
        action=RefreshRun.Action.PREVIEW,
        status=RefreshRun.Status.DONE,
        filename="https://example.org/" + "workforce-estimates-" * 4 + ".xlsx",
        checksum="ab" * 32,
        new_count=12345,
        changed_count=2,
        rejected_count=1,
        rejected=[{"row": 7, "reason": "No area code: the row is left out."}],
        summary={
            "rows": 20,
            "changes": [
                {
                    "area": "Plymouth",
                    "period": "2024/25",
                    "measure": "Turnover rate",
                    "breakdown": "Domiciliary care services",
                    "old": "0.31",
                    "new": "0.29",
                }
            ],
        },
        created_by=coordinator,
    )
    return [
        ("home", "/"),
        ("lmi-run", f"/labour-market/runs/{refresh.pk}/"),
        ("members", "/manage/members/"),
        ("organisations", "/manage/organisations/"),
        ("audit-access", "/manage/audit/"),
        ("audit-changes", "/manage/audit/changes/"),
        ("audit-sign-ins", "/manage/audit/sign-ins/"),
        ("lmi-runs", "/labour-market/runs/"),
        ("academies", "/platform/academies/"),
        ("platform-runs", "/platform/runs/"),
    ]


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("role", ["coordinator", "provider", "manager", "admin"])
def test_each_roles_tables_fit_a_phone_with_every_action_on_screen(
    page, live_server, sign_in, demo, role
):
    academy, logins = demo
    sign_in(page, logins[role]["email"], logins[role]["password"])
    problems = {}
    for name, path in _pages(role, academy):
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}{path}")
        assert page.locator("main").count() == 1, (name, page.url)
        _shot(page, f"{role}-{name}-390")
        width = page.evaluate("document.documentElement.scrollWidth")
        out = page.evaluate(OUT_OF_SCREEN, PHONE["width"])
        cut = page.evaluate(CELLS_OFF_SCREEN, PHONE["width"])
        labels = page.evaluate(CARD_LABELS)
        if width > PHONE["width"] or out or cut or labels:
            problems[name] = {
                "scroll width": width,
                "actions off screen": out,
                "cells off screen": cut,
                "labels": labels,
            }
        page.set_viewport_size(LAPTOP)
        _shot(page, f"{role}-{name}-1366")
        for head in page.locator("table.table-cards thead").all():
            if head.locator("th").count():
                assert head.bounding_box()["height"] > 10, (name, "no header row")
    assert not problems, problems


def test_the_home_tasks_record_and_done_buttons_are_on_a_phones_screen(
    page, live_server, sign_in, demo
):
    """Seen 1 itself: the checks due and overdue actions are now the coordinator's
    tasks; each Record the check and Done button is inside the screen and can be
    pressed (the check's page opens)."""
    _, logins = demo
    page.set_viewport_size(PHONE)
    sign_in(page, logins["coordinator"]["email"], logins["coordinator"]["password"])
    record = page.get_by_role("link", name="Record the check").first
    done = page.get_by_role("button", name="Done").first
    for button in (record, done):
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
    _shot(page, "home-tasks-390")
    record.click()
    page.wait_for_load_state()
    assert "/checks/" in page.url


def _ax_roles(page, selector):
    """The role Chromium's own accessibility tree gives the element `selector` finds,
    and the roles of everything inside it."""
    cdp = page.context.new_cdp_session(page)
    root_id = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node_id = cdp.send("DOM.querySelector", {"nodeId": root_id, "selector": selector})[
        "nodeId"
    ]
    backend = cdp.send("DOM.describeNode", {"nodeId": node_id})["node"]["backendNodeId"]
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    by_id = {n["nodeId"]: n for n in nodes}
    root = next(n for n in nodes if n.get("backendDOMNodeId") == backend)
    roles, stack = [], list(root.get("childIds", []))
    while stack:
        n = by_id.get(stack.pop())
        if n is not None:
            roles.append(n["role"]["value"])
            stack.extend(n.get("childIds", []))
    cdp.detach()
    return root["role"]["value"], roles


def test_a_card_table_is_still_a_table_to_a_screen_reader_and_a_grid_on_a_laptop(
    page, live_server, sign_in, demo
):
    _, logins = demo
    sign_in(page, logins["admin"]["email"], logins["admin"]["password"])
    axe = Axe()
    for size, name in ((PHONE, "390"), (LAPTOP, "1366")):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/manage/members/")
        _shot(page, f"members-{name}")
        assert page.locator("table.table-cards").count() == 1
        table_role, roles = _ax_roles(page, "table.table-cards")
        assert table_role == "table", name
        assert roles.count("row") >= 5, name  # the header row and four members
        assert roles.count("columnheader") == 6, name
        assert roles.count("cell") >= 4 * 5, name  # an organisation only for one
        found = axe.run(
            page,
            context="table.table-cards",
            options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}},
        ).response["violations"]
        assert not found, [v["id"] for v in found]
        head = page.locator("table.table-cards thead")
        rows = page.locator("table.table-cards tbody tr").all()
        if size is PHONE:
            assert head.bounding_box()["height"] <= 1
            # Cards: one under another, each as wide as the screen allows.
            a, b = rows[0].bounding_box(), rows[1].bounding_box()
            assert b["y"] >= a["y"] + a["height"] - 1
            assert a["x"] >= 0
            assert a["x"] + a["width"] <= PHONE["width"]
        else:
            assert head.bounding_box()["height"] > 10
            cells = rows[0].locator("td").all()
            assert len({round(c.bounding_box()["y"]) for c in cells}) == 1


def test_a_session_is_ended_from_its_card_on_a_phone(page, live_server, sign_in, demo):
    """A card's action (the sessions page's End button) spans the card and works."""
    _, logins = demo
    email, password = logins["coordinator"]["email"], logins["coordinator"]["password"]
    sign_in(page, email, password)
    other = page.context.browser.new_context()
    sign_in(other.new_page(), email, password)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/sessions/")
    end = page.locator(".table-cards-actions button", has_text="End")
    assert end.count() == 1
    card = page.locator("table.table-cards tbody tr").filter(has=end)
    box = end.bounding_box()
    card = card.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    assert box["width"] >= card["width"] - 2 * 16  # the card's width, less padding
    _shot(page, "sessions-390")
    end.click()
    page.wait_for_load_state()
    assert page.locator("table.table-cards .table-cards-actions button").count() == 1
    other.close()
