"""Input rules in one place (issue 9, observation 7): UK postcodes by format, phone
numbers in E.164, pay at or above the National Living Wage of the start date."""

import datetime as dt
import random
from decimal import Decimal

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse

from academy import rules
from participants.models import Participant
from tests.participants.factories import ParticipantFactory
from tests.participants.test_people import REGISTER
from tests.vacancies.factories import VacancyFactory
from vacancies import services as vacancy_services


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pl11aa", "PL1 1AA"),
        (" sw1a 1aa ", "SW1A 1AA"),
        ("NE29 0AA", "NE29 0AA"),
        ("m1 1ae", "M1 1AE"),
    ],
)
def test_postcodes_are_normalised(value, expected):
    assert rules.postcode_clean(value) == expected


@pytest.mark.parametrize("value", ["XYZ 123", "hello", "PL1", "12345", "PL1 1AAA"])
def test_things_that_are_not_postcodes_are_refused(value):
    with pytest.raises(ValidationError, match="is not a UK postcode"):
        rules.postcode_clean(value)


def test_national_living_wage_follows_the_date():
    assert rules.national_living_wage(dt.date(2025, 3, 31)).hourly == Decimal("11.44")
    assert rules.national_living_wage(dt.date(2025, 4, 1)).hourly == Decimal("12.21")
    assert rules.national_living_wage(dt.date(2026, 11, 30)).hourly == Decimal("12.71")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "XYZ 123", "is not a UK postcode"),
        ("phone", "call me maybe", "Enter a UK phone number"),
    ],
)
def test_registration_refuses_bad_postcodes_and_phones(
    client_of, coordinator, field, value, message
):
    response = client_of(coordinator).post(
        reverse("participants:register"), {**REGISTER, field: value}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_phones_are_stored_in_e164_and_shown_nationally(client_of, coordinator):
    client = client_of(coordinator)
    client.post(
        reverse("participants:register"), {**REGISTER, "phone": "+44 7700 900111"}
    )
    person = Participant.objects.get()
    assert Participant.objects.filter(phone="+447700900111").exists()
    page = client.get(person.get_absolute_url()).content.decode()
    assert "07700 900111" in page


@pytest.mark.django_db
def test_an_unknown_district_is_accepted_and_says_distances_are_unavailable(
    client_of, coordinator
):
    client = client_of(coordinator)
    response = client.post(
        reverse("participants:register"), {**REGISTER, "postcode": "ZE2 9AA"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "distances to jobs are unavailable" in page


@pytest.mark.django_db
def test_an_import_refuses_bad_postcodes_and_phones(academy, tmp_path):
    from participants.services.imports import records_import

    path = tmp_path / "people.csv"
    path.write_bytes(
        b"reference,first_name,last_name,registered_on,claimant,postcode,phone\r\n"
        b"A-1,Ann,Jones,2024-01-15,yes,XYZ 123,call me maybe\r\n"
    )
    with path.open("rb") as source:
        result = records_import(
            academy=academy,
            kind="participants",
            source=source,
            file_name="people.csv",
            by=None,
        )
    assert [str(p) for p in result.problems] == [
        "row 2: postcode: 'XYZ 123' is not a UK postcode",
        "row 2: phone: 'call me maybe' is not a UK phone number",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit", "pay", "hours"),
    [
        ("hourly", "0.00", "37.5"),
        ("hourly", "5.00", "37.5"),
        ("annual", "15000", "37.5"),
    ],
)
def test_a_vacancy_below_the_national_living_wage_is_refused(
    academy, coordinator, unit, pay, hours
):
    vacancy = VacancyFactory.build(
        academy=academy,
        organisation=VacancyFactory(academy=academy).organisation,
        pay_unit=unit,
        pay_min=Decimal(pay),
        pay_max=None,
        hours_per_week=Decimal(hours),
    )
    with pytest.raises(ValidationError) as error:
        vacancy_services.vacancy_save(vacancy=vacancy, by=coordinator.user)
    assert "National Living Wage" in str(error.value)
    assert "£12.71" in str(error.value)


@pytest.mark.django_db
def test_a_vacancy_at_the_national_living_wage_is_posted(academy, coordinator):
    vacancy = VacancyFactory.build(
        academy=academy,
        organisation=VacancyFactory(academy=academy).organisation,
        pay_unit="annual",
        pay_min=Decimal("24800"),
        pay_max=None,
        hours_per_week=Decimal("37.5"),
    )
    vacancy_services.vacancy_save(vacancy=vacancy, by=coordinator.user)
    assert vacancy.pk


@pytest.mark.django_db
def test_a_long_note_is_refused_with_its_limit(client_of, coordinator):
    person = ParticipantFactory(academy=coordinator.academy)
    response = client_of(coordinator).post(
        reverse("participants:support-add", args=[person.pk]),
        {"kind": "careers", "given_on": "2024-03-01", "notes": "x" * 20_001},
    )
    assert "at most 10000 characters" in response.content.decode().replace(",", "")
    assert not person.support.exists()


def _e164_parsed(text):
    """The E.164 form as libphonenumber makes it, or None (the rule's meaning)."""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize("seed", range(5))
def test_uk_mobiles_come_out_in_e164_as_the_parser_makes_them(seed):
    """phone_e164 writes a UK mobile in its usual form without parsing it: the same
    as libphonenumber, on 20,000 numbers."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    wrong = []
    for _ in range(2_000):
        digits = f"{rng.randrange(10**9):09d}"
        for text in (f"07{digits}", f"07{digits[:3]} {digits[3:]}"):
            if rules.phone_e164(text) != _e164_parsed(text):
                wrong.append(text)
    assert not wrong, wrong[:5]


# Numbers near the UK-mobile shortcut's edges (tests/participants too).
PHONE_EDGES = [
    "07700 900123",
    "+44 7700 900123",
    "01752 123456",
    "0770090012",  # a digit short
    "077009001234",  # a digit long
    "07700  900123",
    "07700-900123",
    "٠٧٧٠٠٩٠٠١٢٣",  # Arabic-Indic digits: the parser's business
    "not a number",
]


@pytest.mark.parametrize("text", [*PHONE_EDGES, ""])
def test_other_numbers_are_parsed_for_e164(text):
    assert rules.phone_e164(text) == _e164_parsed(text)


def _shown_parsed(text):
    """A number as libphonenumber writes it for people (the rule's meaning)."""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def test_numbers_are_shown_as_the_parser_writes_them():
    """phone_shown writes an E.164 number from the kept layout of its beginning (no
    parse per number): the same text as libphonenumber for 4,000 UK, foreign and odd
    numbers."""
    rng = random.Random(16)  # noqa: S311 - test samples
    samples = ["+447700900123", "+441752123456", "+442079460000", "+4420794", "+44"]
    samples += ["0770", "not a number", "+353851234567", "+14155552671", ""]
    samples += ["+٤٤٧٧٠٠٩٠٠١٢٣", "07700 900123", "+44 7700 900123"]
    for _ in range(2000):
        uk = rng.choice("71238")
        samples.append(f"+44{uk}{rng.randrange(10**9):09d}")
        country = rng.choice(["1", "33", "49", "353", "91"])
        samples.append(f"+{country}{rng.randrange(10**10):0{rng.randint(8, 11)}d}")
    wrong = [
        (number, _shown_parsed(number), rules.phone_shown(number))
        for number in samples
        if _shown_parsed(number) != rules.phone_shown(number)
    ]
    assert not wrong, wrong[:5]


def test_a_stored_phone_number_is_shown_from_its_field_value(db):
    person = ParticipantFactory(phone="+447700900123")
    person.refresh_from_db()
    assert rules.phone_shown(person.phone) == "07700 900123"
    assert rules.phone_shown(None) == ""


def _django_accepts(address):
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def test_email_is_valid_answers_as_djangos_validator():
    """email_is_valid matches ordinary addresses with Django's own patterns: the same
    answer as validate_email on 6,000 made-up addresses, good, odd and bad."""
    rng = random.Random(9)  # noqa: S311 - test samples
    pieces = ["a", "B", "z9", "ex", "Ample", "com"] * 6
    pieces += [".", "..", "-", "_", "+", "%", "'", '"', " ", "@", "é", "xn--bcher-kva"]
    pieces += ["[127.0.0.1]", "[::1]", "localhost", "co.uk", "-x", "x-"]
    samples = ["Person1@Example.net", "a@b.c", "a@localhost", "a@[127.0.0.1]", ""]
    samples += ['"quoted"@example.org', "a@-example.com", "a@example-.com", "@x.io"]
    samples += ["a" * 64 + "@" + "b" * 63 + ".com", "a@" + "b" * 64 + ".com"]
    for _ in range(6_000):
        user = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
        domain = ".".join(
            "".join(rng.choice(pieces) for _ in range(rng.randint(1, 2)))
            for _ in range(rng.randint(1, 3))
        )
        samples.append(f"{user}@{domain}")
    wrong = [s for s in samples if rules.email_is_valid(s) != _django_accepts(s)]
    assert not wrong, wrong[:5]
    valid = sum(map(rules.email_is_valid, samples))
    assert 300 < valid < len(samples) - 300  # both kinds, plenty of each
