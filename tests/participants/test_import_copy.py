"""Imports on PostgreSQL write through COPY into a staging table and set-based SQL
(participants/imports/copying.py); SQLite (and these tests, when told) through the ORM.
The same files must leave the same database: people, consent ledgers, cohorts,
timeline notes, plans, support, outcomes and their checks, and the change history the
audit triggers keep; a bad file, a row repeated in the file and a person already held
are refused or held back alike."""

import io

import pytest
from django.db import connection

from academy.audit import audit_context
from academy.models import ChangeRecord
from participants.imports import writing
from participants.models import (
    CaseNote,
    Cohort,
    ConsentRecord,
    Outcome,
    Participant,
    ParticipantCohort,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
)
from participants.services.imports import import_written_hooks, records_import
from tests.academy.factories import AcademyFactory, MembershipFactory
from tests.participants.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

PEOPLE = (
    "reference,first_name,last_name,registered_on,claimant,date_of_birth,postcode,"
    "email,phone,cohorts,source,consent_to_share,coordinator\n"
    "A-1,Ann,Jones,2024-01-15,yes,1980-05-17,pl11aa,Ann@Example.NET,07700 900001,"
    "over_50;refugee,job_centre,yes,\n"
    "A-2,Bob,Smith,2024-02-01,no,,,,,,,no,{coordinator}\n"
    "A-3,Cat,Brown,2024-03-01,yes,1990-01-02,,,,neet,,,\n"
)
# Changes Ann's e-mail and cohorts and withdraws her consent to share; A-4 has the
# e-mail of someone already held (a likely duplicate, held back); A-5 is new.
PEOPLE_AGAIN = (
    "reference,first_name,last_name,registered_on,claimant,email,cohorts,"
    "consent_to_share\n"
    "A-1,Ann,Jones,2024-01-15,yes,ann.jones@example.net,returner,no\n"
    "A-2,Robert,Smith,2024-02-01,no,,,\n"
    "A-4,Dan,Green,2024-04-01,no,held@example.net,,\n"
    "A-5,Eve,White,2024-04-02,yes,,student,yes\n"
)
PLANS = (
    "participant_reference,agreed_on,pathway,target_role,status\n"
    "A-1,2024-01-20,demand,Care worker,\n"
    "A-2,2024-02-10,supply,,completed\n"
)
SUPPORT = (
    "participant_reference,date,kind,notes\n"
    "A-1,2024-01-22,careers,CV written\n"
    "A-3,2024-03-05,financial,\n"
)
OUTCOMES = (
    "participant_reference,kind,started_on,sector,employer,role,hours_per_week\n"
    "A-1,employment,2024-02-01,adult_social_care,Acme Care,Care worker,37.5\n"
    "A-2,training,2024-03-01,,,,\n"
)
SUPPORT_AGAIN = (
    "participant_reference,date,kind,notes\nA-1,2024-01-22,careers,CV and letter\n"
)
BAD = (
    "reference,first_name,last_name,registered_on,claimant\n"
    "B-1,Fay,,2024-01-01,maybe\n"
    "B-2,Gus,Hill,2099-01-01,yes\n"
)
# A bad cell of every kind a participant file can have; rows 2 and 3 share some bad
# cells (each row is told, with its own number).
BAD_CELLS = (
    "reference,first_name,last_name,registered_on,claimant,date_of_birth,postcode,"
    "email,phone,cohorts,source,consent_to_share,coordinator\n"
    "D-1,Ann,Jones,2024-13-01,maybe,1980/01/01,XYZ 123,not-an-email,call me,"
    "over_50;astronaut,tv,perhaps,nobody@example.net\n"
    "D-2,Bob,Smith,2024-13-01,maybe,2099-01-01,pl11aa,bob@example.net,07700 900002,"
    ",,yes,\n"
    f"D-3,,{'x' * 101},2024-01-01,yes,,,,,,,,\n"
)
BAD_OTHER_CELLS = (
    (
        "action_plans",
        "participant_reference,agreed_on,pathway,target_role,status\n"
        "Z-9,2024-01-20,sideways,,paused\n"
        "A-1,,demand,,\n",
    ),
    (
        "support",
        "participant_reference,date,kind,notes\nA-1,2099-01-01,magic,\n",
    ),
    (
        "outcomes",
        "participant_reference,kind,started_on,sector,employer,role,hours_per_week\n"
        "A-1,employment,2024-02-01,,,,81\n"
        "A-2,training,2024-03-01,,,,7.25\n",
    ),
)
BAD_CELLS_PROBLEMS = [
    "row 2: registered_on: '2024-13-01' is not a real date",
    "row 2: claimant: 'maybe' is not yes or no",
    "row 2: date_of_birth: '1980/01/01' is not a date in the form YYYY-MM-DD",
    "row 2: postcode: 'XYZ 123' is not a UK postcode",
    "row 2: email: 'not-an-email' is not an e-mail address",
    "row 2: phone: 'call me' is not a UK phone number",
    f"row 2: source: 'tv' is not one of: {', '.join(Participant.Source.values)}",
    "row 2: consent_to_share: 'perhaps' is not yes or no",
    "row 2: coordinator: 'nobody@example.net' is not a coordinator or admin of this "
    "academy",
    "row 2: cohorts: 'astronaut' is not a cohort; use codes separated by ';' from: "
    f"{', '.join(Cohort.values)}",
    "row 3: registered_on: '2024-13-01' is not a real date",
    "row 3: claimant: 'maybe' is not yes or no",
    "row 3: date_of_birth: '2099-01-01' is in the future",
    "row 4: first_name: required, but empty",
    "row 4: last_name: longer than 100 characters",
]
BAD_OTHER_PROBLEMS = [
    [
        "row 2: participant_reference: no participant with reference 'Z-9' in this "
        "academy",
        "row 2: pathway: 'sideways' is not one of: "
        f"{', '.join(SkillsActionPlan.Pathway.values)}",
        "row 2: status: 'paused' is not one of: "
        f"{', '.join(SkillsActionPlan.Status.values)}",
        "row 3: agreed_on: required, but empty",
    ],
    [
        "row 2: date: '2099-01-01' is in the future",
        f"row 2: kind: 'magic' is not one of: {', '.join(Support.Kind.values)}",
    ],
    [
        "row 2: sector: required for employment: one of "
        f"{', '.join(Outcome.Sector.values)}",
        "row 2: hours_per_week: '81' is not a number of hours from 0 to 80",
        "row 3: hours_per_week: '7.25' has more than one decimal place",
    ],
]
REPEATED = (
    "reference,first_name,last_name,registered_on,claimant\n"
    "C-1,Hal,King,2024-01-01,yes\n"
    "C-1,Hal,King,2024-01-01,yes\n"
)


def _import(academy, kind, text, *, accept=(), by=None):
    with audit_context(actor_id=by.pk if by else None, academy_id=academy.pk):
        return records_import(
            academy=academy,
            kind=kind,
            source=io.BytesIO(text.encode()),
            file_name=f"{kind}.csv",
            by=by,
            accept=frozenset(accept),
        )


def _journey(academy, coordinator):
    """The same files, in the same order, into one academy; what each answered."""
    ParticipantFactory(
        academy=academy,
        reference="H-1",
        first_name="Held",
        last_name="Person",
        date_of_birth=None,
        email="held@example.net",
        phone="+447700900999",
    )
    people = PEOPLE.format(coordinator=coordinator.email)
    answers = []
    for kind, text, accept in (
        ("participants", people, ()),
        ("participants", people, ()),  # again: nothing changes
        ("participants", BAD, ()),
        ("participants", BAD_CELLS, ()),
        ("participants", REPEATED, ()),
        ("participants", PEOPLE_AGAIN, ("A-2",)),
        ("action_plans", PLANS, ()),
        ("support", SUPPORT, ()),
        ("outcomes", OUTCOMES, ()),
        ("support", SUPPORT_AGAIN, ()),
        *((kind, text, ()) for kind, text in BAD_OTHER_CELLS),
    ):
        result = _import(academy, kind, text, accept=accept, by=coordinator)
        summary = result.summary.as_dict()
        answers.append(
            (
                kind,
                result.is_written,
                [str(p) for p in result.problems],
                {k: v for k, v in summary.items() if k != "kind"},
            )
        )
    return answers


def _state(academy):
    """Everything the imports wrote into the academy, without ids and write times."""
    people = Participant.objects.filter(academy=academy)
    references = dict(people.values_list("pk", "reference"))

    def ref(pk):
        return references.get(pk, pk)

    skip = {"id", "academy", "created_at", "updated_at"}
    return {
        "people": sorted(
            tuple(
                (f.name, str(getattr(p, f.attname)))
                for f in Participant._meta.concrete_fields
                if f.name not in skip
            )
            for p in people
        ),
        "consents": sorted(
            (
                ref(c.participant_id),
                c.kind,
                c.is_given,
                c.source,
                c.recorded_by_id,
                c.note,
            )
            for c in ConsentRecord.objects.filter(participant__academy=academy)
        ),
        "cohorts": sorted(
            (ref(c.participant_id), c.code)
            for c in ParticipantCohort.objects.filter(participant__academy=academy)
        ),
        "notes": sorted(
            (ref(n.participant_id), n.text.split(" (")[0], n.written_by_id)
            for n in CaseNote.objects.filter(participant__academy=academy)
        ),
        "plans": sorted(
            (ref(p.participant_id), p.agreed_on, p.pathway, p.target_role, p.status)
            for p in SkillsActionPlan.objects.filter(participant__academy=academy)
        ),
        "support": sorted(
            (ref(s.participant_id), s.given_on, s.kind, s.notes, s.recorded_by_id)
            for s in Support.objects.filter(participant__academy=academy)
        ),
        "outcomes": sorted(
            (ref(o.participant_id), o.kind, o.started_on, o.sector, o.hours_per_week)
            for o in Outcome.objects.filter(participant__academy=academy)
        ),
        "checks": sorted(
            (ref(c.outcome.participant_id), c.weeks, c.due_on, c.status)
            for c in SustainmentCheck.objects.filter(
                outcome__participant__academy=academy
            )
        ),
        "history": sorted(
            (r.table_name, r.operation, ref(r.participant_id), r.actor_id)
            for r in ChangeRecord.objects.filter(participant_id__in=references)
        ),
    }


def test_both_paths_leave_the_same_database(postgres, monkeypatch):
    first, second = AcademyFactory(slug="orm"), AcademyFactory(slug="copy")
    by_orm = MembershipFactory(academy=first, role="coordinator").user
    by_copy = MembershipFactory(academy=second, role="coordinator").user
    by_copy.email = by_orm.email.replace("@", "+copy@")
    by_copy.save()

    monkeypatch.setattr(writing, "uses_copy", lambda: False)
    orm_answers = _journey(first, by_orm)
    monkeypatch.setattr(writing, "uses_copy", lambda: True)
    copy_answers = _journey(second, by_copy)

    assert copy_answers == orm_answers
    first_file, again, _, _, _, changes = (a[3] for a in orm_answers[:6])
    assert (first_file["created"], again["unchanged"]) == (3, 3)
    assert orm_answers[2][2][0].startswith("row 2: last_name: required")
    assert orm_answers[3][2] == BAD_CELLS_PROBLEMS
    assert orm_answers[4][2] == ["row 3: reference: repeats row 2 (same reference)"]
    assert [a[2] for a in orm_answers[-3:]] == BAD_OTHER_PROBLEMS
    assert (changes["created"], changes["updated"], changes["held"]) == (1, 2, 1)
    assert changes["duplicates"][0]["matches"][0][0] == "H-1"
    assert orm_answers[-4][3]["updated"] == 1  # the support note changes
    orm, copied = _state(first), _state(second)
    # The same people, coordinators apart (each academy has its own coordinator).
    mapping = {str(by_orm.pk): str(by_copy.pk)}
    for key in orm:
        if key in ("people",):
            orm[key] = [
                tuple((n, mapping.get(v, v) if n == "coordinator" else v) for n, v in p)
                for p in orm[key]
            ]
        assert copied[key] == _by(orm[key], by_orm.pk, by_copy.pk), key


def _by(rows, old, new):
    """Rows with one user's id put for another's (who wrote or recorded them)."""
    return sorted(
        tuple(new if value == old else value for value in row) for row in rows
    )


def test_the_copy_path_writes_people_and_their_ledger_in_few_statements(
    postgres, academy, django_assert_max_num_queries
):
    rows = "\n".join(
        f"N-{n},First{n},Last{n},2024-01-{1 + n % 28:02d},yes,over_50;neet,yes"
        for n in range(300)
    )
    text = (
        "reference,first_name,last_name,registered_on,claimant,cohorts,"
        f"consent_to_share\n{rows}\n"
    )
    with django_assert_max_num_queries(40):
        result = _import(academy, "participants", text)

    assert result.is_written
    assert Participant.objects.filter(academy=academy).count() == 300
    assert ConsentRecord.objects.filter(participant__academy=academy).count() == 600
    assert ParticipantCohort.objects.filter(participant__academy=academy).count() == 600
    people = Participant.objects.filter(academy=academy)
    assert set(people.values_list("has_consent_to_hold", "has_consent_to_share")) == {
        (True, True)
    }
    assert (
        ChangeRecord.objects.filter(
            table_name="participants_participant", operation="insert"
        ).count()
        >= 300
    )


def test_an_error_after_the_copy_writes_nothing(postgres, academy, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "ledger_copy", broken)

    with pytest.raises(RuntimeError):
        _import(academy, "participants", PEOPLE.format(coordinator=""))

    assert not Participant.objects.filter(academy=academy).exists()
    assert connection.vendor == "postgresql"


def test_the_path_follows_the_database(db):
    assert writing.uses_copy() is (connection.vendor == "postgresql")


def test_a_written_import_calls_its_hooks_after_the_commit(
    academy, monkeypatch, django_capture_on_commit_callbacks
):
    called = []
    monkeypatch.setattr(import_written_hooks, "_items", [called.append])

    with django_capture_on_commit_callbacks(execute=True):
        _import(academy, "participants", BAD)  # refused: nothing to follow
    assert called == []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _import(academy, "participants", PEOPLE.format(coordinator=""))
        assert called == []  # not before the commit

    assert len(callbacks) == 1
    assert called == [academy]
