"""A funder return's figures are stored as counted (issue 16): the page and its files
read them, the page says as of when and whether casework changed since, and "Count
again now" counts them again."""

import datetime as dt
import io
import threading

import openpyxl
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from reporting.disclosure import SUPPRESSED
from reporting.funders import services
from reporting.funders.build import counted_present, funder_return_build
from reporting.models import FunderReturn, FunderReturnFigures, ImpactChange
from tests.participants.factories import SupportFactory
from tests.reporting.test_funders_build import (
    YEAR,
    Person,
    built_cells,
    edge_people,
    make_return,
    random_people,
    write,
)
from tests.reporting.test_funders_build import areas as areas  # a fixture
from tests.reporting.test_funders_views import csv_rows

QUERY = {"year": str(YEAR)}
# Every read of casework by the build's one statement names this column.
STATEMENT = '"hit_person"'


@pytest.fixture
def ukspf(academy):
    services.funder_returns_install(academy)
    return FunderReturn.objects.get(academy=academy, code="ukspf-people-skills")


@pytest.fixture
def supported(academy, areas):
    """Three people given careers support in Q1 in Plymouth."""
    people = [
        Person(
            f"PLY-{i}",
            "PL1 1AA",
            dt.date(2024, 1, 5),
            supports=[("careers", dt.date(2024, 5, 1))],
        )
        for i in range(3)
    ]
    write(academy, people)
    return people


def page_of(client, funder_return, **query):
    return client.get(
        reverse("reporting:funder-return", args=[funder_return.pk]),
        {**QUERY, **query},
    )


def jobsearch_total(built):
    figures = next(f for f in built.indicators if f.indicator.code == "PS-OUT-01")
    return figures.total.values


def exceptions_of(built):
    e = built.exceptions
    return e.total, e.by_missing, [(p.pk, p.reference, p.missing) for p in e.people]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [3, 21])
def test_stored_figures_are_the_figures_counted_afresh(academy, areas, seed):
    write(academy, edge_people() + random_people(seed, 60))
    funder_return = make_return(academy)
    services.funder_figures_count(funder_return=funder_return, year=YEAR)
    for publish in (False, True):
        fresh = funder_return_build(
            funder_return=funder_return,
            year=YEAR,
            publish=publish,
            with_exceptions=True,
            with_people=True,
        )
        counted, stored = services.funder_figures_current(
            funder_return=FunderReturn.objects.get(pk=funder_return.pk), year=YEAR
        )
        kept = counted_present(
            counted,
            publish=publish,
            produced_at=stored.computed_at,
            with_exceptions=True,
            with_people=True,
        )
        assert built_cells(kept) == built_cells(fresh)
        assert [g.geography for g in kept.indicators[0].rows] == [
            g.geography for g in fresh.indicators[0].rows
        ]
        assert exceptions_of(kept) == exceptions_of(fresh)
        assert fresh.exceptions.total > 0  # the data set has some to compare


@pytest.mark.django_db
def test_the_page_reads_stored_figures_without_counting_again(
    client_of, manager, ukspf, supported
):
    client = client_of(manager)
    first = page_of(client, ukspf)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = page_of(client, ukspf)
    assert again.status_code == 200
    assert jobsearch_total(again.context["built"]) == (3, 0, 0, 0, 3)
    counting = [q["sql"] for q in queries.captured_queries if STATEMENT in q["sql"]]
    assert counting == []
    # The publication rules apply to the stored counts when shown.
    published = page_of(client, ukspf, publish="on")
    assert jobsearch_total(published.context["built"])[0] == SUPPRESSED


@pytest.mark.django_db
def test_a_change_since_is_said_and_count_again_now_counts_it(
    client_of, coordinator, ukspf, supported
):
    client = client_of(coordinator)
    html = page_of(client, ukspf).content.decode()
    assert "Figures as of" in html
    assert "Casework has changed since" not in html
    person = Participant.objects.get(reference="PLY-0")
    SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 8, 1))
    page = page_of(client, ukspf)
    assert "Casework has changed since" in page.content.decode()
    assert jobsearch_total(page.context["built"]) == (3, 0, 0, 0, 3)  # as stored

    url = reverse("reporting:funder-return", args=[ukspf.pk])
    answer = client.post(url, {"year": str(YEAR)}, follow=True)
    assert answer.redirect_chain[-1][0] == f"{url}?year={YEAR}"
    html = answer.content.decode()
    assert "Counted again" in html
    assert "Casework has changed since" not in html
    assert jobsearch_total(answer.context["built"]) == (3, 1, 0, 0, 3)


@pytest.mark.django_db
@pytest.mark.parametrize("take_in", ["apply", "rebuild"])
def test_a_change_the_impact_summaries_took_in_is_still_said(
    client_of, manager, academy, ukspf, supported, take_in
):
    from reporting.summaries import impact_changes_apply, refresh_impact_summaries

    refresh_impact_summaries(academy)
    client = client_of(manager)
    page_of(client, ukspf)
    person = Participant.objects.get(reference="PLY-0")
    SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 8, 1))
    if take_in == "apply":  # as a dashboard reading does
        assert impact_changes_apply(academy) == 1
    else:
        refresh_impact_summaries(academy)
    assert not ImpactChange.objects.filter(academy_id=academy.pk).exists()
    assert "Casework has changed since" in page_of(client, ukspf).content.decode()
    assert services.funder_figures_refresh(academy, changed_only=True) == 1
    page = page_of(client, ukspf)
    assert "Casework has changed since" not in page.content.decode()
    assert jobsearch_total(page.context["built"]) == (3, 1, 0, 0, 3)


def _change_while_counting(monkeypatch, change):
    """Run `change` (committed, as another member's request) in the middle of the
    next count: after it read the figures' generation, before it stores them."""
    real = services.funder_return_count

    def counting(**kwargs):
        counted = real(**kwargs)
        change()
        return counted

    monkeypatch.setattr(services, "funder_return_count", counting)


@pytest.mark.django_db
@pytest.mark.parametrize("stale_before", [False, True])
def test_a_change_made_while_counting_leaves_the_figures_stale(
    monkeypatch, academy, ukspf, supported, stale_before
):
    services.funder_figures_count(funder_return=ukspf, year=YEAR)
    person = Participant.objects.get(reference="PLY-0")
    if stale_before:
        SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 7, 1))
    _change_while_counting(
        monkeypatch,
        lambda: SupportFactory(
            participant=person, kind="careers", given_on=dt.date(2024, 8, 1)
        ),
    )
    services.funder_figures_count(funder_return=ukspf, year=YEAR)
    monkeypatch.undo()
    stored = FunderReturnFigures.objects.get(funder_return=ukspf, year=YEAR)
    assert stored.is_stale  # the change may not be counted: said, and counted again
    assert stored.computed_at > timezone.now() - dt.timedelta(minutes=5)
    assert services.funder_figures_refresh(academy, changed_only=True) == 1
    assert not FunderReturnFigures.objects.get(pk=stored.pk).is_stale


@pytest.mark.django_db
def test_figures_counted_for_the_first_time_while_casework_changes_stay_stale(
    monkeypatch, academy, ukspf, supported
):
    person = Participant.objects.get(reference="PLY-0")
    _change_while_counting(
        monkeypatch,
        lambda: SupportFactory(
            participant=person, kind="careers", given_on=dt.date(2024, 8, 1)
        ),
    )
    services.funder_figures_count(funder_return=ukspf, year=YEAR)
    assert FunderReturnFigures.objects.get(funder_return=ukspf, year=YEAR).is_stale


@pytest.mark.django_db
def test_every_way_casework_changes_marks_the_figures_stale(
    academy, coordinator, ukspf, supported
):
    from participants.services import participant_erase, participant_merge
    from reporting.receivers import academy_rewritten
    from tests.participants.factories import ParticipantFactory
    from tests.vacancies.factories import EventFactory

    def counted_then(change):
        services.funder_figures_count(funder_return=ukspf, year=YEAR)
        assert not FunderReturnFigures.objects.get(funder_return=ukspf).is_stale
        change()
        return FunderReturnFigures.objects.get(funder_return=ukspf).is_stale

    first, second = Participant.objects.filter(reference__in=["PLY-0", "PLY-1"])
    assert counted_then(
        lambda: SupportFactory(participant=first, given_on=dt.date(2024, 8, 1))
    )
    duplicate = ParticipantFactory(academy=academy)
    assert counted_then(
        lambda: participant_merge(keep=first, duplicate=duplicate, by=coordinator.user)
    )
    assert counted_then(
        lambda: participant_erase(participant=second, by=coordinator.user, reason="x")
    )
    assert counted_then(lambda: EventFactory(academy=academy))
    # An import is counted again at once, after it.
    Participant.objects.filter(pk=first.pk).update(postcode="PL4 6AB")
    academy_rewritten(academy)
    assert not FunderReturnFigures.objects.get(funder_return=ukspf).is_stale


@pytest.mark.django_db
def test_count_again_keeps_for_publication(client_of, manager, ukspf, supported):
    url = reverse("reporting:funder-return", args=[ukspf.pk])
    answer = client_of(manager).post(url, {"year": str(YEAR), "publish": "on"})
    assert answer.status_code == 302
    assert answer["Location"] == f"{url}?year={YEAR}&publish=on"


@pytest.mark.django_db
def test_count_again_is_not_for_providers_nor_another_academys_return(
    client_of, provider, other_manager, ukspf
):
    url = reverse("reporting:funder-return", args=[ukspf.pk])
    assert client_of(provider).post(url, QUERY).status_code == 403
    assert client_of(other_manager).post(url, QUERY).status_code == 404
    assert not FunderReturnFigures.objects.exists()


@pytest.mark.django_db
def test_a_bad_count_again_gets_a_clear_answer(client_of, manager, ukspf):
    client = client_of(manager)
    url = reverse("reporting:funder-return", args=[ukspf.pk])
    answer = client.post(url, {"year": "1900"}, follow=True)
    assert answer.status_code == 200
    assert "Choose a financial year from the list" in answer.content.decode()
    assert not FunderReturnFigures.objects.filter(year=1900).exists()
    unknown = reverse("reporting:funder-return", args=[ukspf.pk + 1000])
    assert client.post(unknown, QUERY).status_code == 404
    assert client.get(url, QUERY).status_code == 200  # a GET is the page


def _files(client, funder_return):
    """The CSV's and the workbook's total of PS-OUT-01 and their 'as of' lines."""
    rows = csv_rows(
        client.get(
            reverse("reporting:funder-return-csv", args=[funder_return.pk]), QUERY
        )
    )
    in_csv = next(r for r in rows if r[0] == "PS-OUT-01" and r[4] == "Total")
    response = client.get(
        reverse("reporting:funder-return-xlsx", args=[funder_return.pk]), QUERY
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(values_only=True)}
    figures = list(book["Figures"].iter_rows(values_only=True))
    in_book = next(r for r in figures if r[0] == "PS-OUT-01" and r[4] == "Total")
    return in_csv[7:], list(in_book[7:]), rows[0][0], cover["Figures as of"]


def _as_of(funder_return):
    stored = FunderReturnFigures.objects.get(funder_return=funder_return)
    return timezone.localtime(stored.computed_at).strftime("%d %B %Y %H:%M")


@pytest.mark.django_db
def test_files_carry_the_figures_of_the_page_and_when_they_were_counted(
    client_of, manager, ukspf, supported
):
    client = client_of(manager)
    page = page_of(client, ukspf)
    assert jobsearch_total(page.context["built"]) == (3, 0, 0, 0, 3)
    as_of = _as_of(ukspf)
    with CaptureQueriesContext(connection) as queries:
        in_csv, in_book, csv_as_of, book_as_of = _files(client, ukspf)
    assert not [q for q in queries.captured_queries if STATEMENT in q["sql"]]
    assert in_csv == ["3", "0", "0", "0", "3"]
    assert in_book == [3, 0, 0, 0, 3]
    assert "figures as of" in csv_as_of
    assert as_of in csv_as_of
    assert as_of in book_as_of


@pytest.mark.django_db
def test_files_count_stale_figures_again_before_they_are_sent(
    client_of, manager, ukspf, supported
):
    client = client_of(manager)
    page_of(client, ukspf)
    person = Participant.objects.get(reference="PLY-0")
    SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 8, 1))
    in_csv, in_book, _, _ = _files(client, ukspf)
    assert in_csv == ["3", "1", "0", "0", "3"]
    assert in_book == [3, 1, 0, 0, 3]
    assert not FunderReturnFigures.objects.get(funder_return=ukspf).is_stale


@pytest.mark.django_db
def test_count_again_now_twice_in_a_minute_counts_once(
    client_of, coordinator, ukspf, supported
):
    client = client_of(coordinator)
    url = reverse("reporting:funder-return", args=[ukspf.pk])
    html = client.post(url, QUERY, follow=True).content.decode()
    assert "Counted again" in html
    counted_at = FunderReturnFigures.objects.get(funder_return=ukspf).computed_at
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(url, QUERY, follow=True)
    assert "Counted a moment ago; nothing has changed since." in (
        answer.content.decode()
    )
    assert [q for q in queries.captured_queries if STATEMENT in q["sql"]] == []
    assert FunderReturnFigures.objects.get(funder_return=ukspf).computed_at == (
        counted_at
    )
    # A change since, or a minute gone by: counted again.
    person = Participant.objects.get(reference="PLY-0")
    SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 8, 1))
    html = client.post(url, QUERY, follow=True).content.decode()
    assert "Counted again" in html
    FunderReturnFigures.objects.update(
        computed_at=timezone.now() - dt.timedelta(minutes=2)
    )
    assert "Counted again" in client.post(url, QUERY, follow=True).content.decode()


@pytest.mark.django_db
def test_an_erased_or_removed_person_leaves_the_stored_exceptions_at_once(
    client_of, coordinator, academy, ukspf, areas
):
    from participants.services import participant_merge
    from participants.services.rights import participant_erase

    write(
        academy,
        [
            Person(
                f"NODOB-{i}",
                "PL1 1AA",
                dt.date(2024, 1, 5),
                born=None,
                supports=[("careers", dt.date(2024, 5, 1))],
            )
            for i in range(3)
        ],
    )
    client = client_of(coordinator)
    shown = page_of(client, ukspf).context["built"].exceptions.people
    assert [p.reference for p in shown] == ["NODOB-0", "NODOB-1", "NODOB-2"]
    erased = Participant.objects.get(reference="NODOB-0")
    participant_erase(participant=erased, by=coordinator.user, reason="Asked")
    removed = Participant.objects.get(reference="NODOB-1")
    participant_merge(
        keep=Participant.objects.get(reference="NODOB-2"),
        duplicate=removed,
        by=coordinator.user,
    )  # the duplicate record is deleted

    page = page_of(client, ukspf)
    assert page.status_code == 200
    html = page.content.decode()
    assert "NODOB-0" not in html
    assert "NODOB-1" not in html
    assert "NODOB-2" in html
    assert removed.pk not in [p.pk for p in page.context["built"].exceptions.people]


@pytest.mark.django_db
def test_the_five_minute_task_counts_stale_figures_of_an_academy_not_summarised(
    academy, ukspf, supported
):
    from reporting.models import ImpactSummary
    from reporting.tasks import impact_changes_apply

    services.funder_figures_count(funder_return=ukspf, year=YEAR)
    person = Participant.objects.get(reference="PLY-0")
    SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 8, 1))
    assert not ImpactSummary.objects.filter(academy=academy).exists()

    impact_changes_apply()

    stored = FunderReturnFigures.objects.get(funder_return=ukspf, year=YEAR)
    assert not stored.is_stale
    counted, _ = services.funder_figures_current(funder_return=ukspf, year=YEAR)
    row = [i.code for i in counted.indicators].index("PS-OUT-01")
    assert counted.counts[row][0] == [3, 1, 0, 0, 3]


@pytest.mark.django_db
def test_refresh_counts_again_every_stored_year_of_the_academy(
    academy, other_academy, ukspf, supported
):
    services.funder_returns_install(other_academy)
    theirs = FunderReturn.objects.get(academy=other_academy, code="ukspf-people-skills")
    for funder_return in (ukspf, theirs):
        for year in (YEAR, YEAR - 1):
            services.funder_figures_count(funder_return=funder_return, year=year)
    assert services.funder_figures_refresh(academy, changed_only=True) == 0
    person = Participant.objects.get(reference="PLY-0")
    SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 8, 1))
    assert services.funder_figures_refresh(academy, changed_only=True) == 2
    counted, _ = services.funder_figures_current(funder_return=ukspf, year=YEAR)
    row = counted.indicators.index(
        next(i for i in counted.indicators if i.code == "PS-OUT-01")
    )
    assert counted.counts[row][0] == [3, 1, 0, 0, 3]
    assert services.funder_figures_refresh(academy, changed_only=True) == 0
    assert services.funder_figures_refresh() == 4
    assert not FunderReturnFigures.objects.filter(is_stale=True).exists()


@pytest.mark.django_db
def test_an_edit_to_the_return_is_counted_before_it_is_shown(
    client_of, admin, ukspf, supported
):
    client = client_of(admin)
    page_of(client, ukspf)
    figure = ukspf.indicators.get(code="PS-OUT-01")
    figure.is_retired = True
    services.indicator_save(indicator=figure, by=admin.user)
    built = page_of(client, ukspf).context["built"]
    assert built.version == 2
    assert "PS-OUT-01" not in {f.indicator.code for f in built.indicators}


@pytest.mark.django_db
def test_the_five_minute_task_counts_again_the_figures_a_change_touched(
    client_of, manager, academy, ukspf, supported
):
    from reporting.summaries import refresh_impact_summaries
    from reporting.tasks import impact_changes_apply

    refresh_impact_summaries(academy)
    client = client_of(manager)
    page_of(client, ukspf)
    person = Participant.objects.get(reference="PLY-0")
    SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 8, 1))
    assert "Casework has changed since" in page_of(client, ukspf).content.decode()

    impact_changes_apply()

    page = page_of(client, ukspf)
    assert "Casework has changed since" not in page.content.decode()
    assert jobsearch_total(page.context["built"]) == (3, 1, 0, 0, 3)


@pytest.mark.django_db
def test_the_nightly_task_counts_every_stored_year_again(academy, ukspf, supported):
    from reporting.tasks import impact_summaries_refresh

    services.funder_figures_count(funder_return=ukspf, year=YEAR)
    # Written past every receiver (a bulk update): only the nightly run sees it.
    Participant.objects.filter(reference="PLY-1").update(postcode="PL4 6AB")
    FunderReturnFigures.objects.update(
        computed_at=timezone.now() - dt.timedelta(days=1)
    )

    impact_summaries_refresh()

    stored = FunderReturnFigures.objects.get(funder_return=ukspf, year=YEAR)
    assert timezone.now() - stored.computed_at < dt.timedelta(minutes=5)


@pytest.mark.django_db
def test_an_import_from_the_command_line_counts_the_figures_again(
    academy, ukspf, supported
):
    from participants.services.imports import import_written_hooks

    services.funder_figures_count(funder_return=ukspf, year=YEAR)
    person = Participant.objects.get(reference="PLY-2")
    SupportFactory(participant=person, kind="careers", given_on=dt.date(2024, 8, 1))
    ImpactChange.objects.all().delete()  # as if taken in: only the import's hook

    for hook in import_written_hooks:
        hook(academy)

    counted, _ = services.funder_figures_current(funder_return=ukspf, year=YEAR)
    row = counted.indicators.index(
        next(i for i in counted.indicators if i.code == "PS-OUT-01")
    )
    assert counted.counts[row][0] == [3, 1, 0, 0, 3]


def _in_thread(target):
    """Run `target` on a connection of its own (another member's request)."""

    def run():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stale_before", [False, True])
def test_a_change_committed_after_a_count_read_casework_leaves_it_stale(
    postgres, monkeypatch, academy, areas, stale_before
):
    """On PostgreSQL's real connections: a change made once a count has begun and
    committed after the count read casework without it leaves the figures stale,
    whether they were current or already stale before; and a count begun while a
    change is uncommitted waits for it, and counts it."""
    services.funder_returns_install(academy)
    ukspf = FunderReturn.objects.get(academy=academy, code="ukspf-people-skills")
    write(
        academy,
        [
            Person(
                f"PLY-{i}",
                "PL1 1AA",
                dt.date(2024, 1, 5),
                supports=[("careers", dt.date(2024, 5, 1))],
            )
            for i in range(2)
        ],
    )
    services.funder_figures_count(funder_return=ukspf, year=YEAR)
    first, second = Participant.objects.order_by("reference")
    if stale_before:
        SupportFactory(participant=second, kind="careers", given_on=dt.date(2024, 7, 1))
    started, changed, counted = threading.Event(), threading.Event(), threading.Event()

    def slow_change():
        assert started.wait(30)
        with transaction.atomic():
            SupportFactory(
                participant=first, kind="careers", given_on=dt.date(2024, 8, 1)
            )
            changed.set()
            assert counted.wait(30)

    real = services.funder_return_count

    def counting(**kwargs):
        started.set()  # the generation read
        assert changed.wait(30)
        figures = real(**kwargs)
        counted.set()  # casework read: the change is not in it
        return figures

    monkeypatch.setattr(services, "funder_return_count", counting)
    stored_figures = []
    threads = [
        _in_thread(slow_change),
        _in_thread(
            lambda: stored_figures.append(
                services.funder_figures_count(funder_return=ukspf, year=YEAR)
            )
        ),
    ]
    for thread in threads:
        thread.join(60)
    monkeypatch.undo()
    assert not any(thread.is_alive() for thread in threads)
    stored = FunderReturnFigures.objects.get(funder_return=ukspf, year=YEAR)
    fresh = services.funder_return_count(funder_return=ukspf, year=YEAR)
    assert stored_figures[0].counts != fresh.counts  # the count missed the change
    assert stored.is_stale  # and says so: the 5-minute task counts it again
    assert services.funder_figures_refresh(academy, changed_only=True) == 1
    counted_now, stored = services.funder_figures_current(
        funder_return=ukspf, year=YEAR
    )
    assert counted_now.counts == fresh.counts
    assert not stored.is_stale

    # A change uncommitted when a count begins: the count waits for it.
    changed.clear()

    def open_change():
        with transaction.atomic():
            SupportFactory(
                participant=second, kind="careers", given_on=dt.date(2024, 9, 1)
            )
            changed.set()
            threading.Event().wait(2)  # the count starts meanwhile, and waits

    change = _in_thread(open_change)
    assert changed.wait(30)
    count = _in_thread(
        lambda: stored_figures.append(
            services.funder_figures_count(funder_return=ukspf, year=YEAR)
        )
    )
    change.join(60)
    count.join(60)
    fresh = services.funder_return_count(funder_return=ukspf, year=YEAR)
    assert stored_figures[-1].counts == fresh.counts
    assert not FunderReturnFigures.objects.get(pk=stored.pk).is_stale
