"""Labour-market loads on PostgreSQL copy the parsed figures (COPY) into a staging
table, compare them with one join and merge them with one statement; SQLite compares
in Python and writes through the ORM (academy/labour_market/changes.py). The same
files must give the same runs (counts, summaries, rows left out), figures and history
down either path, all or nothing."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from academy.labour_market import changes
from academy.labour_market.refresh import labour_market_refresh
from academy.models import LabourMarketChange, LabourMarketObservation, RefreshRun
from tests.academy.test_labour_market_adapters import (
    LG_INFORM,
    NOMIS,
    SFC_2021,
    SFC_2022,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _changed(path):
    """The file with its first figures changed, one suppressed, and a bad row."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, first, second, *rest = lines
    cells = first.split(",")
    cells[5] = str(int(cells[5]) + 100)
    other = second.split(",")
    other[7] = "*"
    bad = "South West,Atlantis,All sectors,All services,All job roles,1,1,0.1,0.1,,,\n"
    return "".join([header, ",".join(cells), ",".join(other), *rest, bad]).encode()


# A label as COPY's text format must escape it (a backslash), with braces and quotes.
GATESHEAD = (
    'North East,Gateshead,All sectors,All services,"Lead {0} \\ ""care"" worker",'
    "3000,250,0.08,0.25,0.3,5.0,0.2\n"
)


def _journey():
    sfc = SFC_2022.read_bytes()
    files = [
        (
            SFC_2021.read_bytes() + GATESHEAD.encode(),
            SFC_2021.name,
            "skills-for-care",
            False,
        ),
        (sfc, SFC_2022.name, "skills-for-care", True),  # dry run
        (sfc, SFC_2022.name, "skills-for-care", False),
        (sfc, SFC_2022.name, "skills-for-care", False),  # again: recognised
        (sfc, f"again-{SFC_2022.name}", "skills-for-care", False),  # again: read
        (sfc + GATESHEAD.encode(), SFC_2022.name, "skills-for-care", True),
        (sfc + GATESHEAD.encode(), SFC_2022.name, "skills-for-care", False),
        (_changed(SFC_2022), SFC_2022.name, "skills-for-care", False),
        (NOMIS.read_bytes(), NOMIS.name, "nomis-claimant-count", False),
        (LG_INFORM.read_bytes(), LG_INFORM.name, "lg-inform", False),
    ]
    runs = []
    for data, name, source, dry_run in files:
        run = labour_market_refresh(
            source=source, data=data, filename=name, dry_run=dry_run
        )
        runs.append(
            (
                run.status,
                run.error,
                run.new_count,
                run.changed_count,
                run.unchanged_count,
                run.rejected,
                run.summary,
            )
        )
    figures = sorted(
        LabourMarketObservation.objects.values_list(
            "source",
            "area_code",
            "area_name",
            "period",
            "measure",
            "sector",
            "service",
            "job_role",
            "value",
            "status",
            "unit",
            "raw_value",
            "run__filename",
        )
    )
    history = sorted(
        LabourMarketChange.objects.values_list(
            "observation__area_code",
            "observation__measure",
            "observation__sector",
            "observation__service",
            "observation__job_role",
            "old_value",
            "old_status",
            "new_value",
            "new_status",
            "run__filename",
        )
    )
    return runs, figures, history


def _clear():
    LabourMarketChange.objects.all().delete()
    LabourMarketObservation.objects.all().delete()
    RefreshRun.objects.all().delete()


def test_both_paths_give_the_same_runs_figures_and_history(postgres, monkeypatch):
    monkeypatch.setattr(changes, "uses_copy", lambda: False)
    orm = _journey()
    _clear()
    monkeypatch.setattr(changes, "uses_copy", lambda: True)
    copied = _journey()

    assert copied == orm
    runs, figures, history = orm
    assert [r[2:5] for r in runs[2:8]] == [
        (147, 0, 0),
        (0, 0, 147),
        (0, 0, 147),
        (7, 0, 147),
        (7, 0, 147),
        (0, 2, 145),
    ]
    assert runs[5][6]["new_areas"] == []  # stored by the 2021/22 file
    assert ('Lead {0} \\ "care" worker', "2022/23") in {(f[7], f[3]) for f in figures}
    assert runs[7][5][0]["reason"].startswith('Unknown area "Atlantis"')
    assert len(history) == 2
    assert {h[6] for h in history} == {"published"}
    assert {h[8] for h in history} == {"published", "suppressed"}
    assert figures


def _bad_files():
    text = SFC_2022.read_text(encoding="utf-8")
    header, first, *rest = text.splitlines(keepends=True)
    nomis = NOMIS.read_bytes()
    return {
        "unknown header": text.replace("Vacancies", "Vacancys", 1).encode(),
        "no header row": text.replace("CSSR (LA area)", "Council", 1).encode(),
        "column twice": text.replace("Vacancies", "Vacancies - total", 1)
        .replace("Vacancy rate", "Vacancies", 1)
        .encode(),
        "cut off in a row": (header + first + first.rsplit(",", 4)[0] + "\n").encode(),
        "no line break at the end": text.rstrip("\n").encode(),
        "empty": b"",
        "binary": b"\x00\x01PK" * 10,
        "not a number": (text + GATESHEAD.replace(",250,", ",many,")).encode(),
        "same row twice": (text + rest[0]).encode(),
        "no area": (text + first.replace("England,England", "England,")).encode(),
        "nomis cut off": nomis[: len(nomis) * 2 // 3],
    }


@pytest.mark.parametrize("kind", list(_bad_files()))
def test_a_bad_file_gives_the_same_message_down_both_paths(postgres, monkeypatch, kind):
    data = _bad_files()[kind]
    source = "nomis-claimant-count" if kind.startswith("nomis") else "skills-for-care"
    name = NOMIS.name if kind.startswith("nomis") else SFC_2022.name
    outcomes = []
    for copying in (False, True):
        monkeypatch.setattr(changes, "uses_copy", lambda copying=copying: copying)
        run = labour_market_refresh(source=source, data=data, filename=name)
        outcomes.append(
            (
                run.status,
                run.error,
                run.rejected,
                run.new_count,
                LabourMarketObservation.objects.count(),
            )
        )
        _clear()

    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] or outcomes[0][2], "a bad file says what is wrong"


def test_a_dry_run_stages_compares_and_writes_nothing(postgres):
    run = labour_market_refresh(
        source="skills-for-care",
        data=SFC_2022.read_bytes(),
        filename=SFC_2022.name,
        dry_run=True,
    )

    assert (run.status, run.new_count) == (RefreshRun.Status.DRY_RUN, 147)
    assert not LabourMarketObservation.objects.exists()


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from django.core.management import call_command
    from academy.labour_market import changes

    real = changes.observations_write

    def write_then_die(plan, run):
        real(plan, run)  # figures merged from staging, transaction still open
        os.kill(os.getpid(), signal.SIGKILL)

    changes.observations_write = write_then_die
    call_command("refresh_labour_market", "--source", "skills-for-care",
                 "--file", sys.argv[1])
    """
)


@pytest.mark.django_db(transaction=True)
def test_a_load_killed_after_the_merge_leaves_nothing(postgres, settings):
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
        check=False,
    )

    assert process.returncode == -9, process.stderr
    assert not LabourMarketObservation.objects.exists()
    assert not LabourMarketChange.objects.exists()
