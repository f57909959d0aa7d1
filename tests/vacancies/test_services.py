"""Vacancy services: saving rules, status, closing by date, critical-shortage mail,
postcodes, and what the app adds to casework and the impact report."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from academy.models import Postcode
from academy.places.geo import place_of, postcode_parts
from participants import services as casework
from participants.selectors import participant_timeline
from reporting.impact import impact_report
from tests.academy.factories import MembershipFactory, OrganisationFactory
from tests.participants.factories import ParticipantFactory
from tests.vacancies.factories import ReferralFactory, VacancyFactory
from vacancies import services
from vacancies.models import Referral, Vacancy

TODAY = dt.date(2026, 6, 1)


def new_vacancy(academy, **fields):
    data = {
        "academy": academy,
        "organisation": OrganisationFactory(academy=academy),
        "title": "Care worker",
        "role": "care_worker",
        "setting": "domiciliary",
        "hours_per_week": Decimal("30"),
        "contract": "permanent",
        "pay_min": Decimal("12.80"),
        "pay_max": Decimal("13.00"),
        "postcode": "pl46ab",
        "closing_on": timezone.localdate() + dt.timedelta(days=20),
    }
    data.update(fields)
    return Vacancy(**data)


@pytest.mark.django_db
def test_posting_places_the_vacancy_by_its_postcode(academy, coordinator):
    vacancy = services.vacancy_save(vacancy=new_vacancy(academy), by=coordinator.user)
    assert vacancy.postcode == "PL4 6AB"
    assert (round(vacancy.latitude, 2), round(vacancy.longitude, 2)) == (50.37, -4.12)
    assert vacancy.created_by == coordinator.user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"closing_on": dt.date(2020, 1, 1)},
            "closing_on",
            "The closing date has passed",
        ),
        (
            {"pay_min": Decimal("14"), "pay_max": Decimal("12")},
            "pay_max",
            "below the lowest",
        ),
        ({"postcode": "ZZ9 9ZZ"}, "postcode", "We cannot find where ZZ9 9ZZ is"),
        ({"postcode": "not a postcode"}, "postcode", "is not a UK postcode"),
        (
            {"hours_per_week": Decimal("90")},
            "hours_per_week",
            "less than or equal to 60",
        ),
    ],
)
def test_bad_vacancies_are_refused_and_not_saved(
    academy, coordinator, fields, field, message
):
    with pytest.raises(ValidationError) as error:
        services.vacancy_save(
            vacancy=new_vacancy(academy, **fields), by=coordinator.user
        )
    assert message in " ".join(error.value.message_dict[field])
    assert not Vacancy.objects.exists()


@pytest.mark.django_db
def test_a_critical_shortage_mails_the_coordinators_once(
    academy, coordinator, provider, django_capture_on_commit_callbacks
):
    MembershipFactory(academy=academy, role="coordinator", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        vacancy = services.vacancy_save(
            vacancy=new_vacancy(academy, is_critical_shortage=True), by=provider.user
        )
    assert [m.to for m in mail.outbox] == [[coordinator.user.email]]
    assert "Critical shortage: Care worker" in mail.outbox[0].subject
    assert f"/vacancies/{vacancy.pk}/matches/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        vacancy.title = "Care worker (days)"
        services.vacancy_save(vacancy=vacancy, by=provider.user)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_vacancies_close_by_themselves_after_their_closing_date(academy):
    from vacancies.tasks import vacancies_close_expired

    past = VacancyFactory(academy=academy, closing_on=dt.date(2026, 5, 31))
    paused = VacancyFactory(
        academy=academy, closing_on=dt.date(2026, 5, 1), status="paused"
    )
    today = VacancyFactory(academy=academy, closing_on=TODAY)
    with time_machine.travel(dt.datetime(2026, 6, 1, 0, 5, tzinfo=dt.UTC), tick=False):
        assert vacancies_close_expired.delay().get() == 2
    statuses = {v.pk: v.status for v in Vacancy.objects.all()}
    assert statuses == {past.pk: "closed", paused.pk: "closed", today.pk: "open"}


@pytest.mark.django_db
def test_a_vacancy_past_its_closing_date_cannot_be_reopened(academy):
    vacancy = VacancyFactory(
        academy=academy, closing_on=dt.date(2020, 1, 1), status="closed"
    )
    with pytest.raises(ValidationError, match="closing date has passed"):
        services.vacancy_status_set(vacancy=vacancy, status="open")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("pl4 6ab", ("PL4", "PL4 6AB")),
        ("NE29 0AA", ("NE29", "NE29 0AA")),
        ("PL4", ("PL4", "PL4")),
        ("SW1A1AA", ("SW1A", "SW1A 1AA")),
        ("hello", None),
    ],
)
def test_postcode_parts(text, parts):
    assert postcode_parts(text) == parts


@pytest.mark.django_db
def test_a_full_postcode_falls_back_to_its_district_and_unknown_has_no_place():
    assert place_of("PL4 9ZZ").precision == "district"
    assert place_of("ZZ1 1ZZ") is None


@pytest.mark.django_db
def test_postcodes_load_all_or_nothing(tmp_path):
    good = tmp_path / "onspd.csv"
    good.write_text("pcds,lat,long\nPL4 6AB,50.3751,-4.1227\nPL1 1AA,99.999999,0\n")
    out = StringIO()
    call_command("load_postcodes", str(good), stdout=out)
    assert "Loaded 1 postcode (1 new" in out.getvalue()
    assert place_of("PL4 6AB").precision == "postcode"
    bad = tmp_path / "bad.csv"
    bad.write_text("pcds,lat,long\nPL5 1AA,50.4,-4.1\nnope,1,2\n")
    with pytest.raises(CommandError, match="row 3: pcds: 'nope' is not a postcode"):
        call_command("load_postcodes", str(bad))
    assert not Postcode.objects.filter(postcode="PL5 1AA").exists()


@pytest.mark.django_db
def test_referrals_show_on_the_timeline_and_follow_a_merge(academy, coordinator):
    keep = ParticipantFactory(academy=academy)
    duplicate = ParticipantFactory(academy=academy)
    referral = services.referral_create(
        participant=duplicate,
        vacancy=VacancyFactory(academy=academy),
        by=coordinator.user,
    )
    casework.participant_merge(keep=keep, duplicate=duplicate, by=coordinator.user)
    referral.refresh_from_db()
    assert referral.participant == keep
    titles = [e.title for e in participant_timeline(participant=keep)]
    assert f"Referral made: {referral.vacancy.title}" in titles


@pytest.mark.django_db
def test_a_referral_belongs_to_its_persons_academy_and_is_found_by_it(
    academy, other_academy, coordinator
):
    """Issue 16: a referral carries its academy, so reads start from its academy's."""
    person = ParticipantFactory(academy=academy)
    referral = services.referral_create(
        participant=person, vacancy=VacancyFactory(academy=academy), by=coordinator.user
    )
    ReferralFactory(participant__academy=other_academy)
    assert referral.academy == academy
    assert list(Referral.objects.for_academy(academy)) == [referral]
    sql = str(Referral.objects.for_academy(academy).query)
    assert '"vacancies_referral"."academy_id" =' in sql
    assert "participants_participant" not in sql


@pytest.mark.django_db
def test_the_impact_report_counts_vacancies_referrals_and_starts(academy, coordinator):
    vacancy = VacancyFactory(academy=academy)
    referral = ReferralFactory(participant__academy=academy, vacancy=vacancy)
    for stage in ("offered", "started"):
        services.referral_advance(referral=referral, to=stage, by=coordinator.user)
    today = timezone.localdate()
    report = impact_report(
        academy=academy, start=today - dt.timedelta(days=1), end=today
    )
    assert report.activity.extra == {
        "Vacancies posted": 1,
        "Referrals made": 1,
        "Referrals that became starts": 1,
    }
    assert Referral.objects.get().outcome_id is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "to"), [("open", "open"), ("closed", "paused"), ("paused", "nonsense")]
)
def test_the_service_refuses_a_move_the_status_does_not_allow(academy, status, to):
    vacancy = VacancyFactory(academy=academy, status=status)
    with pytest.raises(ValidationError, match="choose one of the buttons"):
        services.vacancy_status_set(vacancy=vacancy, status=to)
    vacancy.refresh_from_db()
    assert vacancy.status == status
