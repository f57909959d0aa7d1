"""People's rights (issue 12; spec/security.md DP-4, DP-5): a subject-access bundle of
everything held, and erasure that leaves no trace of the person in live data while the
academy's figures still count them."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from academy.audit import AccessRecord, ChangeRecord
from participants.models import (
    CaseNote,
    Enquiry,
    ImportRun,
    Participant,
    SustainmentCheck,
)
from participants.services.rights import person_records
from tests.participants.factories import (
    EnquiryFactory,
    MeetingFactory,
    OutcomeFactory,
    ParticipantCohortFactory,
    ParticipantFactory,
    PlanActionFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)
from tests.vacancies.factories import EventFactory, ReferralFactory
from vacancies.models import SignUp

pytestmark = pytest.mark.django_db

SENTINELS = {
    "first": "Qyfirstname",
    "last": "Qylastname",
    "email": "qy.person@sentinel.example",
    "phone": "+447700900555",
    "note": "QY-SENTINEL-HEALTH-NOTE",
}


@pytest.fixture
def person(academy, coordinator):
    """A person with a record of every kind, each note carrying the sentinel."""
    person = ParticipantFactory(
        academy=academy,
        coordinator=coordinator.user,
        first_name=SENTINELS["first"],
        last_name=SENTINELS["last"],
        email=SENTINELS["email"],
        phone=SENTINELS["phone"],
        postcode="PL1 2AB",
    )
    note = SENTINELS["note"]
    ParticipantCohortFactory(participant=person, code="refugee")
    MeetingFactory(participant=person, notes=note, next_step=note)
    plan = SkillsActionPlanFactory(participant=person)
    PlanActionFactory(plan=plan)
    SupportFactory(participant=person, notes=note)
    outcome = OutcomeFactory(participant=person)
    SustainmentCheck.objects.create(
        outcome=outcome, weeks=13, due_on=outcome.started_on
    )
    CaseNote.objects.create(
        participant=person,
        written_by=coordinator.user,
        text=note,
        written_at=timezone.now(),
    )
    ReferralFactory(participant=person, note=note)
    event = EventFactory(academy=academy)
    SignUp.objects.create(
        event=event,
        participant=person,
        first_name=SENTINELS["first"],
        last_name=SENTINELS["last"],
        email=SENTINELS["email"],
        phone=SENTINELS["phone"],
        status=SignUp.Status.BOOKED,
        source=SignUp.Source.STAFF,
        note=note,
    )
    EnquiryFactory(
        academy=academy,
        participant=person,
        first_name=SENTINELS["first"],
        last_name=SENTINELS["last"],
        email=SENTINELS["email"],
        interest=note,
    )
    return person


def _models_pointing_at_participants():
    """Every project model with a foreign key chain to Participant (the test's own
    introspection, independent of the service's)."""
    found, frontier = set(), {Participant}
    while frontier:
        following = set()
        for model in apps.get_models():
            if model in found or model is Participant:
                continue
            targets = frontier | found | {Participant}
            for f in model._meta.concrete_fields:
                if (
                    f.is_relation
                    and f.related_model in targets
                    and model._meta.app_label in {"participants", "vacancies"}
                ):
                    following.add(model)
        following -= found
        found |= following
        frontier = following
    return found


class TestSubjectAccess:
    def test_every_kind_of_record_about_the_person_is_in_the_bundle(self, person):
        records = person_records(person)
        wanted = _models_pointing_at_participants() - {ImportRun}
        missing = {m.__name__ for m in wanted} - {m.__name__ for m in records.rows}
        assert not missing, f"not in the subject-access bundle: {sorted(missing)}"

    def test_the_download_is_a_zip_of_json_and_a_readable_pdf(
        self, client_of, coordinator, person
    ):
        client = client_of(coordinator)
        client.get(reverse("participants:detail", args=[person.pk]))
        response = client.get(reverse("participants:access-export", args=[person.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        bundle = zipfile.ZipFile(io.BytesIO(response.content))
        data = json.loads(bundle.read(f"{person.reference}.json"))
        text = json.dumps(data)
        # Notes are decrypted, every kind of record is there, and so are the history
        # and the access records.
        assert SENTINELS["note"] in text
        assert {"Meetings", "Support", "Referrals", "Enquiries"} <= set(data["records"])
        assert data["change_history"]
        assert any(a["what"] == "participants:detail GET" for a in data["access"])
        pdf = PdfReader(io.BytesIO(bundle.read(f"{person.reference}.pdf")))
        pdf_text = "".join(page.extract_text() for page in pdf.pages)
        assert SENTINELS["last"] in pdf_text
        assert SENTINELS["note"] in pdf_text
        # The export itself is recorded.
        assert AccessRecord.objects.filter(
            action="participants:access-export GET", participant_ids=[person.pk]
        ).exists()

    def test_another_academys_person_cannot_be_exported(
        self, client_of, coordinator, other_academy
    ):
        stranger = ParticipantFactory(academy=other_academy)
        response = client_of(coordinator).get(
            reverse("participants:access-export", args=[stranger.pk])
        )
        assert response.status_code == 404


class TestErasure:
    def _erase(self, client, person, **changes):
        data = {"reference": person.reference, "reason": "Asked on 1 Dec 2026"}
        return client.post(
            reverse("participants:erase", args=[person.pk]), {**data, **changes}
        )

    def test_erasure_leaves_no_sentinel_in_any_table_while_counts_stay(
        self, client_of, admin, person
    ):
        stored = ImportRun.objects.create(
            academy=person.academy,
            kind="participants",
            original_name="people.csv",
            status=ImportRun.Status.DONE,
        )
        stored.file.save(
            "people.csv",
            ContentFile(f"first_name,email\nX,{SENTINELS['email']}\n".encode()),
        )
        counts_before = {
            m: m.objects.count() for m in (Participant, Enquiry, ChangeRecord)
        }

        client = client_of(admin)
        response = self._erase(client, person)

        assert response.status_code == 302
        # The pages still open, saying nothing of who it was.
        for url in (
            response["Location"],
            reverse("participants:import-detail", args=[stored.pk]),
            reverse("academy:audit", args=["changes"]),
        ):
            page = client.get(url)
            assert page.status_code == 200, url
            assert SENTINELS["last"].encode() not in page.content
        person.refresh_from_db()
        assert person.reference == f"ERASED-{person.pk}"
        assert person.is_erased
        assert not person.is_open  # nobody works on an erased record again
        reopen = client.post(reverse("participants:reopen", args=[person.pk]))
        assert reopen.status_code == 302
        person.refresh_from_db()
        assert not person.is_open
        assert person.cohorts.filter(code="refugee").exists()  # still counted
        assert Participant.objects.count() == counts_before[Participant]
        assert Enquiry.objects.count() == counts_before[Enquiry]
        stored.refresh_from_db()
        assert not stored.file
        # The history keeps one line: erased, by whom, why.
        (line,) = ChangeRecord.objects.filter(participant_id=person.pk)
        assert line.operation == "erase"
        assert line.actor_id == admin.user_id
        assert _sentinel_hits() == []

    def test_a_wrong_reference_erases_nothing_and_says_what_to_type(
        self, client_of, admin, person
    ):
        response = self._erase(client_of(admin), person, reference="CA-999999")
        assert response.status_code == 200
        assert f"type {person.reference}" in response.content.decode()
        person.refresh_from_db()
        assert person.last_name == SENTINELS["last"]

    def test_coordinators_cannot_erase_and_other_academies_cannot_reach(
        self, client_of, coordinator, other_admin, person
    ):
        assert self._erase(client_of(coordinator), person).status_code == 403
        assert self._erase(client_of(other_admin), person).status_code == 404
        person.refresh_from_db()
        assert person.last_name == SENTINELS["last"]


def _sentinel_hits():
    """Every table's every text column searched for the sentinels (a dump's worth)."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            description = connection.introspection.get_table_description(cursor, table)
            columns = [c.name for c in description]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row if v is not None).lower()
                for name, value in SENTINELS.items():
                    if value.lower() in text:
                        hits.append((table, name))
    return sorted(set(hits))
