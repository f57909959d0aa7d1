"""A coordinator's casework about the person: registering, likely duplicates, merging,
consent, closing and reopening, editing, the timeline, registering from an enquiry."""

import datetime as dt

import pytest
from django.urls import reverse

from participants import services
from participants.models import (
    CaseNote,
    ConsentRecord,
    Participant,
)
from tests.participants.factories import (
    MeetingFactory,
    OutcomeFactory,
    ParticipantCohortFactory,
    ParticipantFactory,
    SkillsActionPlanFactory,
    SupportFactory,
)

REGISTER = {
    "first_name": "Amira",
    "last_name": "Haddad",
    "date_of_birth": "1985-03-02",
    "phone": "07700 900111",
    "email": "Amira@Example.net",
    "postcode": "pl1 2ab",
    "is_claimant": "on",
    "benefit_type": "universal_credit",
    "status_at_entry": "unemployed",
    "source": "job_centre",
    "registered_on": "2024-02-01",
    "cohorts": ["refugee", "long_term_unemployed"],
    "dbs_level": "none",
    "right_to_work": "yes",
    "right_to_work_checked_on": "2024-02-01",
    "right_to_work_document": "share_code",
    "consent_to_hold": "on",
    "consent_to_share": "on",
}


@pytest.mark.django_db
def test_coordinator_registers_a_person_with_cohorts_and_consents(
    client_of, coordinator
):
    response = client_of(coordinator).post(reverse("participants:register"), REGISTER)
    person = Participant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.reference == "CA-000001"
    assert person.academy == coordinator.academy
    assert person.coordinator == coordinator.user
    assert (person.email, person.postcode) == ("amira@example.net", "PL1 2AB")
    assert set(person.cohorts.values_list("code", flat=True)) == {
        "refugee",
        "long_term_unemployed",
    }
    assert person.has_consent_to_hold
    assert person.has_consent_to_share
    ledger = person.consents.order_by("kind")
    assert [(r.kind, r.is_given, r.recorded_by) for r in ledger] == [
        ("hold_data", True, coordinator.user),
        ("share_with_providers", True, coordinator.user),
    ]


@pytest.mark.django_db
def test_references_are_unique_and_counted_per_academy(coordinator, other_coordinator):
    def register(membership):
        return services.participant_register(
            academy=membership.academy,
            by=membership.user,
            first_name="A",
            last_name="B",
            registered_on=dt.date(2024, 1, 1),
            consent_to_hold=True,
            consent_to_share=False,
        )

    refs = [register(coordinator).reference, register(coordinator).reference]
    assert refs == ["CA-000001", "CA-000002"]
    assert register(other_coordinator).reference == "CA-000001"


@pytest.mark.django_db
def test_registration_needs_consent_to_hold_data(client_of, coordinator):
    data = {**REGISTER}
    del data["consent_to_hold"]
    response = client_of(coordinator).post(reverse("participants:register"), data)
    assert (
        "Without this agreement the person cannot be registered."
        in response.content.decode()
    )
    assert not Participant.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2099-01-01", "The date of birth cannot be in the future"),
        ("date_of_birth", "1900-01-01", "Check the date of birth"),
        ("registered_on", "2999-01-01", "cannot be in the future"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("first_name", "", "This field is required."),
        ("hours_wanted", "120", "less than or equal to 80"),
    ],
)
def test_bad_registration_input_is_explained_and_nothing_saved(
    client_of, coordinator, field, value, message
):
    response = client_of(coordinator).post(
        reverse("participants:register"), {**REGISTER, field: value}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Participant.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "same",
    [
        {"first_name": "amira", "last_name": "HADDAD", "date_of_birth": "1985-03-02"},
        {"email": "amira@example.net"},
        {"phone": "+44 7700 900111"},
    ],
)
def test_a_likely_duplicate_is_flagged_before_registering(client_of, coordinator, same):
    existing = ParticipantFactory(
        academy=coordinator.academy,
        first_name="Amira",
        last_name="Haddad",
        date_of_birth=dt.date(1985, 3, 2),
        email="amira@example.net",
        phone="07700 900111",
    )
    data = {
        **REGISTER,
        "first_name": "Someone",
        "last_name": "Else",
        "date_of_birth": "1990-01-01",
        "email": "else@example.net",
        "phone": "0123",
        **same,
    }
    client = client_of(coordinator)
    warned = client.post(reverse("participants:register"), data)
    assert "This may be someone already registered" in warned.content.decode()
    assert existing.reference in warned.content.decode()
    assert Participant.objects.count() == 1

    confirmed = client.post(
        reverse("participants:register"), {**data, "not_a_duplicate": "on"}
    )
    assert confirmed.status_code == 302
    assert Participant.objects.count() == 2


@pytest.mark.django_db
def test_duplicates_of_another_academy_are_not_shown(
    client_of, coordinator, other_academy
):
    ParticipantFactory(academy=other_academy, email="amira@example.net")
    response = client_of(coordinator).post(reverse("participants:register"), REGISTER)
    assert response.status_code == 302


@pytest.mark.django_db
def test_merge_keeps_all_history_of_both_records(client_of, coordinator):
    keep = ParticipantFactory(academy=coordinator.academy, phone="")
    dupe = ParticipantFactory(academy=coordinator.academy, phone="07700 900999")
    ParticipantCohortFactory(participant=keep, code="over_50")
    ParticipantCohortFactory(participant=dupe, code="refugee")
    MeetingFactory(participant=keep)
    MeetingFactory(participant=dupe)
    SupportFactory(participant=dupe)
    OutcomeFactory(participant=dupe, kind="training", sector="")
    SkillsActionPlanFactory(participant=dupe)

    response = client_of(coordinator).post(
        reverse("participants:merge", args=[keep.pk]),
        {"other_reference": dupe.reference.lower(), "confirm": "on"},
    )

    assert response.status_code == 302
    assert not Participant.objects.filter(pk=dupe.pk).exists()
    assert keep.meetings.count() == 2
    assert (keep.support.count(), keep.outcomes.count(), keep.plans.count()) == (
        1,
        1,
        1,
    )
    assert set(keep.cohorts.values_list("code", flat=True)) == {"over_50", "refugee"}
    keep.refresh_from_db()
    assert str(keep.phone) == "+447700900999"  # stored in E.164
    assert CaseNote.objects.get(participant=keep).text.startswith(
        f"Merged record {dupe.reference}"
    )


@pytest.mark.django_db
def test_merge_refuses_another_academys_record(client_of, coordinator, other_academy):
    keep = ParticipantFactory(academy=coordinator.academy)
    foreign = ParticipantFactory(academy=other_academy, reference="X-1")
    response = client_of(coordinator).post(
        reverse("participants:merge", args=[keep.pk]),
        {"other_reference": "X-1", "confirm": "on"},
    )
    assert "No record of this academy has that reference." in response.content.decode()
    assert Participant.objects.filter(pk=foreign.pk).exists()


@pytest.mark.django_db
def test_withdrawing_consent_to_share_takes_effect_and_is_kept_in_the_ledger(
    client_of, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy, has_consent_to_share=True)
    client_of(coordinator).post(
        reverse("participants:consent", args=[person.pk]),
        {"kind": "share_with_providers", "is_given": "False", "note": "Asked by phone"},
    )
    person.refresh_from_db()
    assert person.has_consent_to_share is False
    record = ConsentRecord.objects.get(participant=person)
    assert (record.is_given, record.recorded_by, record.note) == (
        False,
        coordinator.user,
        "Asked by phone",
    )


@pytest.mark.django_db
def test_closing_and_reopening_a_case(client_of, coordinator):
    person = ParticipantFactory(academy=coordinator.academy)
    client = client_of(coordinator)
    missing = client.post(reverse("participants:close", args=[person.pk]), {})
    assert "This field is required." in missing.content.decode()
    client.post(
        reverse("participants:close", args=[person.pk]),
        {"reason": "moved_away", "note": "To Leeds"},
    )
    person.refresh_from_db()
    assert (person.status, person.close_reason) == ("closed", "moved_away")
    client.post(reverse("participants:reopen", args=[person.pk]))
    person.refresh_from_db()
    assert person.status == "open"
    notes = list(
        person.case_notes.order_by("written_at").values_list("text", flat=True)
    )
    assert notes == ["Case closed: Moved out of the area. To Leeds", "Case reopened."]


@pytest.mark.django_db
def test_editing_ignores_fields_outside_the_form(client_of, coordinator, other_academy):
    person = ParticipantFactory(academy=coordinator.academy, reference="CA-000009")
    data = {
        **REGISTER,
        "reference": "HACKED",
        "academy": other_academy.pk,
        "status": "closed",
        "has_consent_to_share": "on",
    }
    client_of(coordinator).post(reverse("participants:edit", args=[person.pk]), data)
    person.refresh_from_db()
    assert (person.reference, person.academy, person.status) == (
        "CA-000009",
        coordinator.academy,
        "open",
    )


@pytest.mark.django_db
def test_timeline_shows_everything_newest_first(client_of, coordinator):
    person = ParticipantFactory(
        academy=coordinator.academy, registered_on=dt.date(2024, 1, 2)
    )
    MeetingFactory(
        participant=person, held_at=dt.datetime(2024, 1, 3, 10, tzinfo=dt.UTC)
    )
    SkillsActionPlanFactory(participant=person, agreed_on=dt.date(2024, 1, 4))
    SupportFactory(
        participant=person, given_on=dt.date(2024, 1, 5), kind="mental_health"
    )
    OutcomeFactory(
        participant=person, started_on=dt.date(2024, 1, 6), role="Senior carer"
    )
    from participants.selectors import participant_timeline

    titles = [e.title for e in participant_timeline(participant=person)]
    assert titles == [
        "Started paid employment",
        "Mental health support",
        "Skills action plan agreed",
        "Job centre meeting at Plymouth Jobcentre",
        "Registered",
    ]


@pytest.mark.django_db
def test_registering_from_an_enquiry_prefills_and_converts_it(client_of, coordinator):
    from tests.participants.factories import EnquiryFactory

    enquiry = EnquiryFactory(
        academy=coordinator.academy,
        first_name="Noor",
        last_name="Islam",
        email="noor@example.net",
    )
    client = client_of(coordinator)
    url = reverse("participants:register") + f"?enquiry={enquiry.pk}"
    form = client.get(url).context["form"]
    assert (form.initial["first_name"], form.initial["source"]) == ("Noor", "campaign")
    response = client.post(
        url,
        {
            **REGISTER,
            "first_name": "Noor",
            "last_name": "Islam",
            "email": "noor@example.net",
        },
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == "converted"
    assert enquiry.participant.first_name == "Noor"


@pytest.mark.django_db
def test_another_academys_enquiry_cannot_be_converted(
    client_of, coordinator, other_academy
):
    from tests.participants.factories import EnquiryFactory

    enquiry = EnquiryFactory(academy=other_academy)
    url = reverse("participants:register") + f"?enquiry={enquiry.pk}"
    assert client_of(coordinator).get(url).status_code == 404
