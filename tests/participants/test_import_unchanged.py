"""A file of participants imported again, unchanged, into the academy it was last
written into, with the same options and nothing it compares changed since, is
recorded as reading it would record it, without its rows being read
(participants/imports/unchanged.py). Anything else is read: the answer is the one
reading gives, compared here with the import's answer when made to read."""

import datetime as dt
import io

import pytest
from django.db import transaction

from academy.models import User
from participants import imports
from participants.models import ConsentRecord, ImportWritten, Participant
from participants.services import imports as import_services
from participants.services.casework import (
    consent_set,
    participant_merge,
    participant_update,
)
from participants.services.imports import import_written_hooks, records_import
from participants.services.rights import participant_erase
from tests.academy.factories import AcademyFactory, MembershipFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

PEOPLE = (
    "reference,first_name,last_name,registered_on,claimant,date_of_birth,postcode,"
    "email,phone,cohorts,source,consent_to_share,coordinator,notes\n"
    "A-1,Ann,Jones,2024-01-15,yes,1980-05-17,pl11aa,Ann@Example.NET,07700 900001,"
    "over_50;refugee,job_centre,yes,,x\n"
    "A-2,Bob,Smith,2024-02-01,no,,,,,,,no,{coordinator},\n"
    "A-3,Cat,Brown,2024-03-01,yes,1990-01-02,,,,neet,,,,\n"
    "A-4,Dan,Green,2024-03-02,yes,1991-01-02,pl12bb,dan@example.net,,,self,,,\n"
)


@pytest.fixture
def members(academy):
    one, two = (
        MembershipFactory(academy=academy, user__email=f"coordinator{n}@example.net")
        for n in (1, 2)
    )
    return one.user, two.user


@pytest.fixture
def people_file(members):
    return PEOPLE.format(coordinator=members[0].email).encode()


def _import(academy, data, **options):
    return records_import(
        academy=academy,
        kind="participants",
        source=io.BytesIO(data),
        file_name=options.pop("file_name", "people.csv"),
        by=None,
        **options,
    )


def _outcome(result):
    return (
        result.summary.as_dict(),
        [str(problem) for problem in result.problems],
        result.is_written,
    )


class _Reading:
    """Counts the files checked row by row; `forbidden` makes a check fail."""

    def __init__(self, monkeypatch, *, forbidden=False):
        self.count = 0
        checked = imports.import_check

        def check(**kwargs):
            self.count += 1
            if forbidden:
                raise AssertionError("the rows were read again")
            return checked(**kwargs)

        monkeypatch.setattr(imports, "import_check", check)


def _read_and_shortcut(monkeypatch, academy, data, **options):
    """(what reading the file gives, rolled back; what the import gives; whether
    the import read the file)."""
    with monkeypatch.context() as patched:
        patched.setattr(import_services, "_written_unchanged", lambda *a: None)
        saved = transaction.savepoint()
        read = _outcome(_import(academy, data, **dict(options)))
        transaction.savepoint_rollback(saved)
    reading = _Reading(monkeypatch)
    answer = _outcome(_import(academy, data, **options))
    return read, answer, reading.count > 0


def test_the_same_file_again_is_not_read_and_answers_as_reading_it(
    monkeypatch, academy, people_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as first_hooks:
        assert _import(academy, people_file).summary.created == 4
    with monkeypatch.context() as patched:
        patched.setattr(import_services, "_written_unchanged", lambda *a: None)
        saved = transaction.savepoint()
        with django_capture_on_commit_callbacks() as read_hooks:
            read = _outcome(_import(academy, people_file))
        transaction.savepoint_rollback(saved)
    _Reading(monkeypatch, forbidden=True)

    with django_capture_on_commit_callbacks() as hooks:
        again = _import(academy, people_file)

    assert _outcome(again) == read
    assert (again.summary.created, again.summary.unchanged) == (0, 4)
    assert again.summary.ignored_columns == ("notes",)
    # What follows a write (the summaries rebuilt) follows one that wrote something.
    assert len(first_hooks) == len(import_written_hooks) > 0
    assert len(hooks) == len(read_hooks) == 0
    # And again: the shortcut leaves what it found as it was.
    assert _outcome(_import(academy, people_file)) == read


def _edited(academy, members):
    ann = Participant.objects.get(academy=academy, reference="A-1")
    participant_update(
        participant=ann,
        by=members[1],
        cohorts=["over_50", "refugee"],
        postcode="PL9 9ZZ",
    )


def _consent(academy, members):
    bob = Participant.objects.get(academy=academy, reference="A-2")
    consent_set(
        participant=bob,
        kind=ConsentRecord.Kind.SHARE_WITH_PROVIDERS,
        is_given=True,
        by=members[1],
    )


def _cohort(academy, members):
    cat = Participant.objects.get(academy=academy, reference="A-3")
    participant_update(participant=cat, by=members[1], cohorts=["neet", "returner"])


def _other_import(academy, members):
    other = PEOPLE.replace("pl12bb", "pl13cc").format(coordinator=members[0].email)
    assert _import(academy, other.encode()).summary.updated == 1


def _erasure(academy, members):
    participant_erase(
        participant=Participant.objects.get(academy=academy, reference="A-2"),
        by=members[1],
        reason="asked to be forgotten",
    )


def _merge(academy, members):
    people = Participant.objects.filter(academy=academy)
    participant_merge(
        keep=people.get(reference="A-3"),
        duplicate=people.get(reference="A-4"),
        by=members[1],
    )


@pytest.mark.parametrize(
    "change",
    [_edited, _consent, _cohort, _other_import, _merge, _erasure],
    ids=lambda c: c.__name__,
)
def test_a_file_is_read_again_after_what_it_compares_changed(
    monkeypatch, academy, members, people_file, change
):
    _import(academy, people_file)
    change(academy, members)

    read, answer, was_read = _read_and_shortcut(monkeypatch, academy, people_file)

    assert was_read
    assert answer == read
    summary = answer[0]  # not what the file unchanged would answer
    assert (summary["created"], summary["updated"], summary["held"]) != (0, 0, 0)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"coordinator": 1}, id="another coordinator"),
        pytest.param({"dry_run": True}, id="a dry run"),
        pytest.param({"file_name": "people (2).csv"}, id="another name"),
        pytest.param({"accept": frozenset({"A-9"})}, id="other references accepted"),
    ],
)
def test_other_options_read_the_file_again(
    monkeypatch, academy, members, people_file, options
):
    _import(academy, people_file)
    if "coordinator" in options:
        options["coordinator"] = members[options["coordinator"]]

    read, answer, was_read = _read_and_shortcut(
        monkeypatch, academy, people_file, **options
    )

    assert was_read
    assert answer == read
    assert answer[0]["unchanged"] == 4


def test_a_file_one_byte_different_is_read(monkeypatch, academy, people_file):
    _import(academy, people_file)
    other = people_file.replace(b"pl12bb", b"pl12bc")

    read, answer, was_read = _read_and_shortcut(monkeypatch, academy, other)

    assert was_read
    assert answer == read
    assert answer[0]["updated"] == 1


def test_a_dry_run_first_is_no_import_written(monkeypatch, academy, people_file):
    _import(academy, people_file, dry_run=True)

    read, answer, was_read = _read_and_shortcut(monkeypatch, academy, people_file)

    assert was_read
    assert answer == read
    assert answer[0]["created"] == 4


def test_another_academy_reads_the_file(monkeypatch, academy, members, people_file):
    _import(academy, people_file)
    other = AcademyFactory()
    MembershipFactory(academy=other, user=members[0])

    read, answer, was_read = _read_and_shortcut(monkeypatch, other, people_file)

    assert was_read
    assert answer == read
    assert answer[0]["created"] == 4


def test_a_coordinator_who_left_is_another_reading(
    monkeypatch, academy, members, people_file
):
    _import(academy, people_file)
    User.objects.filter(pk=members[0].pk).update(is_active=False)

    read, answer, was_read = _read_and_shortcut(monkeypatch, academy, people_file)

    assert was_read
    assert answer == read
    assert answer[1]  # the row naming them has a problem now


def test_a_file_with_rows_held_back_is_read_again(monkeypatch, academy, people_file):
    Participant.objects.create(
        academy=academy,
        reference="B-1",
        first_name="Dan",
        last_name="Held",
        registered_on=dt.date(2024, 1, 1),
        email="dan@example.net",
    )
    assert _import(academy, people_file).summary.held == 1

    read, answer, was_read = _read_and_shortcut(monkeypatch, academy, people_file)

    assert was_read
    assert answer == read
    assert not ImportWritten.objects.filter(academy=academy).exists()


def test_a_change_written_by_another_while_importing_is_not_taken_as_seen(
    monkeypatch, academy, people_file
):
    applied = imports.import_apply

    def apply_and_someone_else_writes(**kwargs):
        summary = applied(**kwargs)
        Participant.objects.filter(academy=academy, reference="A-4").update(
            postcode="PL4 4DD"
        )
        return summary

    with monkeypatch.context() as patched:
        patched.setattr(imports, "import_apply", apply_and_someone_else_writes)
        _import(academy, people_file)

    read, answer, was_read = _read_and_shortcut(monkeypatch, academy, people_file)

    assert was_read
    assert answer == read
    assert answer[0]["updated"] == 1


def test_a_lower_row_limit_reads_the_file_again(
    monkeypatch, settings, academy, people_file
):
    _import(academy, people_file)
    settings.IMPORT_MAX_ROWS = 3
    _Reading(monkeypatch)

    with pytest.raises(imports.ImportFileError, match="more than 3 rows"):
        _import(academy, people_file)


def test_the_same_file_again_tells_the_same_progress(monkeypatch, academy, people_file):
    from participants.imports import checking

    monkeypatch.setattr(checking, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    _import(academy, people_file)
    read, shortcut = [], []
    with monkeypatch.context() as patched:
        patched.setattr(import_services, "_written_unchanged", lambda *a: None)
        saved = transaction.savepoint()
        _import(academy, people_file, progress=read.append)
        transaction.savepoint_rollback(saved)
    _Reading(monkeypatch, forbidden=True)

    _import(academy, people_file, progress=shortcut.append)

    assert shortcut == read == ["checked 2 rows", "checked 4 rows"]


def test_a_written_imports_digest_goes_with_the_import_files(
    monkeypatch, academy, people_file
):
    """Kept as long as an uploaded file (academy/inventory.py): the same file imported
    after that is read again, and gives the same answer."""
    from django.conf import settings
    from django.utils import timezone

    from participants.services.rights import import_files_expire

    first = _import(academy, people_file)
    days = settings.RETENTION_IMPORT_FILES_DAYS
    later = timezone.now() + dt.timedelta(days=days - 1)
    assert import_files_expire(later) == 0
    assert ImportWritten.objects.filter(academy=academy).exists()

    assert import_files_expire(timezone.now() + dt.timedelta(days=days + 1)) == 1

    assert not ImportWritten.objects.exists()
    reading = _Reading(monkeypatch)
    again = _import(academy, people_file)
    assert reading.count == 1
    assert again.summary.unchanged == first.summary.created


def test_the_databases_digest_of_the_records_is_pythons(postgres, monkeypatch, academy):
    """PostgreSQL sums the records' lines in parallel (issue 16: an unchanged file
    again took 3 to 5x COPY, most of it the digest's ordered string of 100,000
    lines); Python writes the same digest from the same records: awkward text, no
    date, both booleans, cohorts and none."""
    from participants.imports import unchanged
    from participants.models import ParticipantCohort

    odd = ParticipantFactory(
        academy=academy,
        first_name="Zoë\tA\\N",
        last_name="O'Brien\u2013Smith \U0001f600",
        date_of_birth=None,
        is_claimant=True,
    )
    ParticipantFactory(academy=academy, first_name="", is_claimant=False)
    ParticipantCohort.objects.create(participant=odd, code="refugee")
    ParticipantCohort.objects.create(participant=odd, code="over_50")
    ParticipantFactory(academy=AcademyFactory())  # not the academy's: not counted

    def python(with_cohorts):
        with monkeypatch.context() as patched:
            # The path SQLite takes, on these records.
            patched.setattr(postgres, "vendor", "sqlite")
            return unchanged.records_digest(academy, with_cohorts=with_cohorts)

    for with_cohorts in (False, True):
        assert unchanged.records_digest(academy, with_cohorts=with_cohorts) == python(
            with_cohorts
        )
    assert python(True) != python(False)
