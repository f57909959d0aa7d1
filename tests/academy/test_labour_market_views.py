"""The labour-market page (every role), the upload with its preview, and the runs
page (admins only; another academy's upload is a 404)."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from academy.labour_market.refresh import labour_market_refresh
from academy.models import LabourMarketObservation, RefreshRun
from tests.academy.test_labour_market_adapters import (
    LG_INFORM,
    NOMIS,
    SFC_2021,
    SFC_2022,
    _workbook,
    sfc_sample_text,
)

pytestmark = pytest.mark.django_db

ROLES = ["coordinator", "provider", "manager", "admin"]
AREA = reverse("labour_market:area")
UPLOAD = reverse("labour_market:upload")


@pytest.fixture
def admin(admin):
    """The platform's staff load the figures every academy shares (here, as an admin
    of the academy they work in)."""
    admin.user.is_superuser = True
    admin.user.save()
    return admin


RUNS = reverse("labour_market:runs")


def load(path, source="skills-for-care"):
    return labour_market_refresh(
        source=source, data=path.read_bytes(), filename=path.name
    )


@pytest.fixture
def samples():
    for path, source in [
        (SFC_2021, "skills-for-care"),
        (SFC_2022, "skills-for-care"),
        (LG_INFORM, "lg-inform"),
        (NOMIS, "nomis-claimant-count"),
    ]:
        assert load(path, source).status == "done"


def text_of(response):
    """The page's text, tags and repeated spaces removed."""
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    return re.sub(r" ([:;,.)])", r"\1", html.unescape(text))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_figures_of_its_area(request, client_of, samples, role):
    membership = request.getfixturevalue(role)  # the academy is Plymouth, E06000026

    response = client_of(membership).get(AREA)

    assert response.status_code == 200
    page = text_of(response)
    assert "Labour market in Plymouth" in page
    assert "Adult social care workforce, 2022/23" in page
    for shown in ("8,100", "900", "10.0%", "29.5%", "33.0%"):
        assert shown in page
    assert "South West: 32.2%" in page
    assert "England: 28.3%" in page
    assert "Domiciliary care services" in page
    assert "39.2%" in page
    assert "19.1%" in page
    assert "Claimant count, March 2024" in page
    assert "6,080" in page
    assert "3.6%" in page
    assert "© Skills for Care" in page
    assert "Open Government Licence v3.0" in page
    assert "LG Inform" in page
    assert "34.8%" in page  # LG Inform: domiciliary care turnover 2023/24


def test_a_suppressed_figure_reads_suppressed_never_zero(client_of, other_coordinator):
    load(SFC_2022)  # other_academy is North Tyneside, E08000022

    page = text_of(client_of(other_coordinator).get(AREA))

    assert "Labour market in North Tyneside" in page
    assert "6,900" in page
    assert "23.0%" in page
    assert "North East: 26.4%" in page
    table = page[page.index("By job role") :]
    nurse = table[table.index("Registered nurse") : table.index("Senior care worker")]
    assert nurse.count("suppressed") == 2  # turnover and starters rates
    assert " 0.0%" not in nurse


def test_the_years_loaded_show_as_a_trend_with_charts(
    client_of, other_coordinator, samples
):
    response = client_of(other_coordinator).get(AREA)  # North Tyneside

    page = text_of(response)
    assert "Across the years loaded" in page
    assert "2021/22 to 2022/23" in page
    assert response.content.decode().count("<svg") >= 2


def test_roles_in_demand_are_highlighted(client_of, coordinator, samples):
    page = text_of(client_of(coordinator).get(AREA))

    demand = page[page.index("Roles in demand") :]
    assert "Registered nurse: vacancy rate 14.8% (all job roles 10.0%)" in demand
    assert "Care worker / home carer" in demand


def test_an_academy_without_an_area_code_is_told_so(client_of, admin):
    admin.academy.area_code = ""
    admin.academy.save()

    page = text_of(client_of(admin).get(AREA))

    assert "no ONS area code" in page
    assert "Add the area code" in page


def test_an_area_without_figures_is_told_so_and_admins_get_the_upload(
    client_of, admin, coordinator
):
    assert "Upload a Skills for Care" in text_of(client_of(admin).get(AREA))
    page = text_of(client_of(coordinator).get(AREA))
    assert "No labour-market figures for Plymouth" in page
    assert "Upload" not in page


def test_the_page_reads_in_few_queries(
    client_of, coordinator, samples, django_assert_max_num_queries
):
    client = client_of(coordinator)
    with django_assert_max_num_queries(10):
        client.get(AREA)


@pytest.mark.parametrize("role", ["coordinator", "provider", "manager"])
def test_only_admins_upload_or_see_runs(request, client_of, role):
    client = client_of(request.getfixturevalue(role))
    run = load(SFC_2022)

    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {}).status_code == 403
    assert client.get(RUNS).status_code == 403
    assert client.get(run.get_absolute_url()).status_code == 403
    assert (
        client.post(reverse("labour_market:run-confirm", args=[run.pk])).status_code
        == 403
    )


def _upload(client, path=SFC_2022, source="skills-for-care", data=None, name=None):
    return client.post(
        UPLOAD,
        {
            "source": source,
            "file": SimpleUploadedFile(
                name or path.name, path.read_bytes() if data is None else data
            ),
        },
    )


def test_admin_uploads_sees_the_preview_and_confirms(
    client_of, admin, django_capture_on_commit_callbacks
):
    load(SFC_2021)
    client = client_of(admin)
    text = sfc_sample_text().replace("6900,500,0.068,0.230", "6900,500,0.068,0.240")
    text += (
        "South West,Atlantis,All sectors,All services,All job roles,1,1,0.1,0.1,,,\n"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, data=text.encode())

    run = RefreshRun.objects.get(action="preview")
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert run.academy == admin.academy
    assert run.status == RefreshRun.Status.PREVIEWED
    assert not LabourMarketObservation.objects.filter(period="2022/23").exists()
    page = text_of(client.get(run.get_absolute_url()))
    assert "nothing has been loaded yet" in page
    assert "New figures 147" in page
    assert "Rows left out (below) 1" in page
    assert 'Unknown area "Atlantis"' in page
    assert 'value="Load these figures"' in client.get(run.get_absolute_url()).text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("labour_market:run-confirm", args=[run.pk]))

    run.refresh_from_db()
    assert response.status_code == 302
    assert run.status == RefreshRun.Status.DONE, run.error
    assert LabourMarketObservation.objects.filter(period="2022/23").count() == 147
    assert "Loaded on" in text_of(client.get(run.get_absolute_url()))


def test_a_previewed_change_shows_old_and_new(
    client_of, admin, django_capture_on_commit_callbacks
):
    load(SFC_2022)
    text = sfc_sample_text().replace("6900,500,0.068,0.230", "6900,500,0.068,0.240")

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client_of(admin), data=text.encode())

    run = RefreshRun.objects.get(action="preview")
    page = text_of(client_of(admin).get(run.get_absolute_url()))
    assert "Changed figures (the old values are kept in their history) 1" in page
    assert "North Tyneside (E08000022) 2022/23 turnover_rate all 0.23 0.24" in page


def test_an_xlsx_workbook_can_be_uploaded(
    client_of, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(
            client_of(admin),
            data=_workbook(sfc_sample_text()),
            name="LA-data-download.xlsx",
        )

    run = RefreshRun.objects.get()
    assert run.status == RefreshRun.Status.PREVIEWED, run.error
    assert run.new_count == 147


def test_the_upload_takes_the_year_when_the_name_does_not_say(
    client_of, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_of(admin).post(
            UPLOAD,
            {
                "source": "skills-for-care",
                "period": "2023/24",
                "file": SimpleUploadedFile("LA.csv", SFC_2022.read_bytes()),
            },
        )

    run = RefreshRun.objects.get()
    assert run.status == RefreshRun.Status.PREVIEWED, run.error
    assert run.summary["periods"] == ["2023/24"]


def test_a_failed_upload_says_why(client_of, admin, django_capture_on_commit_callbacks):
    data = NOMIS.read_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        _upload(client_of(admin), NOMIS, "nomis-claimant-count", data=data[:3000])

    run = RefreshRun.objects.get()
    assert run.status == RefreshRun.Status.FAILED
    page = text_of(client_of(admin).get(run.get_absolute_url()))
    assert "Nothing was loaded:" in page
    assert "cut off" in page
    assert "Load these figures" not in client_of(admin).get(run.get_absolute_url()).text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("figures.txt", b"a,b\n", "Choose a .xlsx or .csv file"),
        ("LA-2022-23.xlsx", b"not a zip", "not XLSX, as its name says"),
        ("LA-2022-23.csv", b"PK\x03\x04zipped", "not CSV, as its name says"),
    ],
)
def test_the_upload_refuses_a_file_whose_name_or_content_is_wrong(
    client_of, admin, name, data, message
):
    response = _upload(client_of(admin), data=data, name=name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RefreshRun.objects.exists()


def test_nomis_and_lg_inform_come_as_csv_only(client_of, admin):
    response = _upload(
        client_of(admin), source="lg-inform", data=b"PK\x03\x04", name="chart.xlsx"
    )

    assert "Choose a .csv file" in response.content.decode()


def test_the_runs_page_lists_every_run_with_its_checksum(client_of, admin):
    good = load(SFC_2022)
    bad = labour_market_refresh(
        source="lg-inform", data=b"nonsense\n", filename="chart.csv"
    )

    page = text_of(client_of(admin).get(RUNS))

    assert good.checksum[:12] in page
    assert "sfc_la_data_download_2022-23_LA_level_data.csv" in page
    assert "147" in page
    assert "chart.csv" in page
    assert bad.error in page
    assert "Failed: nothing changed" in page


def test_another_academys_upload_is_not_found(client_of, admin, other_academy):
    theirs = RefreshRun.objects.create(
        academy=other_academy,
        source="skills-for-care",
        action="preview",
        status="previewed",
        filename="theirs-2022-23.csv",
    )
    client = client_of(admin)

    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("labour_market:run-confirm", args=[theirs.pk])).status_code
        == 404
    )
    assert "theirs-2022-23.csv" not in text_of(client.get(RUNS))


def test_the_runs_page_reads_in_few_queries(
    client_of, admin, django_assert_max_num_queries
):
    for _ in range(5):
        load(LG_INFORM, "lg-inform")
    client = client_of(admin)

    with django_assert_max_num_queries(10):
        assert client.get(RUNS).status_code == 200


def test_a_run_in_progress_is_polled_with_htmx(client_of, admin):
    run = RefreshRun.objects.create(
        academy=admin.academy,
        source="skills-for-care",
        action="load",
        status="queued",
        filename="LA-2022-23.csv",
    )

    response = client_of(admin).get(run.get_absolute_url(), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "<html" not in html
    assert "Waiting for a worker" in html


def test_the_preview_names_new_periods_and_areas(
    client_of, admin, django_capture_on_commit_callbacks
):
    from academy.labour_market.refresh import refresh_run_upload

    with django_capture_on_commit_callbacks(execute=True):
        run = refresh_run_upload(
            academy=admin.academy,
            by=admin.user,
            source="skills-for-care",
            data=SFC_2022.read_bytes(),
            filename=SFC_2022.name,
        )
    run.refresh_from_db()
    assert run.summary["new_periods"]
    assert run.summary["new_areas_count"] > 0
    page = client_of(admin).get(run.get_absolute_url()).content.decode()
    assert "not stored before" in page


def test_an_academy_admin_sees_the_runs_but_cannot_replace_shared_figures(
    client_of, other_admin
):
    client = client_of(other_admin)
    assert client.get(RUNS).status_code == 200
    assert client.get(UPLOAD).status_code == 403
    assert "Load a source file" not in client.get(RUNS).content.decode()
