"""The impact report's PDF a commissioner would forward (issue 14): a cover with the
academy's logo and name, the manager's narrative, each figure beside the previous
period and the year's target, sustainment as percentages with counts, tables that do
not split, page numbers and an appendix of definitions. Every page is rendered to PNG
(pdftoppm) into var/test-artifacts/impact-pdf/ for a person to look at."""

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from participants.models import Meeting, SustainmentCheck
from reporting.impact import EVENT_METRICS, METRICS, impact_report
from reporting.models import ImpactTarget
from reporting.presenters import ACTIVITY_DEFINITIONS, NO_PREVIOUS, impact_document
from reporting.selectors import period_before
from reporting.services import impact_pdf
from tests.conftest import service_missing
from tests.participants.factories import (
    MeetingFactory,
    OutcomeFactory,
    ParticipantCohortFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)
from tests.vacancies.factories import EventFactory, SignUpFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
YEAR_START, YEAR_END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
COHORTS = ["over_50", "refugee", "long_term_unemployed", "returner", "care_leaver"]
SOURCES = ["job_centre", "event", "campaign", "self", "partner_referral"]


def logo_png(size=(360, 120), colour="navy") -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", size, colour).save(picture, "PNG")
    return picture.getvalue()


def months_between(first: dt.date, count: int):
    for n in range(count):
        yield dt.date(
            first.year + (first.month - 1 + n) // 12, (first.month + n - 1) % 12 + 1, 1
        )


@pytest.fixture
def labour_market():
    """The shipped samples of the labour-market sources, for the area's context."""
    from academy.labour_market.refresh import labour_market_refresh
    from tests.academy.test_labour_market_adapters import (
        LG_INFORM,
        NOMIS,
        SFC_2021,
        SFC_2022,
    )

    for path, source in [
        (SFC_2021, "skills-for-care"),
        (SFC_2022, "skills-for-care"),
        (LG_INFORM, "lg-inform"),
        (NOMIS, "nomis-claimant-count"),
    ]:
        labour_market_refresh(source=source, data=path.read_bytes(), filename=path.name)


@pytest.fixture
def two_years(academy, labour_market):
    """Two financial years of an academy's work (April 2023 to March 2025), more in
    the second and varying by month; a logo; targets for 2024/25; the area's labour
    market; a few small counts to hide."""
    academy.launched_on = dt.date(2023, 4, 1)
    academy.region = "South West"
    academy.save()
    academy.logo.save("logo.png", ContentFile(logo_png()))
    n = 0
    for month in months_between(dt.date(2023, 4, 1), 24):
        second_year = month >= YEAR_START
        for i in range((7 if second_year else 4) + month.month % 4):
            n += 1
            day = month + dt.timedelta(days=i * 3)
            person = ParticipantFactory(
                academy=academy,
                is_claimant=n % 5 != 0,
                registered_on=day,
                source=SOURCES[n % len(SOURCES)],
            )
            ParticipantCohortFactory(participant=person, code=COHORTS[n % len(COHORTS)])
            SkillsActionPlanFactory(
                participant=person, agreed_on=day + dt.timedelta(days=5)
            )
            SupportFactory(participant=person, given_on=day + dt.timedelta(days=6))
            if n % 3 == 0:
                job = OutcomeFactory(
                    participant=person,
                    started_on=day + dt.timedelta(days=20),
                    sector="health_social_care" if n % 2 else "other",
                )
                SustainmentCheck.objects.create(
                    outcome=job,
                    weeks=13,
                    due_on=job.started_on + dt.timedelta(weeks=13),
                    status=SustainmentCheck.Status.DONE,
                    is_in_work=n % 4 != 0,
                )
            if n % 11 == 0:
                OutcomeFactory(
                    participant=person,
                    kind="training",
                    sector="",
                    started_on=day + dt.timedelta(days=9),
                )
            if n % 2 == 0:
                MeetingFactory(
                    participant=person,
                    kind=Meeting.Kind.JOB_CENTRE,
                    held_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
                )
    for month in (dt.date(2024, 5, 14), dt.date(2024, 10, 8)):
        event = EventFactory(
            academy=academy,
            starts_at=dt.datetime.combine(month, dt.time(10), tzinfo=dt.UTC),
            ends_at=dt.datetime.combine(month, dt.time(12), tzinfo=dt.UTC),
        )
        for _ in range(9):
            SignUpFactory(event=event)
    for key, value in {
        "action_plan_people": 100,
        "employment_health_social_care": 20,
        "support_people": 90,
    }.items():
        ImpactTarget.objects.create(academy=academy, metric=key, year=2024, value=value)
    return academy


def pdf_pages(pdf: bytes, name: str) -> tuple[PdfReader, list[Path]]:
    """The PDF read, and each of its pages as a PNG saved for a person to look at."""
    if not shutil.which("pdftoppm"):
        service_missing("pdftoppm (Debian's poppler-utils) to render the PDF to PNG")
    folder = ARTIFACTS / "impact-pdf"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{name}-*.png"):
        old.unlink()
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [shutil.which("pdftoppm"), "-png", "-r", "50", str(path), str(folder / name)],
        check=True,
    )
    pages = sorted(folder.glob(f"{name}-*.png"))
    print(f"\nThe pages of {name}: {folder}")  # noqa: T201 - where to look
    return PdfReader(io.BytesIO(pdf)), pages


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


@pytest.mark.django_db
def test_the_years_pdf_page_by_page(two_years):
    report = impact_report(academy=two_years, start=YEAR_START, end=YEAR_END)
    narrative = (
        "A year of growth: we opened a second hub in Devonport.\n\n"
        "Most of our starts were in home care.\nEmployers came to every event."
    )
    reader, pngs = pdf_pages(
        impact_pdf(report, publish=True, narrative=narrative), "year-for-publication"
    )
    texts = page_texts(reader)
    assert 5 <= len(reader.pages) <= 14, len(reader.pages)
    assert len(pngs) == len(reader.pages)

    cover = texts[0]
    assert cover.strip().startswith("For publication")
    assert "Home Care Academy" in cover
    assert "Impact report" in cover
    assert "1 April 2024 to 31 March 2025" in cover
    assert reader.pages[0].images, "the logo is on the cover"
    assert "Page" not in cover

    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {len(texts)}" in text
        assert "Home Care Academy · impact report" in text
        assert "For publication" in text  # each page says what it is

    body = "\n".join(texts)
    assert "A year of growth: we opened a second hub in Devonport." in texts[1]
    assert "Most of our starts were in home care." in body
    # The previous year beside this one, and the year's targets.
    assert one_line("The previous period is 1 April 2023 to 31 March 2024.") in (
        one_line(body)
    )
    assert "Target for 2024/25" in body
    plans = report.value("action_plan_people")
    assert f"{plans} of 100 target, {round(100 * plans / 100)}%" in body
    assert "No target" in body
    # Sustainment as counts with the percentage.
    checked = re.search(
        r"(\d+) of (\d+) checked were in work at 13 weeks \((\d+)%\)", body
    )
    assert checked, body
    in_work, of, share = map(int, checked.groups())
    assert share == round(100 * in_work / of)

    # The labour-market table is on one page, whole.
    context = [t for t in texts if "Labour-market context" in t]
    assert len(context) == 1
    assert "Claimant count" in context[0]
    assert "Nomis" in context[0]  # its source, under it

    appendix = body[body.index("Appendix: definitions") :]
    for metric in (*METRICS, *EVENT_METRICS):
        assert one_line(metric.definition) in one_line(appendix), metric.key
    for text in ACTIVITY_DEFINITIONS.values():
        assert one_line(text) in one_line(appendix)
    assert "In work at 13 weeks" in appendix
    assert "Small numbers" in appendix


def one_line(text: str) -> str:
    """Text as extracted from a PDF page, its line breaks and hyphenation ignored."""
    return re.sub(r"\s+", "", text)


@pytest.mark.django_db
def test_the_internal_pdf_since_launch_has_no_previous_period(two_years):
    report = impact_report(academy=two_years, start=two_years.launched_on, end=YEAR_END)
    reader, _ = pdf_pages(impact_pdf(report, publish=False), "since-launch-internal")
    texts = page_texts(reader)
    assert texts[0].strip().startswith("Internal — not for publication")
    body = "\n".join(texts)
    assert "there is no previous period" in body
    assert "Small numbers" not in body
    # No narrative written: no section for it.
    assert "About this period" not in body
    # 24 months: the month table runs over a page break, its header on each page
    # and no row cut.
    row = re.compile(r"^[A-Z][a-z]+ 20\d\d( \d+){6}\s*$", re.M)
    month_pages = [t for t in texts if row.search(t)]
    assert len(month_pages) >= 2
    assert sum(len(row.findall(t)) for t in month_pages) == 24
    for text in month_pages:
        assert "volunteering Registered" in text  # the header row


@pytest.mark.django_db
def test_a_missing_logo_file_does_not_stop_the_pdf(two_years):
    two_years.logo.storage.delete(two_years.logo.name)
    report = impact_report(academy=two_years, start=YEAR_START, end=YEAR_END)
    reader = PdfReader(io.BytesIO(impact_pdf(report, publish=False)))
    assert "Home Care Academy" in reader.pages[0].extract_text()
    assert not reader.pages[0].images


@pytest.mark.django_db
def test_without_a_logo_the_cover_shows_the_name(academy):
    report = impact_report(academy=academy, start=YEAR_START, end=YEAR_END)
    document = impact_document(report, publish=False)
    assert document.logo == ""
    reader = PdfReader(io.BytesIO(impact_pdf(report, publish=False)))
    assert "Home Care Academy" in reader.pages[0].extract_text()
    assert not reader.pages[0].images


@pytest.mark.django_db
def test_the_pdf_fetches_nothing_but_its_own_pictures(academy):
    """Only data: URIs are read: any other address is refused, never fetched."""
    from academy.pdf import RemoteFetchRefused, _fetcher

    fetcher = _fetcher()
    for url in ("http://example.com/x.png", "file:///etc/passwd", "/media/x.png"):
        with pytest.raises(RemoteFetchRefused):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


# Previous period, change and target.


@pytest.mark.parametrize(
    ("start", "end", "before"),
    [
        # A quarter: the quarter before.
        ("2024-04-01", "2024-06-30", ("2024-01-01", "2024-03-31")),
        # A financial year: the year before.
        ("2024-04-01", "2025-03-31", ("2023-04-01", "2024-03-31")),
        # A month so far: the same days of the month before.
        ("2024-11-01", "2024-11-15", ("2024-10-01", "2024-10-15")),
        ("2024-03-01", "2024-03-31", ("2024-02-01", "2024-02-29")),
        # Any two dates: as many days just before.
        ("2024-04-10", "2024-04-19", ("2024-03-31", "2024-04-09")),
        # Since launch: none.
        ("2023-04-01", "2024-06-30", None),
        ("2023-01-01", "2024-06-30", None),
    ],
)
def test_the_previous_period_is_as_long_just_before(academy_built, start, end, before):
    period = period_before(
        academy=academy_built,
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end),
    )
    if before is None:
        assert period is None
    else:
        assert (period.start.isoformat(), period.end.isoformat()) == before


@pytest.fixture
def academy_built():
    from tests.academy.factories import AcademyFactory

    return AcademyFactory.build(launched_on=dt.date(2023, 4, 1))


@pytest.mark.django_db
def test_each_figure_beside_the_previous_period_and_the_target(academy):
    academy.launched_on = dt.date(2023, 4, 1)
    academy.save()
    for day in [dt.date(2024, 2, 1)] * 8 + [dt.date(2024, 5, 1)] * 10:
        SkillsActionPlanFactory(participant__academy=academy, agreed_on=day)
    ImpactTarget.objects.create(
        academy=academy, metric="action_plan_people", year=2024, value=40
    )
    ImpactTarget.objects.create(  # another year's target is not this one's
        academy=academy, metric="support_people", year=2023, value=40
    )
    report = impact_report(
        academy=academy, start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30)
    )
    figures = {
        row.metric.key: row for row in impact_document(report, publish=False).figures
    }
    plans = figures["action_plan_people"]
    assert (plans.value, plans.previous, plans.change) == (10, 8, "+2 (+25%)")
    assert plans.progress == "10 of 40 target, 25%"
    support = figures["support_people"]
    assert (support.value, support.previous, support.change) == (0, 0, "No change")
    assert support.progress == ""


@pytest.mark.django_db
def test_published_a_hidden_count_gives_no_change_or_percentage(academy):
    """The previous period goes through the publication rules too, and a change or a
    percentage of a hidden count is not given (it would give the count away)."""
    academy.launched_on = dt.date(2023, 4, 1)
    academy.save()
    for day in [dt.date(2024, 2, 1)] * 3 + [dt.date(2024, 5, 1)] * 10:
        SkillsActionPlanFactory(
            participant__academy=academy, agreed_on=day, participant__is_claimant=True
        )
    OutcomeFactory(participant__academy=academy, started_on=dt.date(2024, 5, 2))
    ImpactTarget.objects.create(
        academy=academy, metric="employment_health_social_care", year=2024, value=10
    )
    report = impact_report(
        academy=academy, start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30)
    )
    figures = {
        row.metric.key: row for row in impact_document(report, publish=True).figures
    }
    plans = figures["action_plan_people"]
    assert (plans.value, plans.previous, plans.change) == (10, "<5", NO_PREVIOUS)
    jobs = figures["employment_health_social_care"]
    assert jobs.value == "<5"
    assert jobs.progress == "<5 of 10 target"
    internal = {
        row.metric.key: row for row in impact_document(report, publish=False).figures
    }
    assert internal["action_plan_people"].change == "+7 (+233%)"
    assert internal["employment_health_social_care"].progress == "1 of 10 target, 10%"


@pytest.mark.django_db
def test_sustainment_reads_as_counts_and_percentages(academy):
    from reporting.presenters import SustainmentLine

    assert SustainmentLine(13, 50, 38).sentence == (
        "38 of 50 checked were in work at 13 weeks (76%)"
    )
    assert SustainmentLine(26, 12, "<5").sentence == (
        "<5 of 12 checked were in work at 26 weeks"
    )
    assert SustainmentLine(26, 0, 0).sentence == (
        "No job start in the period has had its 26-week check."
    )


@pytest.mark.django_db
def test_every_activity_figure_has_a_definition(academy):
    report = impact_report(academy=academy, start=YEAR_START, end=YEAR_END)
    document = impact_document(report, publish=False)
    terms = {d.term for group in document.definitions for d in group.items}
    assert {"Meetings held", *report.activity.extra} <= terms
    assert {m.label for m in (*METRICS, *EVENT_METRICS)} <= terms
    assert document.publication_rules == ""
    assert impact_document(report, publish=True).publication_rules


def test_the_narrative_keeps_its_paragraphs_and_is_never_html():
    from reporting.presenters import narrative_paragraphs

    assert narrative_paragraphs("One.\r\nStill one.\r\n\r\n\r\nTwo.  \n") == [
        "One.\nStill one.",
        "Two.",
    ]
    assert narrative_paragraphs("   ") == []


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_academys_pdf_page_by_page(tmp_path, settings):
    """The demo academy's data (Caring Plymouth's figures), since launch and for
    publication: every page saved as PNG to be looked at."""
    from io import StringIO

    from django.core.management import call_command

    from academy.models import Academy

    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    academy = Academy.objects.get()
    academy.logo.save("logo.png", ContentFile(logo_png((600, 200), "teal")))
    ImpactTarget.objects.create(
        academy=academy, metric="action_plan_people", year=2023, value=700
    )
    end = dt.date(2024, 3, 31)
    report = impact_report(academy=academy, start=dt.date(2023, 11, 1), end=end)
    reader, pngs = pdf_pages(
        impact_pdf(report, publish=True, narrative="Caring Plymouth's first months."),
        "demo-for-publication",
    )
    texts = page_texts(reader)
    assert 5 <= len(texts) <= 14
    assert len(pngs) == len(texts)
    assert texts[0].strip().startswith("For publication")
    assert reader.pages[0].images
    body = "\n".join(texts)
    assert "653 of 700 target, 93%" in body  # Caring Plymouth's 653 plans
    assert "no previous period" in body  # the period starts at launch
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {len(texts)}" in text

    since_launch = impact_report(
        academy=academy, start=academy.launched_on, end=dt.date(2026, 11, 30)
    )
    reader, _ = pdf_pages(impact_pdf(since_launch, publish=False), "demo-since-launch")
    assert "Appendix: definitions" in "\n".join(page_texts(reader))
