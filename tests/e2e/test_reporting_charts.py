"""The impact dashboard's charts, cohort table and period box in a browser, on a phone
(390 px) and a laptop (1366 px); and the labour-market charts on a phone (issue 14,
seen 4 and 5). Screenshots go to var/screenshots/ to be looked at."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_lmi import samples  # noqa: F401 - the fixture, loaded
from tests.participants.factories import (
    OutcomeFactory,
    ParticipantCohortFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
LAUNCHED = dt.date(2023, 11, 1)  # three years and a month before the clock's today

# Every visible text of every chart: its words, its size as drawn (font size times
# the scale the SVG is drawn at), and its box.
CHART_TEXT = """() => Array.from(document.querySelectorAll("svg.chart text"))
  .filter((t) => t.getBoundingClientRect().width > 0)
  .map((t) => {
    const m = t.getScreenCTM();
    const box = t.getBoundingClientRect();
    return {
      text: t.textContent,
      label: t.classList.contains("chart-label"),
      year: t.classList.contains("chart-year-name"),
      chart: t.closest("svg.chart").getAttribute("aria-label"),
      size: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
      left: box.left, right: box.right,
    };
  })"""


@pytest.fixture
def since_launch(manager):
    """People with plans in most months since launch, a few each: some months have
    1 to 4, shown <5 for publication."""
    academy = manager.academy
    academy.launched_on = LAUNCHED
    academy.save()
    day = LAUNCHED
    for n in range(36):
        for k in range(1 + n % 6):
            plan = SkillsActionPlanFactory(
                participant__academy=academy,
                participant__is_claimant=k % 2 == 0,
                agreed_on=day.replace(day=3 + k),
            )
            ParticipantCohortFactory(
                participant=plan.participant,
                code=("over_50", "refugee", "returner", "neet")[(n + k) % 4],
            )
            if k < 2:
                SupportFactory(participant=plan.participant, given_on=day)
            if k == 0 and n % 3 == 0:
                OutcomeFactory(participant=plan.participant, started_on=day)
        day = (day + dt.timedelta(days=32)).replace(day=1)


def check_charts(page, *, width: int) -> list[dict]:
    """Every chart text is at least 12 px as drawn, and no two labels of a chart
    overlap; the page is no wider than the screen."""
    texts = page.evaluate(CHART_TEXT)
    assert texts
    small = [t for t in texts if t["size"] < 11.99]
    assert not small, small
    for kind in ("label", "year"):
        for chart in {t["chart"] for t in texts}:
            row = sorted(
                (t for t in texts if t[kind] and t["chart"] == chart),
                key=lambda t: t["left"],
            )
            for before, after in itertools.pairwise(row):
                assert before["right"] <= after["left"], (before, after)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    return texts


def month_labels(texts: list[dict]) -> list[str]:
    return [t["text"] for t in texts if t["label"] and t["chart"] == "People by month"]


def test_on_a_phone_the_charts_read_and_the_cohort_table_scrolls_under_its_names(
    page, live_server, sign_in, screenshot, manager, since_launch
):
    page.set_viewport_size(PHONE)
    sign_in(page, manager.user.email)
    page.goto(f"{live_server.url}/reports/impact/")

    # Seen: the box said "This month" while the page showed since launch.
    expect(
        page.get_by_role("heading", name="Since launch (November 2023)")
    ).to_be_visible()
    expect(page.get_by_label("Period", exact=True)).to_have_value("since_launch")
    expect(page.get_by_label("From", exact=True)).to_be_hidden()
    page.get_by_label("Period", exact=True).select_option("custom")
    expect(page.get_by_label("From", exact=True)).to_have_value("2023-11-01")
    page.get_by_label("Period", exact=True).select_option("since_launch")
    expect(page.get_by_label("To", exact=True)).to_be_hidden()

    texts = check_charts(page, width=PHONE["width"])
    months = [
        t["text"] for t in texts if t["label"] and t["chart"] == "People by month"
    ]
    assert 3 <= len(months) <= 8, months
    assert months[0] == "Nov2023"
    years = {t["text"] for t in texts if t["year"]}
    assert {"2024", "2025", "2026"} <= years

    table = page.locator(".table-sticky-first")
    first = table.get_by_role("rowheader", name="Aged over 50")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    before = first.bounding_box()
    table.screenshot(path=str(SCREENSHOTS / "impact-cohorts-phone.png"))
    table.evaluate("t => { t.scrollLeft = 400; }")
    after = first.bounding_box()
    assert table.evaluate("t => t.scrollLeft") > 0
    assert abs(after["x"] - before["x"]) < 1  # the cohort's name stays in view
    assert before["height"] < 70  # wraps to two or three lines at most
    screenshot(page, "impact-charts-phone")

    page.get_by_label("For publication").check()
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_text("For publication: counts of 1 to 4")).to_be_visible()
    check_charts(page, width=PHONE["width"])
    screenshot(page, "impact-charts-phone-publication")


def test_on_a_laptop_every_year_is_marked_and_more_months_named(
    page, live_server, sign_in, screenshot, manager, since_launch
):
    page.set_viewport_size(LAPTOP)
    sign_in(page, manager.user.email)
    page.goto(f"{live_server.url}/reports/impact/?period=since_launch&publish=on")

    texts = check_charts(page, width=LAPTOP["width"])
    months = [
        t["text"] for t in texts if t["label"] and t["chart"] == "People by month"
    ]
    assert 3 <= len(months) <= 12, months
    today = timezone.localdate()
    assert months[-1] == today.strftime("%b%Y")  # this month, labelled with its year
    years = {t["text"] for t in texts if t["year"]}
    assert {str(year) for year in range(2024, today.year + 1)} <= years
    screenshot(page, "impact-charts-laptop")

    page.goto(f"{live_server.url}/reports/impact/?period=last_quarter")
    check_charts(page, width=LAPTOP["width"])
    expect(page.get_by_label("Period", exact=True)).to_have_value("last_quarter")
    screenshot(page, "impact-charts-laptop-quarter")


def test_the_labour_market_charts_read_on_a_phone(
    page,
    live_server,
    sign_in,
    screenshot,
    other_coordinator,
    samples,  # noqa: F811
):
    page.set_viewport_size(PHONE)
    sign_in(page, other_coordinator.user.email)
    page.goto(f"{live_server.url}/labour-market/")

    expect(
        page.get_by_role("heading", name="Labour market in North Tyneside")
    ).to_be_visible()
    screenshot(page, "lmi-charts-phone")
    charts = page.locator(".chart-frame")
    charts.first.screenshot(path=str(SCREENSHOTS / "lmi-chart-phone.png"))
    texts = check_charts(page, width=PHONE["width"])
    assert any(t["text"] == "2022/23" for t in texts)
