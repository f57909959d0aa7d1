"""Impact report for a large academy on PostgreSQL (issue 16). 100,000 participants and
1,000,000 meetings, plans, support and outcomes, generated in SQL so every run sees the
same data (spec/performance.md, Part C rule 3), beside a smaller academy whose rows
must not be counted.

Baseline: a fair hand-written SQL computing the same figures (every headline metric
by claimant status and cohort, and month by month): each metric's people found once,
uncorrelated and filtered by academy. Two ratios to it:

- the report's figures from the precomputed summaries (reporting/summaries.py): at
  most 0.1 of it, for a financial year and for a period that starts and ends mid-month;
- the live path, kept for checking the summaries: at most 1.2 of it.

And the whole report as the dashboard, CSV and home page read it (the events figures
and activity counts too) from the summaries: at most 0.1 of the whole live report."""

import datetime as dt
import time
from collections import defaultdict

import pytest
from django.db import connection

from academy.models import Academy
from academy.pdf import render_pdf
from reporting.impact import BASE_KEYS, impact_figures, impact_report, tally_rows
from reporting.presenters import impact_page
from reporting.summaries import refresh_impact_summaries
from tests.academy.factories import AcademyFactory

pytestmark = pytest.mark.bench

START, END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
# Since launch, as the home page asks: both ends mid-month.
LAUNCH, TODAY = dt.date(2024, 1, 17), dt.date(2025, 6, 13)
PEOPLE = 100_000


def _generate(academy_id: int, people: int = PEOPLE) -> None:
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO participants_participant (
                academy_id, reference, first_name, last_name, email, phone, postcode,
                is_claimant, benefit_type, status_at_entry, source, registered_on,
                has_driving_licence, has_car, dbs_level, right_to_work,
                right_to_work_document, has_consent_to_hold, has_consent_to_share,
                contact_by, status, close_reason, close_note, created_at, updated_at)
            SELECT %s, 'B-' || g, 'First' || g, 'Last' || (g %% 997), '', '', 'PL1 1AA',
                g %% 5 <> 0, '', 'unemployed', 'job_centre',
                DATE '2024-01-01' + (g %% 540), false, false, 'none', 'yes', '',
                true, true, 'none', 'open', '', '', now(), now()
            FROM generate_series(1, %s) g
            """,
            [academy_id, people],
        )
        cur.execute(
            "SELECT min(id) FROM participants_participant WHERE academy_id = %s",
            [academy_id],
        )
        base = cur.fetchone()[0]
        pid = f"{base} + (g % {people})"
        cur.execute(
            f"""INSERT INTO participants_participantcohort (participant_id, code)
            SELECT {pid}, (ARRAY['over_50','refugee','neet','returner'])[1 + g % 4]
            FROM generate_series(1, {people // 2}) g"""
        )
        cur.execute(
            f"""INSERT INTO participants_meeting (participant_id, kind, held_at, location,
                notes, next_step, created_at)
            SELECT {pid}, 'job_centre', TIMESTAMPTZ '2024-01-01' + (g % 540) * interval '1 day',
                '', '', '', now()
            FROM generate_series(1, {people * 4}) g"""
        )
        cur.execute(
            f"""INSERT INTO participants_skillsactionplan (participant_id, agreed_on, pathway,
                target_role, barriers, goals, status, updated_at)
            SELECT {pid}, DATE '2024-01-01' + (g / {people}) * 200 + (g % 300), 'demand',
                '', '[]', '', 'active', now()
            FROM generate_series(1, {people}) g"""
        )
        cur.execute(
            f"""INSERT INTO participants_support (participant_id, kind, given_on, notes,
                created_at)
            SELECT {pid},
                (ARRAY['careers','employability','financial','mental_health','other'])[1 + g % 5],
                DATE '2024-01-01' + (g % 540), '', now()
            FROM generate_series(1, {people * 3}) g"""
        )
        cur.execute(
            f"""INSERT INTO participants_outcome (participant_id, kind, started_on, sector,
                employer, role, evidence, created_at)
            SELECT {pid},
                (ARRAY['employment','employment','training','work_experience','volunteering'])[1 + g % 5],
                DATE '2024-01-01' + (g % 540),
                CASE WHEN g % 5 < 2 THEN (ARRAY['health_social_care','other'])[1 + g % 2] ELSE '' END,
                '', '', '', now()
            FROM generate_series(1, {people * 2}) g"""
        )


FAIR_SQL = """
WITH people AS (
  SELECT id, is_claimant FROM participants_participant WHERE academy_id = %(academy)s
), qualifying AS (
  SELECT 'action_plan_people' AS metric, s.participant_id AS pid, s.agreed_on AS day
    FROM participants_skillsactionplan s JOIN people p ON p.id = s.participant_id
    WHERE s.agreed_on BETWEEN %(start)s AND %(end)s
  UNION ALL
  SELECT CASE WHEN o.kind = 'employment' AND o.sector = 'health_social_care'
              THEN 'employment_health_social_care'
              WHEN o.kind = 'employment' AND o.sector = 'other'
              THEN 'employment_other_sector'
              ELSE 'training_experience_volunteering' END,
         o.participant_id, o.started_on
    FROM participants_outcome o JOIN people p ON p.id = o.participant_id
    WHERE o.started_on BETWEEN %(start)s AND %(end)s
      AND ((o.kind = 'employment' AND o.sector IN ('health_social_care', 'other'))
           OR o.kind IN ('training', 'work_experience', 'volunteering'))
  UNION ALL
  SELECT 'support_people', s.participant_id, s.given_on
    FROM participants_support s JOIN people p ON p.id = s.participant_id
    WHERE s.given_on BETWEEN %(start)s AND %(end)s
      AND s.kind IN ('careers', 'employability', 'financial', 'mental_health')
  UNION ALL
  SELECT 'people_registered', p.id, p.registered_on FROM participants_participant p
    WHERE p.academy_id = %(academy)s
      AND p.registered_on BETWEEN %(start)s AND %(end)s
), counted AS (
  SELECT DISTINCT metric, pid FROM qualifying
)
SELECT c.metric, p.is_claimant, '', NULL::date, count(*)
  FROM counted c JOIN people p ON p.id = c.pid GROUP BY 1, 2
UNION ALL
SELECT c.metric, p.is_claimant, pc.code, NULL::date, count(*)
  FROM counted c JOIN people p ON p.id = c.pid
  JOIN participants_participantcohort pc ON pc.participant_id = c.pid
  GROUP BY 1, 2, 3
UNION ALL
SELECT metric, NULL, '', date_trunc('month', day)::date, count(DISTINCT pid)
  FROM qualifying GROUP BY 1, 4
"""


def fair_figures(academy: Academy, start: dt.date, end: dt.date):
    """The same figures as the report, by the fair SQL: (rows, months)."""
    with connection.cursor() as cur:
        cur.execute(FAIR_SQL, {"start": start, "end": end, "academy": academy.pk})
        found = cur.fetchall()
    tally: dict[tuple[str, str, bool], int] = defaultdict(int)
    months: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for metric, claimant, cohort, month, n in found:
        if month is None:
            tally[metric, cohort, claimant] += n
        else:
            months[month][metric] = n
    return tally_rows(tally), months


def _same_figures(figures, fair) -> None:
    rows, months = fair
    assert figures.rows == rows
    for month in figures.months:
        assert month.counts == {k: months[month.month].get(k, 0) for k in BASE_KEYS}


@pytest.mark.django_db
def test_impact_figures_of_a_large_academy(postgres, academy, compare):
    started = time.perf_counter()
    _generate(academy.pk)
    other = AcademyFactory(slug="other-bench")
    _generate(other.pk, people=PEOPLE // 10)
    print(
        f"\nBENCH generated 110,000 people and 1,100,000 records in "
        f"{time.perf_counter() - started:.1f} s"
    )
    academy = Academy.objects.get(pk=academy.pk)
    started = time.perf_counter()
    refresh_impact_summaries(academy)
    print(
        f"BENCH impact summaries of 100,000 people built in "
        f"{time.perf_counter() - started:.1f} s"
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    for start, end, label in ((START, END, "1 year"), (LAUNCH, TODAY, "mid-month")):
        summary = impact_figures(academy=academy, start=start, end=end)
        live = impact_figures(academy=academy, start=start, end=end, live=True)
        _same_figures(summary, fair_figures(academy, start, end))
        _same_figures(live, fair_figures(academy, start, end))

        result = compare(
            f"impact figures from summaries, {label}, 100k people",
            lambda s=start, e=end: impact_figures(academy=academy, start=s, end=e),
            lambda s=start, e=end: fair_figures(academy, s, e),
            rounds=5,
            repeat=1,
            goal=0.1,
            baseline_name="fair SQL",
        )
        assert result.median <= 0.1
        result = compare(
            f"impact figures live (for checking), {label}, 100k people",
            lambda s=start, e=end: impact_figures(
                academy=academy, start=s, end=e, live=True
            ),
            lambda s=start, e=end: fair_figures(academy, s, e),
            rounds=5,
            repeat=1,
            goal=1.2,
            baseline_name="fair SQL",
        )
        assert result.median <= 1.2

    for start, end, label in ((START, END, "1 year"), (LAUNCH, TODAY, "mid-month")):
        summary = impact_report(academy=academy, start=start, end=end)
        live = impact_report(academy=academy, start=start, end=end, live=True)
        assert (summary.rows, summary.event_rows, summary.activity) == (
            live.rows,
            live.event_rows,
            live.activity,
        )
        result = compare(
            f"whole impact report from summaries, {label}, 100k people",
            lambda s=start, e=end: impact_report(academy=academy, start=s, end=e),
            lambda s=start, e=end: impact_report(
                academy=academy, start=s, end=e, live=True
            ),
            rounds=5,
            repeat=1,
            goal=0.1,
            baseline_name="the whole live report",
        )
        assert result.median <= 0.1

    started = time.perf_counter()
    report = impact_report(academy=academy, start=START, end=END)
    print(f"BENCH whole impact report, 1 year: {time.perf_counter() - started:.2f} s")
    context = impact_page(report, publish=True).as_context()
    started = time.perf_counter()
    pdf = render_pdf("print/impact_report.html", context)
    seconds = time.perf_counter() - started
    print(f"BENCH impact report PDF: {seconds:.2f} s, {len(pdf) // 1024} KiB")
