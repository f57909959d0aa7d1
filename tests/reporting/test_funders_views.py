"""A funder return on screen and as the funder's files: the figures, the workbook and
CSV read back cell by cell, internal and for publication, the version they used, and
the exceptions to fix as each role may see them."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from reporting.disclosure import SUPPRESSED, WITHHELD
from reporting.funders.services import funder_returns_install, indicator_save
from reporting.models import FunderReturn
from tests.participants.factories import (
    ParticipantFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)
from tests.reporting.test_funders_build import YEAR, Person, write
from tests.reporting.test_funders_build import areas as areas  # a fixture

QUERY = {"year": str(YEAR)}


@pytest.fixture
def ukspf(academy):
    funder_returns_install(academy)
    return FunderReturn.objects.get(academy=academy, code="ukspf-people-skills")


@pytest.fixture
def people(academy, areas):
    """58 people supported in Plymouth and 3 in South Hams, in Q1; and two people
    counted without all their start evidence."""
    write(
        academy,
        [
            Person(
                f"PLY-{i:02d}",
                "PL1 1AA",
                dt.date(2024, 1, 5),
                supports=[("careers", dt.date(2024, 5, 1))],
            )
            for i in range(58)
        ]
        + [
            Person(
                f"SH-{i}",
                "TQ9 5AA",
                dt.date(2024, 1, 5),
                supports=[("employability", dt.date(2024, 5, 1))],
            )
            for i in range(3)
        ],
    )
    no_status = ParticipantFactory(
        academy=academy,
        reference="LACKS-1",
        first_name="Zebedee",
        last_name="Quistlacking",
        status_at_entry="",
        postcode="PL2 2BB",
    )
    SupportFactory(participant=no_status, kind="careers", given_on=dt.date(2024, 8, 1))
    unchecked = ParticipantFactory(
        academy=academy,
        reference="LACKS-2",
        first_name="Philomena",
        last_name="Undocumented",
        status_at_entry="inactive",
        date_of_birth=None,
        right_to_work=Participant.RightToWork.YES,
    )
    SkillsActionPlanFactory(participant=unchecked, agreed_on=dt.date(2024, 9, 1))
    # Counted in no indicator of the year: not an exception of this return.
    ParticipantFactory(academy=academy, reference="ELSEWHERE", status_at_entry="")


def download(client, name, funder_return, **query):
    response = client.get(reverse(name, args=[funder_return.pk]), {**QUERY, **query})
    assert response.status_code == 200, response
    return response


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


@pytest.mark.django_db
def test_a_manager_sees_the_figures_by_area_and_quarter(
    client_of, manager, ukspf, people
):
    page = client_of(manager).get(
        reverse("reporting:funder-return", args=[ukspf.pk]), QUERY
    )
    assert page.status_code == 200
    built = page.context["built"]
    jobsearch = next(f for f in built.indicators if f.indicator.code == "PS-OUT-01")
    by_area = {r.geography.name: r.values for r in jobsearch.rows}
    assert by_area["Total"] == (61, 1, 0, 0, 62)
    assert by_area["Plymouth"] == (58, 1, 0, 0, 59)
    assert by_area["South Hams"] == (3, 0, 0, 0, 3)
    assert by_area["Plymouth Sutton and Devonport"] == (61, 0, 0, 0, 61)
    html = page.content.decode()
    assert "Number of people supported to engage in job-searching" in html
    assert "Peverell" in html
    assert "Westminster constituencies" in html


@pytest.mark.django_db
def test_the_workbook_is_laid_out_for_the_funder(client_of, manager, ukspf, people):
    response = download(client_of(manager), "reporting:funder-return-xlsx", ukspf)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="ukspf-people-skills-{ukspf.academy.slug}-2024-25-v1-'
        'internal.xlsx"'
    )
    book = workbook(response)
    assert book.sheetnames == ["Cover", "Figures", "Definitions"]
    cover = book["Cover"]
    assert cover["A1"].value.startswith("# Internal")
    facts = {row[0]: row[1] for row in cover.iter_rows(min_row=3, values_only=True)}
    assert facts["Return"] == "UKSPF People and Skills"
    assert facts["Version"] == "version 1"
    assert facts["Financial year"].startswith("2024/25")
    figures = book["Figures"]
    header = [c.value for c in figures[1]]
    assert header[:7] == [
        "Code",
        "Title",
        "Definition",
        "Unit",
        "Geography type",
        "Geography code",
        "Geography name",
    ]
    assert len(header) == 12  # four quarters and the year
    assert all(c.font.bold for c in figures[1])
    assert figures.freeze_panes == "A2"
    assert figures.column_dimensions["C"].width >= 40
    rows = {
        (r[0], r[4], r[6]): r[7:]
        for r in figures.iter_rows(min_row=2, values_only=True)
    }
    assert rows["PS-OUT-01", "Total", "Total"] == (61, 1, 0, 0, 62)
    assert rows["PS-OUT-01", "Local authority", "South Hams"] == (3, 0, 0, 0, 3)
    code_of = {r[6]: r[5] for r in figures.iter_rows(min_row=2, values_only=True)}
    assert code_of["Plymouth"] == "E06000026"
    definitions = list(book["Definitions"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in definitions] == [
        "PS-OUT-01",
        "PS-OUT-02",
        "PS-OC-01",
        "PS-OC-02",
        "PS-OC-03",
    ]
    assert definitions[1][5] == "Economically inactive at start"


def cells(rows):
    return [value for row in rows for value in row]


@pytest.mark.django_db
def test_published_files_show_no_count_of_1_to_4_anywhere(
    client_of, manager, ukspf, people
):
    client = client_of(manager)
    book = workbook(
        download(client, "reporting:funder-return-xlsx", ukspf, publish="on")
    )
    assert book["Cover"]["A1"].value.startswith("# For publication")
    numbers = [
        v
        for sheet in book.worksheets
        for v in cells(sheet.iter_rows(values_only=True))
        if isinstance(v, int | float)
    ]
    assert numbers
    assert not [n for n in numbers if 0 < n < 5]
    figures = {
        (r[0], r[6]): r[7:]
        for r in book["Figures"].iter_rows(min_row=2, values_only=True)
    }
    # 61 = 58 + 3: South Hams' 3 reads <5 and Plymouth's 58 may not stay beside the
    # total, or 61 - 58 = 3 gives it away.
    total, plymouth, south_hams = (
        figures["PS-OUT-01", name][0] for name in ("Total", "Plymouth", "South Hams")
    )
    assert south_hams == SUPPRESSED
    assert WITHHELD in (total, plymouth)
    rows = csv_rows(
        download(client, "reporting:funder-return-csv", ukspf, publish="on")
    )
    assert rows[0][0].startswith("# For publication")
    for value in cells(rows[2:]):
        assert not (value.isdigit() and 0 < int(value) < 5), value


@pytest.mark.django_db
def test_internal_and_published_csv_have_different_names_and_first_lines(
    client_of, coordinator, ukspf, people
):
    client = client_of(coordinator)
    internal = download(client, "reporting:funder-return-csv", ukspf)
    published = download(client, "reporting:funder-return-csv", ukspf, publish="on")
    assert internal["Content-Disposition"].endswith('-v1-internal.csv"')
    assert published["Content-Disposition"].endswith('-v1-for-publication.csv"')
    rows = csv_rows(internal)
    assert rows[0][0].startswith("# Internal")
    assert "version 1" in rows[0][0]
    assert rows[1][:3] == ["Code", "Title", "Definition"]
    total = next(r for r in rows if r[0] == "PS-OUT-01" and r[4] == "Total")
    assert total[7:] == ["61", "1", "0", "0", "62"]


@pytest.mark.django_db
def test_an_edit_shows_in_the_next_files_version(client_of, admin, ukspf, people):
    figure = ukspf.indicators.get(code="PS-OUT-01")
    figure.is_retired = True
    indicator_save(indicator=figure, by=admin.user)
    response = download(client_of(admin), "reporting:funder-return-xlsx", ukspf)
    assert "-v2-internal.xlsx" in response["Content-Disposition"]
    book = workbook(response)
    facts = {
        row[0]: row[1] for row in book["Cover"].iter_rows(min_row=3, values_only=True)
    }
    assert facts["Version"] == "version 2"
    codes = {r[0] for r in book["Figures"].iter_rows(min_row=2, values_only=True)}
    assert "PS-OUT-01" not in codes
    assert "PS-OUT-02" in codes


@pytest.mark.django_db
def test_coordinators_see_the_exceptions_by_reference_with_what_to_fix(
    client_of, coordinator, ukspf, people
):
    page = client_of(coordinator).get(
        reverse("reporting:funder-return", args=[ukspf.pk]), QUERY
    )
    exceptions = page.context["exceptions"]
    assert exceptions.total == 2
    fixes = {p.reference: p.missing for p in exceptions.people}
    assert fixes == {
        "LACKS-1": (
            "Economic status at start not recorded",
            "Right to work not confirmed",
        ),
        "LACKS-2": (
            "Date of birth not recorded",
            "Right-to-work check not recorded (when, by whom, which document)",
        ),
    }
    html = page.content.decode()
    lacks = Participant.objects.get(reference="LACKS-1")
    assert reverse("participants:detail", args=[lacks.pk]) in html
    assert "ELSEWHERE" not in html


@pytest.mark.django_db
def test_managers_see_only_how_many_lack_which_evidence(
    client_of, manager, ukspf, people
):
    page = client_of(manager).get(
        reverse("reporting:funder-return", args=[ukspf.pk]), QUERY
    )
    exceptions = page.context["exceptions"]
    assert exceptions.people == []
    assert dict(exceptions.by_missing) == {
        "Economic status at start not recorded": 1,
        "Date of birth not recorded": 1,
        "Right to work not confirmed": 1,
        "Right-to-work check not recorded (when, by whom, which document)": 1,
    }
    html = page.content.decode()
    assert "LACKS-1" not in html
    assert "LACKS-2" not in html
    for person in Participant.objects.filter(reference__startswith="LACKS"):
        assert person.first_name not in html
        assert person.last_name not in html
    assert "/participants/" not in html
    assert "2 people counted" in html


@pytest.mark.django_db
def test_a_year_not_offered_is_refused_with_a_message(client_of, manager, ukspf):
    client = client_of(manager)
    page = client.get(
        reverse("reporting:funder-return", args=[ukspf.pk]), {"year": "1999"}
    )
    assert page.status_code == 200
    assert page.context["built"] is None
    assert "Choose a financial year from the list" in page.content.decode()
    for name in ("reporting:funder-return-xlsx", "reporting:funder-return-csv"):
        response = client.get(reverse(name, args=[ukspf.pk]), {"year": "two"})
        assert response.status_code == 302
        assert response["Location"] == ukspf.get_absolute_url()


@pytest.mark.django_db
def test_the_page_first_opens_on_this_financial_year(client_of, manager, ukspf):
    page = client_of(manager).get(reverse("reporting:funder-return", args=[ukspf.pk]))
    built = page.context["built"]
    today = timezone.localdate()
    assert built.year == (today.year if today.month >= 4 else today.year - 1)
    html = page.content.decode()
    assert f'<option value="{built.year}" selected>' in html


@pytest.mark.django_db
def test_providers_get_nothing(client_of, provider, ukspf):
    client = client_of(provider)
    for url in (
        reverse("reporting:funder-returns"),
        reverse("reporting:funder-return", args=[ukspf.pk]),
        reverse("reporting:funder-return-xlsx", args=[ukspf.pk]),
        reverse("reporting:funder-return-csv", args=[ukspf.pk]),
    ):
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_downloads_ask_to_confirm_its_you_after_a_while(client_of, manager, ukspf):
    client = client_of(manager)
    session = client.session
    session["reauthenticated_at"] = 0  # long ago
    session.save()
    for name in ("reporting:funder-return-xlsx", "reporting:funder-return-csv"):
        response = client.get(reverse(name, args=[ukspf.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reauth"))
