"""The public vacancy board's search, pay, contract and hours filters, sorting and
paging (issue 15), and each vacancy page's schema.org JobPosting data."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from academy.models import PlaceName, Postcode
from academy.places.districts import district_rows
from tests.academy.factories import OrganisationFactory
from tests.vacancies.factories import VacancyFactory

DISTRICTS = {district: (lat, lon) for district, lat, lon in district_rows()}


def board(academy):
    return reverse("vacancies:board", args=[academy.slug])


def detail(vacancy):
    return reverse("vacancies:board-detail", args=[vacancy.academy.slug, vacancy.pk])


def job(academy, postcode="PL4 6AB", **fields):
    lat, lon = DISTRICTS[postcode.split()[0]]
    fields = {"latitude": lat, "longitude": lon, **fields}
    return VacancyFactory(academy=academy, postcode=postcode, **fields)


def titles(response):
    return [row.vacancy.title for row in response.context["page"]]


def in_days(days):
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("night", ["Night carer"]),  # the title
        ("COOK", ["Kitchen help"]),  # the role's name
        ("tamar view", ["Night carer"]),  # the provider
        ("dementia", ["Day centre driver"]),  # the description
        ("plympton", ["Kitchen help"]),  # the town its postcode is in
        ("pl1", ["Day centre driver"]),  # the area
        ("nothing like it", []),
    ],
)
def test_keyword_search_finds_title_role_provider_description_and_town(
    client, academy, q, expected
):
    ward = PlaceName.objects.create(
        code="E05999901", name="Plympton St Mary", kind="ward", source="test"
    )
    Postcode.objects.create(
        postcode="PL7 1AB", latitude=50.39, longitude=-4.05, source="t", ward=ward.code
    )
    job(
        academy,
        title="Night carer",
        organisation=OrganisationFactory(academy=academy, name="Tamar View Care"),
    )
    job(academy, title="Kitchen help", role="cook", postcode="PL7 1AB")
    job(
        academy,
        title="Day centre driver",
        role="driver",
        postcode="PL1 2AB",
        description="Bringing people living with dementia to the centre.",
    )
    response = client.get(board(academy), {"q": q})
    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.django_db
def test_min_pay_compares_salaries_as_hourly_pay(client, academy):
    job(academy, title="At 12.21", pay_min=Decimal("12.21"), pay_max=None)
    # £26,000 a year for 37.5 hours a week is £13.33 an hour.
    job(
        academy,
        title="Salary 26k",
        pay_unit="annual",
        pay_min=Decimal("26000"),
        pay_max=None,
        hours_per_week=Decimal("37.5"),
    )
    # £26,000 a year for 45 hours a week is only £11.11 an hour.
    job(
        academy,
        title="Salary 26k long hours",
        pay_unit="annual",
        pay_min=Decimal("26000"),
        pay_max=None,
        hours_per_week=Decimal("45"),
    )
    job(academy, title="At 14", pay_min=Decimal("14"), pay_max=Decimal("15"))
    response = client.get(board(academy), {"min_pay": "13"})
    assert set(titles(response)) == {"Salary 26k", "At 14"}
    response = client.get(board(academy), {"min_pay": "13", "sort": "pay"})
    assert titles(response) == ["At 14", "Salary 26k"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_pay", "abc", "Enter pay as an amount in pounds an hour, such as 12.50."),
        ("min_pay", "-3", "Enter pay as an amount in pounds an hour, such as 12.50."),
        ("near", "abc", "Enter a postcode, such as PL4 6AB."),
        ("sort", "distance", "Enter your postcode to sort jobs by distance."),
        ("sort", "cheapest", "Choose how to sort the jobs from the list."),
        ("within_km", "10", "Enter your postcode to see jobs near it."),
        ("within_km", "7", "Choose a distance from the list."),
        ("contract", "forever", "Choose a kind of contract from the list."),
        ("hours", "lots", "Choose full time or part time from the list."),
        ("q", "x" * 101, "Enter 100 characters or fewer."),
    ],
)
def test_bad_input_is_explained_and_left_out(client, academy, field, value, message):
    job(academy, title="Carer", pay_min=Decimal("12.50"), pay_max=None)
    response = client.get(board(academy), {field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert titles(response) == ["Carer"]


@pytest.mark.django_db
def test_the_contract_filter(client, academy):
    job(academy, title="Permanent", contract="permanent")
    job(academy, title="Bank", contract="bank")
    job(academy, title="Fixed", contract="fixed_term")
    assert titles(client.get(board(academy), {"contract": "bank"})) == ["Bank"]


@pytest.mark.django_db
def test_full_and_part_time(client, academy):
    job(academy, title="Full", hours_per_week=Decimal("37.5"))
    job(academy, title="Just full", hours_per_week=Decimal("35"))
    job(academy, title="Part", hours_per_week=Decimal("20"))
    full = titles(client.get(board(academy), {"hours": "full_time"}))
    assert set(full) == {"Full", "Just full"}
    assert titles(client.get(board(academy), {"hours": "part_time"})) == ["Part"]


@pytest.mark.django_db
def test_sorting_by_closing_date_distance_and_pay(client, academy):
    job(academy, title="Far, soon", postcode="NE29 6AA", closing_on=in_days(3))
    job(
        academy,
        title="Near, late, well paid",
        postcode="PL1 2AB",
        closing_on=in_days(40),
        pay_min=Decimal("16"),
        pay_max=None,
    )
    job(
        academy,
        title="Middle",
        postcode="PL4 6AB",
        closing_on=in_days(10),
        pay_unit="annual",
        pay_min=Decimal("28000"),
        pay_max=None,
    )
    order = ["Far, soon", "Middle", "Near, late, well paid"]
    assert titles(client.get(board(academy))) == order
    assert titles(client.get(board(academy), {"sort": "closing"})) == order
    by_distance = client.get(board(academy), {"near": "PL1 1AA", "sort": "distance"})
    assert titles(by_distance) == ["Near, late, well paid", "Middle", "Far, soon"]
    by_pay = titles(client.get(board(academy), {"sort": "pay"}))
    assert by_pay == ["Near, late, well paid", "Middle", "Far, soon"]


@pytest.mark.django_db
def test_paging_is_done_by_the_database(client, academy):
    for day in range(30):
        job(academy, title=f"Job {day:02}", closing_on=in_days(day + 1))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(board(academy), {"page": "2", "near": "PL4 6AB"})
    assert titles(response) == [f"Job {day:02}" for day in range(25, 30)]
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "vacancies_vacancy"' in q["sql"] and "COUNT(" not in q["sql"]
    ]
    assert reads
    assert all("LIMIT" in sql for sql in reads), reads
    assert "Page 2 of 2" in response.content.decode()


@pytest.mark.django_db
def test_the_page_links_keep_the_search(client, academy):
    for _ in range(26):
        job(academy, title="Night carer", contract="bank")
    page = client.get(board(academy), {"q": "night", "contract": "bank"})
    html = page.content.decode()
    assert "?q=night&amp;contract=bank&amp;page=2" in html


def filter_button(html):
    found = re.search(
        r'<button[^>]*aria-controls="board-filters"[^>]*>(.*?)</button>', html, re.S
    )
    assert found is not None
    return found.group(0), " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def folded_open(html):
    box = re.search(r'<div[^>]*id="board-filters"[^>]*>', html)
    assert box is not None
    return bool(re.search(r'class="[^"]*\bshow\b', box.group(0)))


@pytest.mark.django_db
def test_on_a_phone_the_filters_fold_under_a_filter_button(client, academy):
    html = client.get(board(academy)).content.decode()
    button, words = filter_button(html)
    assert 'aria-expanded="false"' in button
    assert words == "Filter"
    assert not folded_open(html)
    # Chosen filters stay folded, so the jobs come first; the button counts them.
    html = client.get(board(academy), {"contract": "bank", "min_pay": "12"}).content
    button, words = filter_button(html.decode())
    assert 'aria-expanded="false"' in button
    assert words == "Filter 2 chosen"
    assert not folded_open(html.decode())
    # A filter with an error unfolds, to be read and put right.
    html = client.get(board(academy), {"min_pay": "abc"}).content.decode()
    button, _ = filter_button(html)
    assert 'aria-expanded="true"' in button
    assert folded_open(html)


def job_posting(response):
    html = response.content.decode()
    found = re.findall(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S
    )
    assert len(found) == 1, found
    return json.loads(found[0])


@pytest.mark.django_db
def test_each_vacancy_page_carries_a_job_posting(client, academy):
    vacancy = job(
        academy,
        title="Senior carer",
        postcode="PL21 9XY",
        description="Leading a small team on days.",
        hours_per_week=Decimal("37.5"),
        contract="fixed_term",
        pay_min=Decimal("12.80"),
        pay_max=Decimal("13.50"),
        closing_on=dt.date(2099, 3, 31),
        organisation=OrganisationFactory(academy=academy, name="Tamar View Care"),
    )
    posting = job_posting(client.get(detail(vacancy)))
    assert posting["@context"] == "https://schema.org"
    assert posting["@type"] == "JobPosting"
    assert posting["title"] == "Senior carer"
    assert "Leading a small team on days." in posting["description"]
    assert posting["datePosted"] == timezone.localdate(vacancy.created_at).isoformat()
    assert posting["validThrough"].startswith("2099-03-31T23:59")
    assert posting["employmentType"] == ["FULL_TIME", "TEMPORARY"]
    assert posting["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Tamar View Care",
    }
    address = posting["jobLocation"]["address"]
    # The public is told the district, never the full postcode (spec/roles.md).
    assert address["postalCode"] == "PL21"
    assert address["addressCountry"] == "GB"
    assert posting["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "GBP",
        "value": {
            "@type": "QuantitativeValue",
            "minValue": 12.8,
            "maxValue": 13.5,
            "unitText": "HOUR",
        },
    }
    assert posting["url"] == f"http://testserver{detail(vacancy)}"


@pytest.mark.django_db
def test_a_salary_and_part_time_bank_work_read_right(client, academy):
    vacancy = job(
        academy,
        hours_per_week=Decimal("16"),
        contract="bank",
        pay_unit="annual",
        pay_min=Decimal("24000"),
        pay_max=None,
        description="",
    )
    posting = job_posting(client.get(detail(vacancy)))
    assert posting["employmentType"] == ["PART_TIME", "PER_DIEM"]
    assert posting["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "value": 24000.0,
        "unitText": "YEAR",
    }
    assert posting["description"]  # required: never empty


@pytest.mark.django_db
def test_the_job_posting_cannot_end_its_script(client, academy):
    vacancy = job(academy, title="Carer </script><script>alert(1)</script> & co")
    response = client.get(detail(vacancy))
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert job_posting(response)["title"] == (
        "Carer </script><script>alert(1)</script> & co"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["closed", "paused", "expired"])
def test_a_closed_vacancy_is_not_listed_and_its_page_says_closed(
    client, academy, state
):
    if state == "expired":
        vacancy = job(academy, title="Old job title", closing_on=in_days(-1))
    else:
        vacancy = job(academy, title="Old job title", status=state)
    assert titles(client.get(board(academy))) == []
    response = client.get(detail(vacancy))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This job is closed or no longer on the board" in html
    assert reverse("vacancies:board", args=[academy.slug]) in html
    assert "Old job title" not in html
    assert "application/ld+json" not in html


@pytest.mark.django_db
def test_the_filter_form_is_rendered_once_a_minute_for_the_same_query(
    client, academy, monkeypatch
):
    """Issue 16: rendering the filter form was half the board's time; the same query
    gives the same form, so it is kept a minute, while each query keeps its own."""
    from crispy_forms.helper import FormHelper
    from django.core.cache import cache

    cache.clear()
    job(academy, title="Night carer")
    renders = []
    real = FormHelper.render_layout

    def counted(self, *args, **kwargs):
        renders.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(FormHelper, "render_layout", counted)
    first = client.get(board(academy), {"q": "night"}).content.decode()
    again = client.get(board(academy), {"q": "night"}).content.decode()
    assert len(renders) == 1
    assert first == again
    assert 'value="night"' in again  # the typed words stay in the box
    bad = client.get(board(academy), {"min_pay": "abc"}).content.decode()
    assert len(renders) == 2  # another query: its own form, with its message
    assert 'value="abc"' in bad
    assert "Night carer" in bad
