"""The impact report's precomputed summaries give exactly the live figures: for random
casework, meetings, sustainment checks, referrals and event sign-ups, any period (whole
months or not), after a full build and after changes counted person by person, or
event attendances counted again (reporting/summaries.py)."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from participants.models import (
    Cohort,
    ImportRun,
    Meeting,
    Participant,
    Support,
    SustainmentCheck,
)
from reporting import tasks
from reporting.impact import impact_figures, impact_report
from reporting.models import ImpactChange, ImpactDay, ImpactSummary
from reporting.receivers import import_finished, participants_merged
from reporting.summaries import (
    impact_events_changed,
    impact_people_changed,
    refresh_impact_summaries,
)
from tests.participants.factories import (
    EnquiryFactory,
    MeetingFactory,
    OutcomeFactory,
    ParticipantCohortFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)
from tests.reporting.test_funders_build import areas as areas  # a fixture
from tests.reporting.test_funders_stored import supported as supported  # a fixture
from tests.reporting.test_funders_stored import ukspf as ukspf  # a fixture
from tests.vacancies.factories import (
    EventFactory,
    ReferralFactory,
    SignUpFactory,
    VacancyFactory,
)
from vacancies.models import Event, Referral, ReferralEvent, SignUp, Vacancy
from vacancies.services.events import local_datetime

pytestmark = pytest.mark.django_db

BASE = dt.date(2024, 1, 20)  # days are offsets from here: late January to June
SPAN = 140

# Records and periods fall on a coarse grid of days, so that a period often starts or
# ends on the day of a record, or the day after: the edges that must count exactly.
DAYS = st.integers(0, SPAN // 5).map(lambda k: 5 * k)
RECORDS = st.sampled_from(
    [
        ("plan", ""),
        ("outcome", "employment/health_social_care"),
        ("outcome", "employment/other"),
        ("outcome", "training/"),
        ("outcome", "volunteering/"),
        ("outcome", "education/"),
        ("support", "careers"),
        ("support", "mental_health"),
        ("support", "other"),
        # Activity: a meeting just after or before midnight (London), a job with its
        # check at 13 or 26 weeks done (in work or not) or not yet, referrals.
        ("meeting", "00:10"),
        ("meeting", "23:50"),
        ("check", "13/yes"),
        ("check", "26/no"),
        ("check", "13/due"),
        ("referral", "made"),
        ("referral", "suggested"),
        ("referral", "started"),
        # Events: came (linked to the record, or under the person's e-mail alone),
        # or booked and did not come; in 3 months (12 weeks) a plan, referral, job.
        ("event", "drop_in/linked"),
        ("event", "recruitment/email"),
        ("event", "drop_in/no_show"),
        ("event", "recruitment/linked"),
    ]
)
PERSON = st.fixed_dictionaries(
    {
        "claimant": st.booleans(),
        "registered": DAYS | st.integers(0, SPAN),
        "source": st.sampled_from(["job_centre", "event", ""]),
        "cohorts": st.sets(st.sampled_from(Cohort.values[:3]), max_size=2),
        "records": st.lists(
            st.tuples(RECORDS, DAYS), min_size=1, max_size=6, unique=True
        ),
    }
)
# People who came to events and have no record: (day, kind, e-mail from a few).
WALK_INS = st.lists(
    st.tuples(DAYS, st.sampled_from(["drop_in", "recruitment"]), st.integers(0, 3)),
    max_size=4,
)
PERIOD = st.tuples(
    st.integers(-1, SPAN // 5 + 1).map(lambda k: 5 * k) | st.integers(-5, SPAN + 5),
    st.integers(0, 80),
).map(lambda p: (BASE + dt.timedelta(days=p[0]), BASE + dt.timedelta(days=p[0] + p[1])))
# Periods of whole months too, which are counted from ImpactMonth alone.
MONTHS = st.tuples(st.integers(1, 6), st.integers(0, 4)).map(
    lambda m: (
        dt.date(2024, m[0], 1),
        (dt.date(2024, m[0] + m[1], 28) + dt.timedelta(days=4)).replace(day=1)
        - dt.timedelta(days=1),
    )
)


def _day(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


def _event(academy, offset: int, kind: str) -> Event:
    starts = local_datetime(_day(offset), dt.time(10, 0))
    found = Event.objects.filter(academy=academy, kind=kind, starts_at=starts).first()
    return found or EventFactory(
        academy=academy,
        kind=kind,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
    )


def _record(person: Participant, what: tuple[str, str], offset: int) -> None:
    kind, detail = what
    day = _day(offset)
    if kind == "plan":
        if not person.plans.filter(agreed_on=day).exists():
            SkillsActionPlanFactory(participant=person, agreed_on=day)
    elif kind == "outcome":
        outcome_kind, sector = detail.split("/")
        OutcomeFactory(
            participant=person, kind=outcome_kind, sector=sector, started_on=day
        )
    elif kind == "support":
        SupportFactory(participant=person, kind=detail, given_on=day)
    elif kind == "meeting":
        hour, minute = map(int, detail.split(":"))
        MeetingFactory(
            participant=person, held_at=local_datetime(day, dt.time(hour, minute))
        )
    elif kind == "check":
        weeks, result = detail.split("/")
        job = OutcomeFactory(
            participant=person, kind="employment", sector="other", started_on=day
        )
        SustainmentCheck.objects.create(
            outcome=job,
            weeks=int(weeks),
            due_on=day + dt.timedelta(weeks=int(weeks)),
            status="due" if result == "due" else "done",
            is_in_work=result == "yes",
        )
    elif kind == "referral":
        referral = ReferralFactory(
            participant=person,
            vacancy=VacancyFactory(academy=person.academy),
            stage=Referral.Stage.SUGGESTED if detail == "suggested" else detail,
        )
        if detail == "started":
            referral.stage = Referral.Stage.STARTED
            referral.save()
            for on in (day, day + dt.timedelta(days=10)):  # started twice: once
                ReferralEvent.objects.create(referral=referral, stage="started", on=on)
        else:
            ReferralEvent.objects.create(referral=referral, stage="referred", on=day)
        # Made late in the evening: the day in London is not the day in UTC.
        made = local_datetime(day, dt.time(23, 30))
        Referral.objects.filter(pk=referral.pk).update(created_at=made)
        Vacancy.objects.filter(pk=referral.vacancy_id).update(created_at=made)
    else:
        event_kind, how = detail.split("/")
        SignUpFactory(
            event=_event(person.academy, offset, event_kind),
            participant=person if how == "linked" else None,
            email=f"person{person.pk}@example.org",
            status=SignUp.Status.NO_SHOW if how == "no_show" else "attended",
        )


def _people(academy, people: list[dict]) -> list[Participant]:
    made = []
    for spec in people:
        person = ParticipantFactory(
            academy=academy,
            is_claimant=spec["claimant"],
            registered_on=_day(spec["registered"]),
            source=spec.get("source", ""),
        )
        for code in spec["cohorts"]:
            ParticipantCohortFactory(participant=person, code=code)
        for what, offset in spec["records"]:
            _record(person, what, offset)
        made.append(person)
    return made


def _walk_ins(academy, walk_ins, made: list[Participant]) -> None:
    """Walk-ins: e-mail 0 is the first person's, so their sign-ups are that person."""
    for offset, kind, which in walk_ins:
        email = f"walk-in{which}@example.org"
        if which == 0 and made:
            email = f"person{made[0].pk}@example.org"
        SignUpFactory(event=_event(academy, offset, kind), email=email)


def _same(academy, periods) -> None:
    for start, end in periods:
        live = impact_report(academy=academy, start=start, end=end, live=True)
        summary = impact_report(academy=academy, start=start, end=end)
        assert summary.rows == live.rows, (start, end)
        assert summary.months == live.months, (start, end)
        assert summary.event_rows == live.event_rows, (start, end)
        assert summary.activity == live.activity, (start, end)


class Rollback(Exception):
    pass


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(  # a period starting on a qualifying day, with another day after it
    people=[
        {
            "claimant": True,
            "registered": 0,
            "cohorts": set(),
            "records": [(("support", "careers"), 12), (("support", "careers"), 14)],
        }
    ],
    others=[],
    walk_ins=[],
    periods=[(BASE + dt.timedelta(days=12), BASE + dt.timedelta(days=20))],
    change=(0, ("plan", ""), 3),
)
@example(  # whole months, a person back in the second after the first
    people=[
        {
            "claimant": False,
            "registered": 0,
            "cohorts": {Cohort.values[0]},
            "records": [(("support", "careers"), 50), (("support", "careers"), 80)],
        }
    ],
    others=[],
    walk_ins=[],
    periods=[(dt.date(2024, 3, 1), dt.date(2024, 4, 30))],
    change=(0, ("plan", ""), 3),
)
@example(  # records before the period in its first month, after it in its last
    people=[
        {
            "claimant": False,
            "registered": 0,
            "cohorts": set(),
            "records": [(("support", "careers"), 15), (("meeting", "00:10"), 65)],
        },
        {
            "claimant": True,
            "registered": 0,
            "cohorts": set(),
            "records": [(("plan", ""), 20)],
        },
    ],
    others=[],
    walk_ins=[],
    periods=[(dt.date(2024, 2, 10), dt.date(2024, 3, 20))],
    change=(0, ("plan", ""), 3),
)
@example(  # a walk-in first, the same person registered later and linked: not new
    people=[
        {
            "claimant": True,
            "registered": 30,
            "source": "event",
            "cohorts": set(),
            "records": [
                (("event", "drop_in/linked"), 40),
                (("event", "recruitment/email"), 60),
                (("plan", ""), 50),
            ],
        },
        {
            "claimant": False,
            "registered": 0,
            "source": "",
            "cohorts": set(),
            "records": [(("meeting", "23:50"), 85), (("referral", "started"), 70)],
        },
    ],
    others=[],
    walk_ins=[(20, "drop_in", 0), (45, "recruitment", 1), (45, "drop_in", 1)],
    periods=[
        (BASE + dt.timedelta(days=20), BASE + dt.timedelta(days=44)),
        (BASE + dt.timedelta(days=41), BASE + dt.timedelta(days=75)),
    ],
    change=(0, ("event", "recruitment/linked"), 15),
)
@given(
    people=st.lists(PERSON, min_size=2, max_size=5),
    others=st.lists(PERSON, max_size=2),
    walk_ins=WALK_INS,
    periods=st.lists(st.one_of(PERIOD, MONTHS), min_size=2, max_size=4),
    change=st.tuples(st.integers(0, 4), RECORDS, st.integers(0, SPAN)),
)
def test_summaries_give_the_live_figures(
    academy, other_academy, people, others, walk_ins, periods, change
):
    try:
        with transaction.atomic():
            made = _people(academy, people)
            _walk_ins(academy, walk_ins, made)
            # And periods that start on someone's qualifying day, or the day after.
            days = sorted({offset for spec in people for _, offset in spec["records"]})
            periods = [
                *periods,
                *(
                    (_day(d + shift), _day(d + 45))
                    for d in days[:2]
                    for shift in (0, 1)
                ),
            ]
            _people(other_academy, others)  # never counted in the academy's figures
            _walk_ins(other_academy, walk_ins, [])
            refresh_impact_summaries(academy)
            _same(academy, periods)

            # Changes, counted person by person (or the events again) before the next
            # reading.
            which, what, offset = change
            person = made[which % len(made)]
            _record(person, what, offset)
            person.is_claimant = not person.is_claimant
            person.registered_on = _day(offset)
            person.save()
            person.cohorts.all().delete()
            ParticipantCohortFactory(participant=person, code=Cohort.values[-1])
            gone = Support.objects.filter(participant__in=made).first()
            if gone is not None:
                gone.delete()
            left = SignUp.objects.filter(event__academy=academy).first()
            if left is not None:
                left.delete()
            Meeting.objects.filter(participant__in=made[-1:]).delete()
            # What the receivers record of these (test_changes_are_followed checks it):
            impact_people_changed(academy.pk, [person.pk, made[-1].pk])
            impact_events_changed(academy.pk)
            assert ImpactChange.objects.filter(academy_id=academy.pk).exists()
            _same(academy, periods)
            assert not ImpactChange.objects.filter(academy_id=academy.pk).exists()
            raise Rollback
    except Rollback:
        pass


def test_figures_are_built_when_first_read_and_say_when(academy):
    person = ParticipantFactory(academy=academy, registered_on=dt.date(2024, 2, 10))
    SupportFactory(participant=person, given_on=dt.date(2024, 3, 5))
    assert not ImpactSummary.objects.filter(academy=academy).exists()
    report = impact_report(
        academy=academy, start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31)
    )
    assert report.value("support_people") == 1
    assert report.refreshed_at is not None
    assert ImpactDay.objects.filter(academy=academy).exists()


def test_a_period_ending_before_it_starts_is_refused(academy):
    with pytest.raises(ValueError, match="ends before"):
        impact_figures(academy=academy, start=dt.date(2024, 3, 2), end=BASE)


def test_summaries_hold_no_other_academys_people(academy, other_academy):
    mine = ParticipantFactory(academy=academy, registered_on=BASE)
    theirs = ParticipantFactory(academy=other_academy, registered_on=BASE)
    SupportFactory(participant=theirs, given_on=BASE)
    refresh_impact_summaries()
    assert set(
        ImpactDay.objects.filter(academy=academy).values_list(
            "participant_id", flat=True
        )
    ) == {mine.pk}
    figures = impact_figures(academy=academy, start=BASE, end=BASE)
    assert figures.rows == (
        impact_figures(academy=academy, start=BASE, end=BASE, live=True).rows
    )


def test_an_erased_person_leaves_the_summaries(academy):
    person = ParticipantFactory(academy=academy, registered_on=BASE)
    refresh_impact_summaries(academy)
    person.delete()
    figures = impact_figures(academy=academy, start=BASE, end=BASE)
    assert figures.rows == (
        impact_figures(academy=academy, start=BASE, end=BASE, live=True).rows
    )
    assert not ImpactDay.objects.filter(participant_id=person.pk).exists()


def _import_run(academy, user, *, finished_at, created=1):
    return ImportRun.objects.create(
        academy=academy,
        kind="support",
        file="imports/x.csv",
        original_name="x.csv",
        status=ImportRun.Status.DONE,
        created_by=user,
        finished_at=finished_at,
        summary={"rows": 1, "created": created, "updated": 0, "unchanged": 1 - created},
    )


def _written_past_the_receivers(academy) -> None:
    """Rows written as an import or a bulk update writes them: no signals."""
    person = ParticipantFactory(academy=academy, registered_on=BASE)
    refresh_impact_summaries(academy)
    Support.objects.bulk_create(
        [Support(participant=person, kind="careers", given_on=BASE)]
    )


def test_a_finished_import_rebuilds_the_academy(academy, coordinator):
    _written_past_the_receivers(academy)
    run = _import_run(academy, coordinator.user, finished_at=timezone.now())
    import_finished(args=(run.pk,))
    assert ImpactDay.objects.filter(academy=academy, metric="support_people").exists()


def test_an_import_finished_since_the_last_build_is_counted_when_read(
    academy, coordinator
):
    _written_past_the_receivers(academy)
    _import_run(
        academy, coordinator.user, finished_at=timezone.now() + dt.timedelta(seconds=1)
    )
    figures = impact_figures(academy=academy, start=BASE, end=BASE)
    assert figures.rows == (
        impact_figures(academy=academy, start=BASE, end=BASE, live=True).rows
    )


def test_an_import_that_changed_nothing_rebuilds_nothing(academy, coordinator):
    # Rebuilding a city academy's summaries takes ~13 s at 100,000 people (issue 16):
    # an unchanged file imported again changed nothing to count.
    _written_past_the_receivers(academy)
    run = _import_run(academy, coordinator.user, finished_at=timezone.now(), created=0)
    import_finished(args=(run.pk,))
    assert not ImpactDay.objects.filter(metric="support_people").exists()
    ImportRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now() + dt.timedelta(seconds=1)
    )
    impact_figures(academy=academy, start=BASE, end=BASE)  # read: not rebuilt
    assert not ImpactDay.objects.filter(metric="support_people").exists()


def test_a_failed_import_rebuilds_nothing(academy, coordinator):
    _written_past_the_receivers(academy)
    run = _import_run(academy, coordinator.user, finished_at=timezone.now())
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED)
    import_finished(args=(run.pk,))
    import_finished(args=())
    assert not ImpactDay.objects.filter(metric="support_people").exists()


def test_the_nightly_task_rebuilds_what_bulk_updates_changed(academy):
    _written_past_the_receivers(academy)
    tasks.impact_summaries_refresh()
    assert ImpactDay.objects.filter(academy=academy, metric="support_people").exists()


def test_the_worker_counts_changed_people_again(academy, other_academy):
    refresh_impact_summaries()
    ParticipantFactory(academy=academy, registered_on=BASE)
    ParticipantFactory(academy=other_academy, registered_on=BASE)
    assert tasks.impact_changes_apply() == 2
    assert not ImpactChange.objects.exists()
    assert ImpactDay.objects.filter(metric="people_registered").count() == 2


def test_merged_people_are_counted_again(academy):
    keep = ParticipantFactory(academy=academy, registered_on=BASE)
    duplicate = ParticipantFactory(academy=academy, registered_on=BASE)
    refresh_impact_summaries(academy)
    participants_merged(keep, duplicate)
    assert set(ImpactChange.objects.values_list("participant_id", flat=True)) == {
        keep.pk,
        duplicate.pk,
    }


def test_the_schedule_rebuilds_nightly_and_applies_changes_often():
    tasks_scheduled = {e["task"] for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reporting.tasks.impact_summaries_refresh" in tasks_scheduled
    assert "reporting.tasks.impact_changes_apply" in tasks_scheduled


def test_the_page_says_when_the_summaries_were_rebuilt():
    at = dt.datetime(2026, 12, 1, 4, 10, tzinfo=dt.UTC)
    shown = render_to_string("reporting/_figures_refreshed.html", {"refreshed_at": at})
    assert "last rebuilt in full on 1 December 2026 at 04:10" in " ".join(shown.split())
    assert not render_to_string(
        "reporting/_figures_refreshed.html", {"refreshed_at": None}
    ).strip()


def test_the_live_count_looks_at_the_academys_records_only(academy):
    """Seen (issue 16): the breakdowns' `IN (SELECT participant_id ...)` sets were built
    over every academy's rows."""
    with CaptureQueriesContext(connection) as seen:
        impact_figures(academy=academy, start=BASE, end=BASE, live=True)
    subqueries = [
        part
        for query in seen.captured_queries
        for part in query["sql"].split("IN (SELECT")[1:]
    ]
    assert len(subqueries) >= 10
    for part in subqueries:
        assert f'"academy_id" = {academy.pk}' in part.split("IN (SELECT")[0]


def test_a_file_imported_from_the_command_line_rebuilds_its_academys_summaries(
    academy, other_academy
):
    """The worker's imports are followed by the import task's receiver; one imported
    here and now (`manage.py import_records`) calls import_written_hooks after its
    commit, and reporting answers it: that academy's summaries are rebuilt."""
    from participants.services.imports import import_written_hooks
    from reporting.models import ImpactSummary

    for hook in import_written_hooks:
        hook(academy)

    assert list(ImpactSummary.objects.values_list("academy_id", flat=True)) == [
        academy.pk
    ]


CASEWORK_TABLES = (
    "participants_meeting",
    "participants_sustainmentcheck",
    "participants_skillsactionplan",
    "participants_outcome",
    "participants_support",
    "vacancies_signup",
    "vacancies_referral",
    "vacancies_referralevent",
)


def test_the_report_reads_summaries_not_casework(academy, other_academy):
    """Issue 16: the events figures and the activity counts were worked out from every
    sign-up, meeting, check and referral on each reading (7.5 s at 100,000 people)."""
    _people(
        academy,
        [
            {
                "claimant": True,
                "registered": 0,
                "cohorts": set(),
                "records": [
                    (("event", "drop_in/linked"), 10),
                    (("meeting", "00:10"), 15),
                    (("check", "13/yes"), 20),
                    (("referral", "started"), 25),
                ],
            }
        ],
    )
    start, end = BASE, BASE + dt.timedelta(days=60)
    impact_report(academy=academy, start=start, end=end)  # brought up to date
    with CaptureQueriesContext(connection) as seen:
        report = impact_report(academy=academy, start=start, end=end)
    read = " ".join(query["sql"] for query in seen.captured_queries)
    assert [table for table in CASEWORK_TABLES if f'"{table}"' in read] == []
    live = impact_report(academy=academy, start=start, end=end, live=True)
    assert (report.event_rows, report.activity) == (live.event_rows, live.activity)
    assert report.value("event_attendees") == 1
    assert report.activity.meetings == 1


def test_changes_are_followed(academy, coordinator):
    """Saving an activity record marks its person changed; a sign-up, event or
    enquiry has the academy's event attendances counted again."""
    person = ParticipantFactory(academy=academy, registered_on=BASE)
    refresh_impact_summaries(academy)
    changes = ImpactChange.objects.filter(academy_id=academy.pk)

    def marked() -> bool:
        found = changes.filter(participant_id=person.pk).exists()
        changes.all().delete()
        return found

    meeting = MeetingFactory(participant=person)
    assert marked()
    meeting.delete()
    assert marked()
    _record(person, ("check", "13/yes"), 5)
    assert marked()
    _record(person, ("referral", "started"), 5)
    assert marked()

    def events_marked() -> bool:
        summary = ImpactSummary.objects.get(academy=academy)
        found = summary.events_until is None
        ImpactSummary.objects.filter(pk=summary.pk).update(events_until=timezone.now())
        return found

    events_marked()
    event = _event(academy, 5, "drop_in")
    assert events_marked()
    sign_up = SignUpFactory(event=event, email="someone@example.org")
    assert events_marked()
    sign_up.delete()
    assert events_marked()
    EnquiryFactory(academy=academy)
    assert events_marked()


def test_an_event_someone_came_to_counts_once_it_has_started(academy):
    """Its sign-ups count from its start (the live report: events started by now),
    without a change to any record."""
    import time_machine

    soon = timezone.now() + dt.timedelta(hours=1)
    event = EventFactory(
        academy=academy, starts_at=soon, ends_at=soon + dt.timedelta(hours=1)
    )
    SignUpFactory(event=event, email="early@example.org")  # ticked in early
    day = timezone.localdate(soon)
    refresh_impact_summaries(academy)
    assert (
        impact_report(academy=academy, start=day, end=day).value("event_attendees") == 0
    )
    with time_machine.travel(soon + dt.timedelta(minutes=5)):
        report = impact_report(academy=academy, start=day, end=day)
        live = impact_report(academy=academy, start=day, end=day, live=True)
    assert report.value("event_attendees") == live.value("event_attendees") == 1


def test_attendances_counted_again_by_another_reader_are_not_counted_twice(academy):
    """Two readers finding the attendances changed: the second, let in after the
    first's rebuild, finds them up to date and writes nothing."""
    from reporting.summaries import _rebuild_events

    person = ParticipantFactory(academy=academy, registered_on=BASE)
    _record(person, ("event", "drop_in/linked"), 10)
    refresh_impact_summaries(academy)
    rows = set(ImpactDay.objects.filter(metric="event_attendees").values_list("pk"))
    assert rows
    _rebuild_events(academy)  # up to date: nothing to do
    assert set(
        ImpactDay.objects.filter(metric="event_attendees").values_list("pk")
    ) == (rows)
    impact_events_changed(academy.pk)
    _rebuild_events(academy)
    assert not rows & set(
        ImpactDay.objects.filter(metric="event_attendees").values_list("pk")
    )


@pytest.mark.parametrize("take_in", ["changes applied", "rebuilt"])
def test_funder_figures_still_say_casework_changed_once_summaries_take_it_in(
    client_of, manager, academy, ukspf, supported, take_in
):
    """The funder page's 'changed since' survives the summaries taking the changes
    in (opening the dashboard does, and a rebuild)."""
    from participants.models import Participant
    from tests.reporting.test_funders_stored import page_of

    client = client_of(manager)
    page_of(client, ukspf)
    person = Participant.objects.get(reference="PLY-0")
    SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 8, 1))
    if take_in == "rebuilt":
        refresh_impact_summaries(academy)
    else:
        impact_report(academy=academy, start=BASE, end=BASE)  # the dashboard's
    assert not ImpactChange.objects.filter(academy_id=academy.pk).exists()
    assert "Casework has changed since" in page_of(client, ukspf).content.decode()
