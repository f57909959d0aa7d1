"""`refresh_labour_market` and `labour_market_figures`, as the issue gives them."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from academy.labour_market import fetch
from academy.models import LabourMarketObservation, RefreshRun
from tests.academy.test_labour_market_adapters import (
    LG_INFORM,
    NOMIS,
    SFC_2021,
    SFC_2022,
)

pytestmark = pytest.mark.django_db

HEADER = "source,area_code,area_name,period,measure,breakdown,value,status"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refresh(source, path, *more):
    return run("refresh_labour_market", "--source", source, "--file", str(path), *more)


def figures(area, *more):
    out, _ = run("labour_market_figures", "--area", area, *more)
    return out


def test_refresh_loads_a_file_and_says_what_it_did():
    out, err = refresh("skills-for-care", SFC_2022)

    assert out.startswith("Loaded: skills-for-care sfc_la_data_download_2022-23")
    assert "147 new, 0 changed, 0 unchanged, 0 rejected rows" in out
    assert "sha256 " in out
    assert "read 21 rows" in err
    assert "writing…" in err
    assert LabourMarketObservation.objects.count() == 147


def test_refresh_of_the_same_file_again_changes_nothing():
    refresh("lg-inform", LG_INFORM)

    out, _ = refresh("lg-inform", LG_INFORM)

    assert "0 new, 0 changed, 60 unchanged" in out


def test_refresh_dry_run_writes_nothing():
    out, _ = refresh("nomis-claimant-count", NOMIS, "--dry-run")

    assert out.startswith("Checked (dry run): nothing written")
    assert "20 new" in out
    assert not LabourMarketObservation.objects.exists()
    assert RefreshRun.objects.get().status == RefreshRun.Status.DRY_RUN


def test_refresh_of_a_bad_file_fails_with_the_reason(tmp_path):
    bad = tmp_path / "LA-2022-23.csv"
    bad.write_text(SFC_2022.read_text().replace("Sector", "Sectors", 1))

    with pytest.raises(CommandError, match='Unknown column "Sectors"'):
        refresh("skills-for-care", bad)

    assert RefreshRun.objects.get().status == RefreshRun.Status.FAILED


def test_refresh_lists_rejected_rows(tmp_path):
    path = tmp_path / "LA-2022-23.csv"
    path.write_text(
        SFC_2022.read_text()
        + "South West,Atlantis,All sectors,All services,All job roles,1,1,0.1,0.1,,,\n"
    )

    out, err = refresh("skills-for-care", path)

    assert "1 rejected rows" in out
    assert 'rejected row 23: Unknown area "Atlantis"' in err


def test_refresh_takes_the_year_of_a_file_whose_name_does_not_say(tmp_path):
    path = tmp_path / "LA-data-download.csv"
    path.write_bytes(SFC_2022.read_bytes())
    with pytest.raises(CommandError, match="give the year"):
        refresh("skills-for-care", path)

    out, _ = refresh("skills-for-care", path, "--period", "2023/24")

    assert "147 new" in out
    assert set(LabourMarketObservation.objects.values_list("period", flat=True)) == {
        "2023/24"
    }


def test_refresh_needs_a_file_for_sources_without_an_address():
    with pytest.raises(CommandError, match="give --file PATH"):
        run("refresh_labour_market", "--source", "skills-for-care")


def test_refresh_of_nomis_without_a_file_fetches_when_a_url_is_set(
    settings, monkeypatch, academy
):
    settings.NOMIS_CLAIMANT_COUNT_URL = ""
    with pytest.raises(CommandError, match="NOMIS_CLAIMANT_COUNT_URL is not set"):
        run("refresh_labour_market", "--source", "nomis-claimant-count")

    settings.NOMIS_CLAIMANT_COUNT_URL = (
        "https://www.nomisweb.co.uk/api/v01/dataset/NM_162_1.data.csv"
        "?geography={geography}&date=latest"
    )
    asked = []
    monkeypatch.setattr(
        fetch, "url_fetch", lambda url, **_: asked.append(url) or NOMIS.read_bytes()
    )

    out, _ = run("refresh_labour_market", "--source", "nomis-claimant-count")

    assert "20 new" in out
    assert asked == [
        "https://www.nomisweb.co.uk/api/v01/dataset/NM_162_1.data.csv"
        "?geography=E06000026,E12000009,E92000001&date=latest"
    ]


def test_figures_as_csv_one_row_per_figure():
    refresh("skills-for-care", SFC_2022)

    out = figures("E08000022", "--format", "csv")

    lines = out.splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 1 + 5 * 7
    assert (
        "skills-for-care,E08000022,North Tyneside,2022/23,turnover_rate,all,0.23,"
        "published" in lines
    )
    assert (
        "skills-for-care,E08000022,North Tyneside,2022/23,filled_posts,all,6900,"
        "published" in lines
    )
    assert (
        "skills-for-care,E08000022,North Tyneside,2022/23,turnover_rate,"
        "job_role=Registered nurse,,suppressed" in lines
    )


def test_figures_across_sources_and_periods_and_one_period():
    refresh("skills-for-care", SFC_2021)
    refresh("skills-for-care", SFC_2022)
    refresh("lg-inform", LG_INFORM)
    refresh("nomis-claimant-count", NOMIS)

    rows = list(csv.DictReader(io.StringIO(figures("E08000024"))))
    only = list(
        csv.DictReader(io.StringIO(figures("E08000024", "--period", "2021/22")))
    )

    assert {r["source"] for r in rows} == {
        "skills-for-care",
        "lg-inform",
        "nomis-claimant-count",
    }
    assert {r["period"] for r in rows} == {"2021/22", "2022/23", "2023/24", "2024-03"}
    claimant_rate = next(r for r in rows if r["measure"] == "claimant_rate")
    assert claimant_rate["value"] == "0.05"
    assert {r["period"] for r in only} == {"2021/22"}
    vacancy = next(
        r for r in only if r["measure"] == "vacancy_rate" and r["breakdown"] == "all"
    )
    assert vacancy["value"] == "0.08"


def test_figures_as_json():
    refresh("skills-for-care", SFC_2022)

    items = json.loads(figures("E92000001", "--format", "json"))

    filled = next(i for i in items if i["measure"] == "filled_posts")
    assert filled == {
        "source": "skills-for-care",
        "area_code": "E92000001",
        "area_name": "England",
        "period": "2022/23",
        "measure": "filled_posts",
        "breakdown": "all",
        "value": 1635000,
        "status": "published",
    }
    assert next(i for i in items if i["measure"] == "vacancy_rate")["value"] == 0.099


def test_figures_of_an_area_without_any_and_a_bad_code():
    out, err = run("labour_market_figures", "--area", "e06000026", "--format", "csv")

    assert out.strip() == HEADER
    assert "No figures are stored for E06000026" in err
    with pytest.raises(CommandError, match="not an ONS area code"):
        run("labour_market_figures", "--area", "Plymouth", "--format", "csv")
