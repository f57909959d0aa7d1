"""A labour-market refresh is all or nothing: a failed, malformed or killed run leaves
the last good figures untouched and says why; the same file twice changes nothing; a
changed figure keeps its history."""

import datetime as dt
import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from academy.labour_market import changes, refresh
from academy.labour_market.adapters import ADAPTERS
from academy.labour_market.refresh import STOPPED_ERROR, labour_market_refresh
from academy.models import LabourMarketChange, LabourMarketObservation, RefreshRun
from tests.academy.test_labour_market_adapters import (
    LG_INFORM,
    NOMIS,
    SFC_2021,
    SFC_2022,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def load(path, source="skills-for-care", *, data=None, name=None, dry_run=False):
    return labour_market_refresh(
        source=source,
        data=path.read_bytes() if data is None else data,
        filename=name or path.name,
        dry_run=dry_run,
    )


def stored(area="E08000022", measure="turnover_rate", **breakdown):
    return LabourMarketObservation.objects.get(
        source="skills-for-care",
        area_code=area,
        period=breakdown.pop("period", "2022/23"),
        measure=measure,
        **{"sector": "all", "service": "all", "job_role": "all", **breakdown},
    )


def snapshot():
    return sorted(
        LabourMarketObservation.objects.values_list(
            "source",
            "area_code",
            "period",
            "measure",
            "sector",
            "service",
            "job_role",
            "value",
            "status",
        )
    )


def test_a_file_is_loaded_with_its_run():
    run = load(SFC_2022)

    assert run.status == RefreshRun.Status.DONE, run.error
    assert (run.new_count, run.changed_count, run.unchanged_count) == (147, 0, 0)
    assert run.rejected_count == 0
    assert len(run.checksum) == 64
    assert run.duration is not None
    assert run.file.name.endswith(".csv")
    assert LabourMarketObservation.objects.count() == 147
    turnover = stored()
    assert turnover.value == Decimal("0.23")
    assert turnover.unit == "fraction"
    assert turnover.raw_value == "0.230"
    assert turnover.run == run
    nurse = stored(job_role="Registered nurse")
    assert (nurse.status, nurse.value) == ("suppressed", None)
    assert run.summary["periods"] == ["2022/23"]
    assert ["Turnover rate", "fraction"] in run.summary["units"]


def test_the_same_file_twice_changes_nothing():
    load(SFC_2022)
    before = snapshot()
    updated = stored().updated_at

    again = load(SFC_2022)

    assert again.status == RefreshRun.Status.DONE
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 147)
    assert snapshot() == before
    assert stored().updated_at == updated
    assert not LabourMarketChange.objects.exists()


ATLANTIS = "South West,Atlantis,All sectors,All services,All job roles,1,1,0.1,0.1,,,\n"


def _with_a_bad_row():
    return (SFC_2022.read_text(encoding="utf-8") + ATLANTIS).encode()


def _outcome(run):
    return (
        run.status,
        run.error,
        run.stage,
        run.progress,
        run.new_count,
        run.changed_count,
        run.unchanged_count,
        run.rejected_count,
        run.rejected,
        run.summary,
    )


def _reading_forbidden(monkeypatch):
    def read(*args, **kwargs):
        raise AssertionError("the file was read again")

    for adapter in ADAPTERS.values():
        monkeypatch.setattr(adapter, "parse", read)


def test_a_file_loaded_again_unchanged_is_not_read_again(monkeypatch):
    data = _with_a_bad_row()
    first = load(SFC_2022, data=data)
    _reading_forbidden(monkeypatch)

    again = load(SFC_2022, data=data)

    assert again.status == RefreshRun.Status.DONE, again.error
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 147)
    assert again.rejected == first.rejected
    assert again.rejected_count == 1
    assert again.load_key == first.load_key
    assert again.file.name
    assert again.checksum == first.checksum


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_unchanged_file_is_recorded_as_reading_it_would(monkeypatch, dry_run):
    data = _with_a_bad_row()
    load(SFC_2022, data=data)
    recognised = load(SFC_2022, data=data, dry_run=dry_run)
    monkeypatch.setattr(refresh, "_loaded_unchanged", lambda run: None)

    read = load(SFC_2022, data=data, dry_run=dry_run)

    assert _outcome(recognised) == _outcome(read)
    assert recognised.unchanged_count == 147


def test_a_file_is_read_again_once_another_load_of_its_source_has_written():
    load(SFC_2022)
    text = SFC_2022.read_text(encoding="utf-8")
    load(
        SFC_2022,
        data=text.replace("6900,500,0.068,0.230", "6900,500,0.068,0.240").encode(),
    )

    back = load(SFC_2022)

    assert (back.new_count, back.changed_count) == (0, 1)
    assert stored().value == Decimal("0.23")


def test_another_year_name_or_loader_is_another_key(monkeypatch):
    key = {
        "source": "skills-for-care",
        "filename": "a.csv",
        "period": "",
        "checksum": "0",
    }
    first = refresh.load_key(**key)

    assert refresh.load_key(**{**key, "period": "2023/24"}) != first
    assert refresh.load_key(**{**key, "filename": "b.csv"}) != first
    assert refresh.load_key(**{**key, "source": "lg-inform"}) != first
    monkeypatch.setattr(refresh, "_loader_digest", lambda: "another loader")
    assert refresh.load_key(**key) != first


def test_a_year_given_for_the_same_file_reads_it_again():
    load(SFC_2022)

    other = labour_market_refresh(
        source="skills-for-care",
        data=SFC_2022.read_bytes(),
        filename=SFC_2022.name,
        period="2030/31",
    )

    assert other.new_count == 147


def test_a_dry_run_names_the_periods_and_areas_not_stored_and_a_load_none():
    load(SFC_2022)
    gateshead = (
        "North East,Gateshead,All sectors,All services,All job roles,"
        "3000,250,0.08,0.25,0.3,5.0,0.2\n"
    )
    data = (SFC_2022.read_text(encoding="utf-8") + gateshead).encode()

    def next_year(**options):
        return labour_market_refresh(
            source="skills-for-care",
            data=data,
            filename="sfc.csv",
            period="2023/24",
            **options,
        )

    checked = next_year(dry_run=True)
    loaded = next_year()

    assert checked.summary["new_periods"] == ["2023/24"]
    assert checked.summary["new_areas"] == ["Gateshead (E08000037)"]
    assert checked.summary["new_areas_count"] == 1
    # Once written, every area and period of the file is stored, as before.
    assert loaded.summary["new_periods"] == []
    assert loaded.summary["new_areas_count"] == 0
    assert loaded.new_count == 154


def test_years_loaded_one_after_another_are_both_kept():
    load(SFC_2021)
    load(SFC_2022)

    periods = set(
        LabourMarketObservation.objects.filter(area_code="E08000024").values_list(
            "period", flat=True
        )
    )
    assert periods == {"2021/22", "2022/23"}


def test_a_changed_figure_keeps_its_history():
    first = load(SFC_2022)
    text = SFC_2022.read_text(encoding="utf-8")
    text = text.replace("6900,500,0.068,0.230", "6900,500,0.068,0.240")
    text = text.replace("150,20,0.118,*,*,*,0.05", "150,20,0.118,0.410,*,*,0.05")

    second = load(SFC_2022, data=text.encode())

    assert (second.new_count, second.changed_count) == (0, 2)
    assert stored().value == Decimal("0.24")
    assert stored().run == second
    change = LabourMarketChange.objects.get(observation=stored())
    assert (change.old_value, change.old_status) == (Decimal("0.23"), "published")
    assert (change.new_value, change.new_status) == (Decimal("0.24"), "published")
    assert change.run == second
    nurse = LabourMarketChange.objects.get(
        observation=stored(job_role="Registered nurse")
    )
    assert (nurse.old_value, nurse.old_status) == (None, "suppressed")
    assert nurse.new_value == Decimal("0.41")
    assert {c["new"] for c in second.summary["changes"]} == {"0.24", "0.41"}
    assert first.status == RefreshRun.Status.DONE


def test_a_malformed_file_fails_and_leaves_the_figures():
    load(SFC_2022)
    before = snapshot()
    text = SFC_2022.read_text(encoding="utf-8").replace("Vacancies", "Vacancys", 1)

    run = load(SFC_2022, data=text.encode())

    assert run.status == RefreshRun.Status.FAILED
    assert '"Vacancys"' in run.error
    assert run.finished_at is not None
    assert snapshot() == before


def test_a_file_cut_off_half_way_fails_and_leaves_the_figures():
    load(NOMIS, "nomis-claimant-count")
    before = snapshot()
    data = NOMIS.read_bytes()

    run = load(NOMIS, "nomis-claimant-count", data=data[: len(data) * 2 // 3])

    assert run.status == RefreshRun.Status.FAILED
    assert "cut off" in run.error
    assert snapshot() == before


def test_a_run_that_dies_between_parse_and_write_writes_nothing(monkeypatch):
    load(SFC_2021)
    before = snapshot()
    real_write = changes.observations_write

    def write_then_die(plan, run):
        real_write(plan, run)  # every figure inserted, inside the transaction...
        raise RuntimeError("worker lost")  # ...then the process goes

    monkeypatch.setattr(changes, "observations_write", write_then_die)

    run = load(SFC_2022)

    assert run.status == RefreshRun.Status.FAILED
    assert "worker lost" in run.error
    assert "Nothing was written" in run.error
    assert snapshot() == before
    assert not LabourMarketObservation.objects.filter(period="2022/23").exists()


def test_a_dry_run_counts_and_writes_nothing():
    run = load(SFC_2022, dry_run=True)

    assert run.status == RefreshRun.Status.DRY_RUN
    assert run.new_count == 147
    assert not LabourMarketObservation.objects.exists()


def test_rejected_rows_are_recorded_and_the_rest_loaded():
    text = SFC_2022.read_text(encoding="utf-8") + (
        "South West,Atlantis,All sectors,All services,All job roles,1,1,0.1,0.1,,,\n"
    )

    run = load(SFC_2022, data=text.encode())

    assert run.status == RefreshRun.Status.DONE
    assert run.rejected_count == 1
    assert run.rejected[0]["row"] == 23
    assert "Atlantis" in run.rejected[0]["reason"]
    assert run.new_count == 147


def test_a_run_left_running_is_marked_stopped_by_the_next():
    stale = RefreshRun.objects.create(
        source="nomis-claimant-count",
        action="load",
        status="running",
        filename="x.csv",
        started_at=timezone.now() - dt.timedelta(hours=2),
    )
    assert stale.is_stopped
    assert not stale.is_in_progress

    load(LG_INFORM, "lg-inform")

    stale.refresh_from_db()
    assert stale.status == RefreshRun.Status.FAILED
    assert stale.error == STOPPED_ERROR


def test_a_finished_run_is_not_processed_again():
    run = load(SFC_2022)

    again = refresh.refresh_run_process(run=run)

    assert again.status == RefreshRun.Status.DONE
    assert LabourMarketObservation.objects.count() == 147


def test_an_upload_is_previewed_then_loaded_when_confirmed(
    academy, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = refresh.refresh_run_upload(
            academy=academy,
            by=admin.user,
            source="skills-for-care",
            data=SFC_2022.read_bytes(),
            filename=SFC_2022.name,
        )
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.PREVIEWED
    assert run.new_count == 147
    assert not LabourMarketObservation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        run = refresh.refresh_run_confirm(run=run, by=admin.user)
    run.refresh_from_db()

    assert run.status == RefreshRun.Status.DONE, run.error
    assert run.confirmed_by == admin.user
    assert LabourMarketObservation.objects.count() == 147


def test_only_a_previewed_run_can_be_confirmed(academy, admin):
    from django.core.exceptions import ValidationError

    run = load(SFC_2022)

    with pytest.raises(ValidationError, match="waiting for confirmation"):
        refresh.refresh_run_confirm(run=run, by=admin.user)


# --- a real process killed mid-write --------------------------------------------------

KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from django.core.management import call_command
    from academy.labour_market import changes

    real = changes.observations_write

    def write_then_die(plan, run):
        real(plan, run)  # rows written, transaction still open
        os.kill(os.getpid(), signal.SIGKILL)

    changes.observations_write = write_then_die
    call_command("refresh_labour_market", "--source", "skills-for-care",
                 "--file", sys.argv[1])
    """
)


@pytest.mark.django_db(transaction=True)
def test_a_refresh_killed_mid_write_leaves_the_previous_figures(postgres, settings):
    load(SFC_2021)
    before = snapshot()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }

    process = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(SFC_2022)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert process.returncode == -9, process.stderr
    assert snapshot() == before
    killed = RefreshRun.objects.get(filename=SFC_2022.name)
    assert killed.status == RefreshRun.Status.RUNNING
    RefreshRun.objects.filter(pk=killed.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=2)
    )
    assert refresh.refresh_runs_mark_stopped() == 1
    killed.refresh_from_db()
    assert (killed.status, killed.error) == (RefreshRun.Status.FAILED, STOPPED_ERROR)

    rerun = load(SFC_2022)

    assert rerun.status == RefreshRun.Status.DONE
    assert rerun.new_count == 147
