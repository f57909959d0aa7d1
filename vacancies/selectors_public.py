"""Reads of the public pages: the vacancy board (searched, filtered, sorted and paged
in the database) with each vacancy's schema.org JobPosting, and the event pages (an
academy's upcoming public events, the areas they are in, and the places left)."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression, OrderBy
from django.db.models.functions import Cast
from django.utils import timezone

from academy.models import Academy, PlaceName, Postcode
from academy.places.geo import Place, place_of, postcode_parts
from academy.rules import WEEKS_A_YEAR

from .models import CareRole, Event, EventQuerySet, Setting, SignUp, Vacancy

# GOV.UK: full-time work is usually 35 hours a week or more.
FULL_TIME_HOURS = 35
KM_PER_DEGREE = 6371.0 * math.pi / 180  # of latitude, on the portal's sphere
SEARCH_WORDS = 8  # the words of a search that count (a search box, not an essay)


@dataclass(frozen=True)
class BoardFilter:
    """What a visitor asked the board for; empty values ask for nothing."""

    q: str = ""
    role: str = ""
    setting: str = ""
    area: str = ""
    contract: str = ""
    hours: str = ""  # "full_time" or "part_time"
    min_hours: int | None = None
    max_hours: int | None = None
    min_pay: Decimal | None = None  # pounds an hour
    near: str = ""
    within_km: int | None = None
    sort: str = "closing"  # "closing", "distance" or "pay"


@dataclass(frozen=True)
class BoardRow:
    """A vacancy as the board lists it, with its area rather than its postcode."""

    vacancy: Vacancy
    area: str
    distance_km: float | None


@dataclass(frozen=True)
class VacancyBoard:
    """The board's vacancies in order, as a query still to be paged, and a note when
    the visitor's postcode could not be placed."""

    vacancies: QuerySet[Vacancy]
    note: str

    def row(self, vacancy: Vacancy) -> BoardRow:
        squared = getattr(vacancy, "distance_sq", None)
        distance = None if squared is None else math.sqrt(squared) * KM_PER_DEGREE
        return BoardRow(vacancy, postcode_area(vacancy.postcode), distance)


def postcode_area(postcode: str) -> str:
    """The postcode district (PL4 of PL4 6AB): the most the public is told."""
    parts = postcode_parts(postcode)
    return parts[0] if parts else ""


def hourly_pay() -> Case:
    """The lowest pay as pounds an hour, in SQL: a salary over 52 weeks of the job's
    hours (academy.rules compares salaries with the living wage the same way)."""
    pay = Cast("pay_min", FloatField())
    hours = Cast("hours_per_week", FloatField())
    return Case(
        When(
            pay_unit=Vacancy.PayUnit.ANNUAL,
            then=ExpressionWrapper(
                pay / (hours * Value(float(WEEKS_A_YEAR))), output_field=FloatField()
            ),
        ),
        default=pay,
        output_field=FloatField(),
    )


def distance_squared(origin: Place) -> ExpressionWrapper[CombinedExpression]:
    """Degrees squared from `origin`, in SQL, on a flat projection (a longitude
    degree shrinks by cos(latitude)): within 0.1% of the great circle over the
    distances of a board, and plain arithmetic that SQLite and PostgreSQL share."""
    shrink = math.cos(math.radians(origin.latitude))
    north = F("latitude") - Value(origin.latitude)
    east = (F("longitude") - Value(origin.longitude)) * Value(shrink)
    return ExpressionWrapper(north * north + east * east, output_field=FloatField())


def _district_q(district: str) -> Q:
    # A whole district: PL1 is "PL1" or "PL1 ..." (never PL12).
    return Q(postcode__iexact=district) | Q(postcode__istartswith=f"{district} ")


def _word_q(word: str) -> Q:
    """Where one search word may be: the title, role, care setting, provider,
    description, the area, or the ward, constituency or council the postcode is in."""
    roles = [value for value, label in CareRole.choices if word in label.lower()]
    settings = [value for value, label in Setting.choices if word in label.lower()]
    names = PlaceName.objects.filter(name__icontains=word).values("code")
    in_place = Postcode.objects.filter(postcode=OuterRef("postcode")).filter(
        Q(ward__in=names) | Q(constituency__in=names) | Q(local_authority__in=names)
    )
    found = (
        Q(title__icontains=word)
        | Q(role__in=roles)
        | Q(setting__in=settings)
        | Q(organisation__name__icontains=word)
        | Q(description__icontains=word)
        | Q(Exists(in_place))
    )
    parts = postcode_parts(word)
    if parts:  # a district, or a postcode's district: never a full postcode's match
        found |= _district_q(parts[0])
    return found


def vacancy_board(*, academy: Academy, filters: BoardFilter) -> VacancyBoard:
    """The academy's open vacancies for the public board: searched, filtered and
    sorted by the database, for the view to page (spec/roles.md: open ones only)."""
    rows = (
        Vacancy.objects.for_academy(academy)
        .open(timezone.localdate())
        .select_related("organisation")
        .annotate(hourly=hourly_pay())
    )
    for word in filters.q.lower().split()[:SEARCH_WORDS]:
        rows = rows.filter(_word_q(word))
    if filters.role:
        rows = rows.filter(role=filters.role)
    if filters.setting:
        rows = rows.filter(setting=filters.setting)
    if filters.area:
        rows = rows.filter(_district_q(filters.area.upper()))
    if filters.contract:
        rows = rows.filter(contract=filters.contract)
    if filters.hours == "full_time":
        rows = rows.filter(hours_per_week__gte=FULL_TIME_HOURS)
    elif filters.hours == "part_time":
        rows = rows.filter(hours_per_week__lt=FULL_TIME_HOURS)
    if filters.min_hours is not None:
        rows = rows.filter(hours_per_week__gte=filters.min_hours)
    if filters.max_hours is not None:
        rows = rows.filter(hours_per_week__lte=filters.max_hours)
    if filters.min_pay is not None:
        # A float, as `hourly` is: £13.33 an hour passes "at least £13.33".
        rows = rows.filter(hourly__gte=float(filters.min_pay) - 0.005)
    note = ""
    origin = place_of(filters.near) if filters.near else None
    if filters.near and origin is None:
        note = f"We could not find {filters.near}, so distances are not shown."
    if origin is not None:
        rows = rows.annotate(distance_sq=distance_squared(origin))
        if filters.within_km:
            reach = filters.within_km / KM_PER_DEGREE
            rows = rows.filter(Q(distance_sq__lte=reach * reach))
    order: list[str | OrderBy]
    if filters.sort == "distance" and origin is not None:
        order = [F("distance_sq").asc(nulls_last=True), "closing_on", "pk"]
    elif filters.sort == "pay":
        order = [F("hourly").desc(), "closing_on", "pk"]
    else:
        order = ["closing_on", "pk"]
    return VacancyBoard(rows.order_by(*order), note)


def open_vacancy_get(*, academy: Academy, pk: int) -> Vacancy | None:
    """One of the academy's open vacancies, for its public page; None otherwise."""
    return (
        Vacancy.objects.for_academy(academy)
        .open(timezone.localdate())
        .select_related("organisation")
        .filter(pk=pk)
        .first()
    )


# schema.org JobPosting: what search engines read to list a job.
EMPLOYMENT_TYPES = {
    Vacancy.Contract.PERMANENT: [],
    Vacancy.Contract.FIXED_TERM: ["TEMPORARY"],
    Vacancy.Contract.BANK: ["PER_DIEM"],
}
PAY_UNITS = {Vacancy.PayUnit.HOURLY: "HOUR", Vacancy.PayUnit.ANNUAL: "YEAR"}


def job_posting(*, vacancy: Vacancy, url: str) -> dict[str, Any]:
    """The vacancy's public page as a schema.org JobPosting: the public fields only
    (the district, never the full postcode)."""
    hours = "FULL_TIME" if vacancy.hours_per_week >= FULL_TIME_HOURS else "PART_TIME"
    pay: dict[str, Any] = {"@type": "QuantitativeValue"}
    if vacancy.pay_max and vacancy.pay_max != vacancy.pay_min:
        pay |= {"minValue": float(vacancy.pay_min), "maxValue": float(vacancy.pay_max)}
    else:
        pay["value"] = float(vacancy.pay_min)
    pay["unitText"] = PAY_UNITS[Vacancy.PayUnit(vacancy.pay_unit)]
    closes = dt.datetime.combine(vacancy.closing_on, dt.time(23, 59, 59))
    description = vacancy.description or (
        f"{vacancy.get_role_display()} with {vacancy.organisation.name} "
        f"({vacancy.get_setting_display()}), {vacancy.hours_per_week:g} hours a week, "
        f"{vacancy.pay_text}."
    )
    posting: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": vacancy.title,
        "description": description,
        "datePosted": timezone.localdate(vacancy.created_at).isoformat(),
        "validThrough": timezone.make_aware(closes).isoformat(),
        "employmentType": [
            hours,
            *EMPLOYMENT_TYPES[Vacancy.Contract(vacancy.contract)],
        ],
        "hiringOrganization": {
            "@type": "Organization",
            "name": vacancy.organisation.name,
        },
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "postalCode": postcode_area(vacancy.postcode),
                "addressCountry": "GB",
            },
        },
        "baseSalary": {"@type": "MonetaryAmount", "currency": "GBP", "value": pay},
        "url": url,
    }
    code, name = vacancy.soc2020
    if code:
        posting["occupationalCategory"] = f"{code} {name}"
    return posting


# What json_script escapes: no "<" or "&" in the text, so nothing in a title can end
# the script element or start another.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})


def json_for_script(data: dict[str, Any]) -> str:
    """JSON to write inside a <script> element as it is (as Django's json_script
    escapes it), for a JSON-LD block, whose type json_script cannot set."""
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE)


ONLINE = "online"  # the area filter's value for events with no venue


@dataclass(frozen=True)
class EventBoardRow:
    """An event as the public list shows it: its area, not its full postcode, and the
    places left (None: no limit)."""

    event: Event
    area: str
    places_left: int | None

    @property
    def is_full(self) -> bool:
        return self.places_left is not None and self.places_left <= 0


def event_area(event: Event) -> str:
    """The postcode district (PL4 of PL4 6AB), or Online."""
    return postcode_area(event.postcode) or ("Online" if event.online_url else "")


def public_events(*, academy: Academy) -> EventQuerySet:
    """The academy's public events that have not ended, soonest first, each with
    `places_taken` (booked or come)."""
    return (
        Event.objects.for_academy(academy)
        .public()
        .filter(ends_at__gt=timezone.now())
        .annotate(
            places_taken=Count("signups", filter=Q(signups__status__in=SignUp.HOLDING))
        )
        .order_by("starts_at", "pk")
    )


def places_left(event: Event) -> int | None:
    """Places still free (never below 0); None when there is no limit. Reads the
    `places_taken` annotation of public_events, or counts."""
    if event.capacity is None:
        return None
    taken = getattr(event, "places_taken", None)
    if taken is None:
        taken = SignUp.objects.filter(event=event).holding_places().count()
    return max(event.capacity - int(taken), 0)


def event_board(
    *, academy: Academy, kind: str = "", area: str = ""
) -> tuple[list[EventBoardRow], list[str]]:
    """The academy's upcoming public events of `kind` in `area` (a district, or
    online), and every district its upcoming events are in, for the area filter."""
    events = public_events(academy=academy)
    areas = sorted(
        {a for e in events.only("postcode", "online_url") if (a := event_area(e))}
        - {"Online"}
    )
    if kind:
        events = events.filter(kind=kind)
    if area == ONLINE:
        events = events.filter(postcode="").exclude(online_url="")
    elif area:
        # PL1 is not PL12: the district is followed by the space of a clean postcode.
        events = events.filter(postcode__istartswith=f"{area} ")
    rows = [EventBoardRow(e, event_area(e), places_left(e)) for e in events]
    return rows, areas
