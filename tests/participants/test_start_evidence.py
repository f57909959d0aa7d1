"""The evidence a funder asks for at a person's start (issue 14): economic status at
start, the right-to-work check (when, by whom, which kind of document) and age at
start: recorded at registration and on Edit details, shown on the person's page with
what is missing, found with the people list's filter and carried by its export."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participants import services
from participants.models import CaseNote, Participant
from tests.academy.factories import MembershipFactory

from .factories import ParticipantFactory
from .test_people import REGISTER

pytestmark = pytest.mark.django_db

LIST = reverse("participants:list")
CHECKED = dt.date(2025, 2, 3)


@pytest.fixture
def sam(coordinator):
    coordinator.user.first_name, coordinator.user.last_name = "Sam", "Coordinator"
    coordinator.user.save()
    return coordinator


@pytest.fixture
def colleague(coordinator):
    return MembershipFactory(
        academy=coordinator.academy,
        role="coordinator",
        user__first_name="Kit",
        user__last_name="Colleague",
    )


def checked(academy, by, **fields):
    """A person whose right to work `by` confirmed on CHECKED from a share code."""
    return ParticipantFactory(
        **{
            "academy": academy,
            "date_of_birth": dt.date(1989, 6, 1),
            "registered_on": dt.date(2024, 2, 1),
            "status_at_entry": "unemployed",
            "right_to_work": "yes",
            "right_to_work_checked_on": CHECKED,
            "right_to_work_checked_by": by,
            "right_to_work_document": "share_code",
            **fields,
        }
    )


def details(person, **changes):
    """The Edit details form as it comes filled in for `person`, with `changes`."""
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": person.date_of_birth.isoformat()
        if person.date_of_birth
        else "",
        "phone": str(person.phone),
        "email": person.email,
        "postcode": person.postcode,
        "is_claimant": "on" if person.is_claimant else "",
        "status_at_entry": person.status_at_entry,
        "source": person.source,
        "registered_on": person.registered_on.isoformat(),
        "dbs_level": person.dbs_level,
        "right_to_work": person.right_to_work,
        "right_to_work_checked_on": person.right_to_work_checked_on.isoformat()
        if person.right_to_work_checked_on
        else "",
        "right_to_work_document": person.right_to_work_document,
        "contact_by": person.contact_by,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v}


def edit(client, person, **changes):
    return client.post(
        reverse("participants:edit", args=[person.pk]), details(person, **changes)
    )


def notes(person):
    return list(
        CaseNote.objects.filter(participant=person)
        .order_by("written_at", "pk")
        .values_list("text", flat=True)
    )


# Recording at registration


def test_registering_records_the_check_by_the_member_who_registers(client_of, sam):
    response = client_of(sam).post(reverse("participants:register"), REGISTER)
    assert response.status_code == 302
    person = Participant.objects.get()
    assert (
        person.status_at_entry,
        person.right_to_work,
        person.right_to_work_checked_on,
        person.right_to_work_checked_by,
        person.right_to_work_document,
    ) == ("unemployed", "yes", dt.date(2024, 2, 1), sam.user, "share_code")
    assert notes(person) == [
        "Right to work confirmed on 1 Feb 2024 by Sam Coordinator (share code)."
    ]


def test_checked_by_cannot_be_typed(client_of, sam, colleague):
    client_of(sam).post(
        reverse("participants:register"),
        {**REGISTER, "right_to_work_checked_by": colleague.user.pk},
    )
    assert Participant.objects.get().right_to_work_checked_by == sam.user


def test_registering_without_a_check_records_none(client_of, coordinator):
    client_of(coordinator).post(
        reverse("participants:register"),
        {
            **REGISTER,
            "right_to_work": "unknown",
            "right_to_work_checked_on": "",
            "right_to_work_document": "",
        },
    )
    person = Participant.objects.get()
    assert person.right_to_work == "unknown"
    assert person.right_to_work_checked_by is None
    assert notes(person) == []


def _future():
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


BAD = [
    (
        {"right_to_work_checked_on": ""},
        "right_to_work_checked_on",
        "Give the day the right to work was checked: a confirmed right to work "
        "needs it.",
    ),
    (
        {"right_to_work_checked_on": "3 Feb"},
        "right_to_work_checked_on",
        "Enter a date such as 31/12/2026.",
    ),
    (
        {"right_to_work_checked_on": "future"},
        "right_to_work_checked_on",
        "The day the right to work was checked cannot be in the future. Check the "
        "date.",
    ),
    (
        {"right_to_work_checked_on": "2001-03-01"},
        "right_to_work_checked_on",
        "That day is before their 16th birthday (born 2 March 1985). Check this "
        "date and the date of birth.",
    ),
    (
        {"right_to_work_document": ""},
        "right_to_work_document",
        "Choose the kind of document seen: a confirmed right to work needs it.",
    ),
    (
        {"right_to_work_document": "a photo of the passport"},
        "right_to_work_document",
        "Select a valid choice.",
    ),
    (
        {"right_to_work": "unknown"},
        "right_to_work",
        "A check is recorded only when the right to work is confirmed: choose "
        "'Confirmed', or leave the day checked and the document kind empty.",
    ),
    (
        {"right_to_work": "no", "right_to_work_checked_on": ""},
        "right_to_work",
        "A check is recorded only when the right to work is confirmed",
    ),
    (
        {"status_at_entry": "retired"},
        "status_at_entry",
        "Select a valid choice.",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD)
def test_bad_check_at_registration_is_explained_and_nothing_saved(
    client_of, coordinator, changes, field, message
):
    if changes.get("right_to_work_checked_on") == "future":
        changes = {**changes, "right_to_work_checked_on": _future()}
    response = client_of(coordinator).post(
        reverse("participants:register"), {**REGISTER, **changes}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert not Participant.objects.exists()


def test_the_sixteenth_birthday_itself_is_allowed(client_of, coordinator):
    response = client_of(coordinator).post(
        reverse("participants:register"),
        {**REGISTER, "right_to_work_checked_on": "2001-03-02"},
    )
    assert response.status_code == 302
    checked_on = Participant.objects.get().right_to_work_checked_on
    assert checked_on == dt.date(2001, 3, 2)


def test_without_a_date_of_birth_any_past_day_is_allowed(client_of, coordinator):
    response = client_of(coordinator).post(
        reverse("participants:register"),
        {**REGISTER, "date_of_birth": "", "right_to_work_checked_on": "1990-01-01"},
    )
    assert response.status_code == 302


def test_the_service_refuses_what_the_form_refuses(coordinator):
    with pytest.raises(ValidationError) as refused:
        services.participant_register(
            academy=coordinator.academy,
            by=coordinator.user,
            first_name="Ann",
            last_name="Lee",
            registered_on=dt.date(2024, 1, 1),
            right_to_work="yes",
            consent_to_hold=True,
            consent_to_share=False,
        )
    assert set(refused.value.message_dict) == {
        "right_to_work_checked_on",
        "right_to_work_document",
    }
    assert not Participant.objects.exists()


# Recording on Edit details: who checked


def test_checked_by_is_kept_when_the_check_is_not_changed(client_of, sam, colleague):
    person = checked(sam.academy, sam.user)
    response = edit(client_of(colleague), person, phone="07700 900555")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.right_to_work_checked_by == sam.user
    assert str(person.phone) == "+447700900555"
    assert notes(person) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"right_to_work_checked_on": "2025-02-04"},
        {"right_to_work_document": "uk_irish_passport"},
    ],
)
def test_checked_by_is_set_again_when_the_day_or_document_changes(
    client_of, sam, colleague, changes
):
    person = checked(sam.academy, sam.user)
    response = edit(client_of(colleague), person, **changes)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.right_to_work_checked_by == colleague.user
    (note,) = notes(person)
    assert note.startswith("Right to work confirmed on ")
    assert "by Kit Colleague" in note


def test_confirming_a_right_to_work_records_the_member(client_of, colleague):
    person = ParticipantFactory(academy=colleague.academy, right_to_work="unknown")
    response = edit(
        client_of(colleague),
        person,
        right_to_work="yes",
        right_to_work_checked_on="2025-02-03",
        right_to_work_document="share_code",
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.right_to_work, person.right_to_work_checked_by) == (
        "yes",
        colleague.user,
    )
    assert notes(person) == [
        "Right to work confirmed on 3 Feb 2025 by Kit Colleague (share code)."
    ]


@pytest.mark.parametrize(
    ("status", "said"), [("unknown", "not checked yet"), ("no", "no right to work yet")]
)
def test_changing_away_from_confirmed_clears_the_check_and_says_so(
    client_of, sam, colleague, status, said
):
    person = checked(sam.academy, sam.user)
    response = edit(client_of(colleague), person, right_to_work=status)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (
        person.right_to_work,
        person.right_to_work_checked_on,
        person.right_to_work_checked_by,
        person.right_to_work_document,
    ) == (status, None, None, "")
    assert notes(person) == [
        f"Right to work changed to '{said}': the check it had (confirmed on 3 Feb "
        "2025 by Sam Coordinator (share code)) is cleared."
    ]
    timeline = client_of(colleague).get(person.get_absolute_url()).content.decode()
    assert "is cleared." in timeline


@pytest.mark.parametrize(("changes", "field", "message"), BAD)
def test_bad_check_on_edit_is_explained_and_loses_nothing_stored(
    client_of, sam, changes, field, message
):
    person = checked(sam.academy, sam.user, date_of_birth=dt.date(1985, 3, 2))
    if changes.get("right_to_work_checked_on") == "future":
        changes = {**changes, "right_to_work_checked_on": _future()}
    if field == "right_to_work":  # a new day along with a status not confirmed
        changes = {"right_to_work_checked_on": "2025-01-01", **changes}
    response = edit(client_of(sam), person, **changes)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    before = (CHECKED, sam.user.pk, "share_code", "unemployed")
    person.refresh_from_db()
    assert (
        person.right_to_work_checked_on,
        person.right_to_work_checked_by_id,
        person.right_to_work_document,
        person.status_at_entry,
    ) == before
    assert notes(person) == []


def test_an_edit_that_leaves_the_right_to_work_out_does_not_touch_it(coordinator):
    """Other writers of details (not the form) leave an unfinished check as it is."""
    person = ParticipantFactory(academy=coordinator.academy, right_to_work="yes")
    services.participant_update(
        participant=person, by=coordinator.user, cohorts=[], phone="07700900123"
    )
    person.refresh_from_db()
    assert (person.right_to_work, person.right_to_work_checked_by) == ("yes", None)


def test_merging_takes_the_duplicates_check_whole(coordinator, sam):
    keep = ParticipantFactory(academy=sam.academy, right_to_work="unknown")
    duplicate = checked(sam.academy, sam.user)
    services.participant_merge(keep=keep, duplicate=duplicate, by=sam.user)
    keep.refresh_from_db()
    assert (
        keep.right_to_work,
        keep.right_to_work_checked_on,
        keep.right_to_work_checked_by,
        keep.right_to_work_document,
    ) == ("yes", CHECKED, sam.user, "share_code")


def test_merging_keeps_a_complete_check_and_takes_no_part_of_another(sam, colleague):
    keep = checked(sam.academy, sam.user)
    duplicate = checked(
        sam.academy,
        colleague.user,
        right_to_work_checked_on=dt.date(2025, 1, 1),
        right_to_work_document="uk_irish_passport",
    )
    services.participant_merge(keep=keep, duplicate=duplicate, by=sam.user)
    keep.refresh_from_db()
    assert (
        keep.right_to_work_checked_on,
        keep.right_to_work_checked_by,
        keep.right_to_work_document,
    ) == (CHECKED, sam.user, "share_code")


# The forms


def test_the_forms_group_the_right_to_work_and_explain_economic_status(
    client_of, coordinator
):
    person = ParticipantFactory(academy=coordinator.academy)
    client = client_of(coordinator)
    for url in (
        reverse("participants:register"),
        reverse("participants:edit", args=[person.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Economic status at start" in page
        assert "At registration: in work, looking for work, or neither." in page
        assert "<legend>Right to work</legend>" in page
        assert "Day checked" in page
        assert "Document kind seen" in page
        assert "Home Office online check (share code, eVisa)" in page
        assert "right_to_work_checked_by" not in page


# The person's page


def test_the_page_shows_age_economic_status_and_the_check(client_of, sam):
    person = checked(sam.academy, sam.user)
    page = client_of(sam).get(person.get_absolute_url()).content.decode()
    assert "<dt>Age at start</dt>" in page
    assert "<dt>Age at start</dt>\n            <dd>34</dd>" in page
    assert "<dt>Economic status at start</dt>" in page
    assert "Unemployed" in page
    assert (
        "<dt>Right to work</dt>\n"
        "            <dd>confirmed on 3 Feb 2025 by Sam Coordinator (share code)</dd>"
    ) in page
    assert "Start evidence missing" not in page


def test_the_page_lists_the_missing_evidence_with_a_link_to_fix_it(client_of, sam):
    person = ParticipantFactory(
        academy=sam.academy,
        date_of_birth=None,
        status_at_entry="",
        right_to_work="unknown",
    )
    page = client_of(sam).get(person.get_absolute_url()).content.decode()
    assert "Start evidence missing" in page
    for label in (
        "Economic status at start not recorded",
        "Date of birth not recorded",
        "Right to work not confirmed",
    ):
        assert f"<li>{label}</li>" in page
    assert "Right-to-work check not recorded" not in page
    assert f'href="{reverse("participants:edit", args=[person.pk])}"' in page
    assert "<dt>Age at start</dt>\n            <dd>not known</dd>" in page


def test_a_confirmed_right_to_work_without_its_check_is_missing(client_of, sam):
    person = ParticipantFactory(
        academy=sam.academy, status_at_entry="employed", right_to_work="yes"
    )
    page = client_of(sam).get(person.get_absolute_url()).content.decode()
    assert (
        "<li>Right-to-work check not recorded (when, by whom, which document)</li>"
        in page
    )


# The people list: the filter, and the export


@pytest.fixture
def evidence_people(sam, other_academy):
    academy = sam.academy
    return {
        "complete": checked(academy, sam.user, first_name="Cal", last_name="Done"),
        "no_status": checked(
            academy, sam.user, first_name="Nell", last_name="Status", status_at_entry=""
        ),
        "no_birth": checked(
            academy, sam.user, first_name="Bo", last_name="Born", date_of_birth=None
        ),
        "unchecked": ParticipantFactory(
            academy=academy,
            first_name="Una",
            last_name="Checked",
            status_at_entry="inactive",
            right_to_work="unknown",
        ),
        "half": ParticipantFactory(
            academy=academy,
            first_name="Hal",
            last_name="Half",
            status_at_entry="employed",
            right_to_work="yes",
            right_to_work_checked_on=CHECKED,
        ),
        "elsewhere": ParticipantFactory(
            academy=other_academy,
            first_name="Otto",
            last_name="Else",
            status_at_entry="",
        ),
    }


def names(response):
    return sorted(p.first_name for p in response.context["page"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ["Bo", "Cal", "Hal", "Nell", "Una"]),
        ("any", ["Bo", "Hal", "Nell", "Una"]),
        ("economic_status", ["Nell"]),
        ("date_of_birth", ["Bo"]),
        ("right_to_work", ["Una"]),
        ("right_to_work_check", ["Hal"]),
    ],
)
def test_the_list_filters_people_by_the_evidence_they_lack(
    client_of, sam, evidence_people, value, expected
):
    response = client_of(sam).get(LIST, {"evidence": value})
    assert response.status_code == 200
    assert names(response) == expected


def test_the_filter_offers_each_kind_and_refuses_others(
    client_of, sam, evidence_people
):
    client = client_of(sam)
    page = client.get(LIST).content.decode()
    assert "Start evidence missing" in page
    assert "Right-to-work check not recorded (when, by whom, which document)" in page
    odd = client.get(LIST, {"evidence": "passport"})
    assert odd.status_code == 200
    assert "Select a valid choice" in odd.content.decode()
    assert names(odd) == ["Bo", "Cal", "Hal", "Nell", "Una"]


def _rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_carries_the_evidence_as_on_screen(client_of, sam, evidence_people):
    client = client_of(sam)
    rows = {
        r["First name"]: r
        for r in _rows(client.get(reverse("participants:export"), {"evidence": "any"}))
    }
    assert sorted(rows) == ["Bo", "Hal", "Nell", "Una"]
    nell = rows["Nell"]
    assert nell["Age at start"] == "34"
    assert nell["Economic status at start"] == ""
    assert nell["Right to work"] == "Confirmed"
    assert nell["Right to work checked on"] == "2025-02-03"
    assert nell["Right to work checked by"] == "Sam Coordinator"
    assert nell["Document kind seen"] == "Home Office online check (share code, eVisa)"
    assert nell["Start evidence missing"] == "Economic status at start not recorded"
    una = rows["Una"]
    assert (una["Economic status at start"], una["Right to work"]) == (
        "Economically inactive",
        "Not checked yet",
    )
    assert una["Right to work checked by"] == ""
    assert rows["Bo"]["Age at start"] == ""


def test_the_export_in_codes(client_of, sam, evidence_people):
    rows = {
        r["first_name"]: r
        for r in _rows(
            client_of(sam).get(
                reverse("participants:export"), {"columns": "codes", "evidence": "any"}
            )
        )
    }
    assert (rows["Una"]["status_at_entry"], rows["Una"]["right_to_work"]) == (
        "inactive",
        "unknown",
    )
    assert rows["Una"]["start_evidence_missing"] == "right_to_work"
    assert rows["Hal"]["start_evidence_missing"] == "right_to_work_check"
    assert rows["Nell"]["right_to_work_document"] == "share_code"


def test_the_list_with_the_filter_stays_within_its_queries(
    client_of, sam, evidence_people, django_assert_max_num_queries
):
    ParticipantFactory.create_batch(30, academy=sam.academy, status_at_entry="")
    client = client_of(sam)
    client.get(LIST)  # the session, the menu: warmed up
    with django_assert_max_num_queries(20):
        response = client.get(LIST, {"evidence": "any"})
    assert len(response.context["page"]) == 34


# Who may


@pytest.mark.parametrize("role", ["provider", "manager"])
def test_providers_and_managers_cannot_see_or_record_the_evidence(
    request, client_of, sam, role
):
    person = checked(sam.academy, sam.user)
    client = client_of(request.getfixturevalue(role))
    assert client.get(person.get_absolute_url()).status_code == 403
    assert client.get(LIST, {"evidence": "any"}).status_code == 403
    response = edit(client, person, right_to_work="unknown")
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.right_to_work_checked_by == sam.user


def test_another_academys_person_is_not_found(client_of, sam, other_coordinator):
    person = checked(sam.academy, sam.user)
    client = client_of(other_coordinator)
    assert client.get(person.get_absolute_url()).status_code == 404
    assert edit(client, person, right_to_work="unknown").status_code == 404
    person.refresh_from_db()
    assert person.right_to_work == "yes"
    assert names(client.get(LIST, {"evidence": "any"})) == []
