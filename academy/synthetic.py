"""Generated data at national scale (issue 16): academies full of plausible casework,
for benchmarks and load tests (`manage.py generate_data`).

Each academy follows the seeds' ratios for a city academy, scaled to its people:
about nine in ten agree a skills action plan and are given support, a quarter start a
job in health or social care and one in twelve in another sector, one in ten start
training, and so on (../shared/seeds/, participants/demo.py). Rows are made in Python
from one seeded random generator and written with PostgreSQL COPY (psycopg 3), or,
on SQLite, with plain INSERTs for a few thousand people. Ids are given here, so
children name their parents without reading anything back.

On PostgreSQL the generated rows bypass the casework history triggers (the history is
of changes people made, and a generated academy has none) and, as a superuser, the
foreign-key triggers too: the ids given here are consistent by construction, which the
tests check on SQLite, whose checks stay on. Derived columns are written consistent:
the consent shown is the ledger's latest entry, `last_contact_at` the latest meeting,
a case closes with its 26-week check or after months without work, and every open plan
action and due check has its one open task.

This module spans every app (as the demo seed does), so it reaches the other apps'
models through the app registry rather than importing upwards.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from .crypto import text_encrypt
from .models import Academy, Membership, Organisation, Postcode, User
from .permissions import Role
from .rules import national_living_wage
from .services import academy_create

GENERATED_DOMAIN = "generated.example.org"
# SQLite writes row by row: enough for tests and a look around, not for benchmarks.
SQLITE_MAX_PEOPLE = 5000
DEFAULT_CASEWORK_PER_PERSON = 10.0


class GenerateRefused(ValueError):
    """Arguments the generator cannot honour, said in words for the command line."""


@dataclass(frozen=True)
class City:
    slug: str
    name: str
    region: str
    area_code: str
    prefix: str  # its postcode area
    latitude: float
    longitude: float


CITIES = (
    City("plymouth", "Plymouth", "South West", "E06000026", "PL", 50.3755, -4.1427),
    City(
        "leeds",
        "Leeds",
        "Yorkshire and The Humber",
        "E08000035",
        "LS",
        53.8008,
        -1.5491,
    ),
    City("manchester", "Manchester", "North West", "E08000003", "M", 53.4808, -2.2426),
    City(
        "birmingham", "Birmingham", "West Midlands", "E08000025", "B", 52.4862, -1.8904
    ),
    City("bristol", "Bristol", "South West", "E06000023", "BS", 51.4545, -2.5879),
    City(
        "nottingham", "Nottingham", "East Midlands", "E06000018", "NG", 52.9548, -1.1581
    ),
    City("norwich", "Norwich", "East of England", "E07000148", "NR", 52.6309, 1.2974),
    City(
        "brighton",
        "Brighton and Hove",
        "South East",
        "E06000043",
        "BN",
        50.8225,
        -0.1372,
    ),
    City("lambeth", "Lambeth", "London", "E09000022", "SE", 51.4571, -0.1231),
    City(
        "north-tyneside",
        "North Tyneside",
        "North East",
        "E08000022",
        "NE",
        55.0177,
        -1.4876,
    ),
)

FIRST = [
    "Aaliyah",
    "Adam",
    "Aisha",
    "Alex",
    "Amira",
    "Ana",
    "Ben",
    "Bilal",
    "Chloe",
    "Chidi",
    "Dan",
    "Daria",
    "Ella",
    "Ewa",
    "Fatima",
    "Femi",
    "Grace",
    "Hana",
    "Hassan",
    "Iona",
    "Isaac",
    "Jack",
    "Jade",
    "Kasia",
    "Kofi",
    "Leah",
    "Liam",
    "Lucy",
    "Maya",
    "Mo",
    "Nadia",
    "Noor",
    "Olivia",
    "Owen",
    "Patrick",
    "Priya",
    "Rachel",
    "Ravi",
    "Rosa",
    "Sam",
    "Sara",
    "Sean",
    "Tariq",
    "Tom",
    "Uma",
    "Vera",
    "Wes",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Adams",
    "Ahmed",
    "Ali",
    "Bailey",
    "Baker",
    "Bello",
    "Brown",
    "Campbell",
    "Carter",
    "Clarke",
    "Davies",
    "Edwards",
    "Evans",
    "Fofana",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Islam",
    "Jackson",
    "James",
    "Jones",
    "Kaur",
    "Khan",
    "King",
    "Kowalski",
    "Lee",
    "Lewis",
    "Martin",
    "Mensah",
    "Mitchell",
    "Morgan",
    "Murphy",
    "Nowak",
    "Okafor",
    "O'Brien",
    "Owen",
    "Patel",
    "Phillips",
    "Price",
    "Quinn",
    "Reid",
    "Roberts",
    "Robinson",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Usman",
    "Walker",
    "Walsh",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
]
PROVIDER_WORDS = [
    "Harbour",
    "Meadow",
    "Oak",
    "Willow",
    "Riverside",
    "Beacon",
    "Cedar",
    "Heather",
    "Linden",
    "Moorview",
    "Orchard",
    "Rowan",
    "Seaview",
    "Hillcrest",
    "Maple",
    "Brook",
    "Elm",
    "Fernlea",
    "Greenacre",
    "Kingsway",
]
PROVIDER_KINDS = ("Care Homes", "Homecare", "Supported Living", "Nursing Home", "Care")
PARTNERS = (
    ("nhs_trust", "University Hospitals NHS Trust", 2),
    ("job_centre", "Jobcentre Plus", 3),
    ("college", "City College", 2),
    ("training_provider", "Care Skills Training", 4),
    ("voluntary", "Community Voluntary Service", 6),
    ("council", "City Council", 1),
)
# Jobs: role, setting, title, lowest and highest pay, its unit, hours a week.
JOBS = (
    ("care_worker", "domiciliary", "Home carer", "12.75", "13.60", "hourly", "30"),
    ("care_worker", "care_home", "Care assistant", "12.80", "13.40", "hourly", "36"),
    (
        "senior_care_worker",
        "care_home",
        "Senior care worker",
        "13.90",
        "14.80",
        "hourly",
        "37.5",
    ),
    (
        "nursing_assistant",
        "care_home_nursing",
        "Healthcare assistant",
        "12.90",
        "13.70",
        "hourly",
        "37.5",
    ),
    (
        "registered_nurse",
        "care_home_nursing",
        "Registered nurse",
        "21.50",
        "24.00",
        "hourly",
        "36",
    ),
    (
        "support_worker",
        "supported_living",
        "Support worker",
        "12.80",
        "13.30",
        "hourly",
        "24",
    ),
    (
        "activities_coordinator",
        "care_home",
        "Activities coordinator",
        "12.75",
        "",
        "hourly",
        "20",
    ),
    (
        "registered_manager",
        "care_home",
        "Registered manager",
        "42000",
        "48000",
        "annual",
        "37.5",
    ),
    ("cook", "care_home", "Cook", "12.90", "", "hourly", "30"),
    ("domestic", "care_home", "Domestic assistant", "12.72", "", "hourly", "16"),
    ("driver", "day_care", "Minibus driver", "12.80", "", "hourly", "20"),
    (
        "nursing_assistant",
        "nhs",
        "Healthcare support worker",
        "12.90",
        "14.00",
        "hourly",
        "37.5",
    ),
)
TARGET_ROLES = (
    "Care worker",
    "Home carer",
    "Senior care worker",
    "Healthcare assistant",
    "Support worker",
)
COHORTS = [
    "long_term_unemployed",
    "over_50",
    "refugee",
    "mental_health",
    "returner",
    "in_work_progression",
    "redundancy_risk",
    "care_leaver",
    "student",
    "neet",
]
BARRIERS = [
    "transport",
    "childcare",
    "confidence",
    "english",
    "digital",
    "dbs",
    "driving_licence",
    "health",
]
DOCUMENTS = (
    ("uk_irish_passport",) * 6
    + ("share_code",) * 3
    + ("birth_certificate", "birth_certificate", "digital_identity", "naturalisation")
)
SOURCES = ("job_centre",) * 3 + (
    "campaign",
    "event",
    "drop_in",
    "partner_referral",
    "self",
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
SUSTAINMENT_WEEKS = (13, 26)
DONE_TASK_DAYS = 120
TASK_DAYS_KEPT = 120

# Free text, encrypted once each (academy/crypto.py) and reused: a token decrypts to
# its text wherever it is stored.
TEXTS = {
    "meeting_notes": (
        "First conversation about care careers.",
        "Caught up on applications and training.",
        "Talked through the Care Certificate and shift patterns.",
        "Practised interview questions; feeling more confident.",
        "Looked at vacancies near home together.",
    ),
    "next_step": (
        "Call to hear how the applications went",
        "Send two care home vacancies",
        "Check the DBS application was sent",
        "Book a place on the next information session",
    ),
    "goals": (
        "A job in home care, days only, near home.",
        "Start the Care Certificate and find a care home job.",
        "Work towards becoming a senior carer.",
    ),
    "action": (
        "Apply for DBS check",
        "Book Care Certificate",
        "Update CV",
        "Visit a care home",
    ),
    "review": ("Plan reviewed: on track.", "Plan reviewed: new target role agreed."),
    "support_notes": (
        "",
        "",
        "Advice given in person.",
        "Referred for a benefits check.",
    ),
    "evidence": ("Payslip seen", "Employer confirmed by e-mail", "Contract seen"),
    "missed": (
        "Phoned in the morning to say they were unwell.",
        "No answer when called; left a message.",
    ),
    "cancelled": ("They have a job interview at that time.", "Moved at their request."),
    "task": (
        "Call about the trial shift",
        "Send the DBS form",
        "Check references came back",
    ),
    "check_task_13": ("13-week check: still in work?",),
    "check_task_26": ("26-week check: still in work?",),
    "referral_note": ("", "", "Keen on days; can start at once."),
    "enquiry_interest": (
        "Care work near home, days only",
        "Healthcare assistant roles",
        "",
    ),
    "closed_note": ("Case closed at the monthly caseload review.",),
    "consent_note": ("",),
    "signup_note": ("",),
}


@dataclass(frozen=True)
class GeneratedLogin:
    role: str
    email: str
    password: str


@dataclass
class GeneratedAcademy:
    id: int
    slug: str
    name: str
    people: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Generated:
    academies: list[GeneratedAcademy]
    logins: list[GeneratedLogin]
    mfa_key: str  # hex, the printed users' shared authenticator key
    seconds: float


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


# ---- writing ------------------------------------------------------------------------


class _Table:
    """One table written in bulk: rows are dicts by attname; fields left out get their
    default (called per row when callable, `now` for auto_now fields)."""

    def __init__(self, label: str, now: dt.datetime) -> None:
        self.model = _model(label)
        self.fields = list(self.model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.now = now
        self.index = {f.attname: n for n, f in enumerate(self.fields)}
        self.rows: list[list[Any]] = []
        self.written = 0
        self.next_id = 0
        self.pending_from = 0  # the id of rows[0]
        # Each column's value when a row leaves it out: its default, `now` for
        # auto_now fields, or (per_row) its callable default called for each row.
        self.spec: list[tuple[str, Any]] = []
        self.per_row: list[int] = []
        for n, f in enumerate(self.fields):
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = now
            elif f.has_default() and callable(f.default):
                default = None
                self.per_row.append(n)
            else:
                default = f.get_default()
            self.spec.append((f.attname, default))
        self.json = [
            n for n, f in enumerate(self.fields) if isinstance(f, models.JSONField)
        ]

    def add(self, row: dict[str, Any]) -> int:
        """Queue a row, giving it the next id; return the id."""
        pk = self.next_id
        self.next_id += 1
        row["id"] = pk
        values = [row.get(name, default) for name, default in self.spec]
        for n in self.per_row:
            if self.fields[n].attname not in row:
                values[n] = self.fields[n].get_default()
        for n in self.json:
            values[n] = json.dumps(values[n])
        if not self.rows:
            self.pending_from = pk
        self.rows.append(values)
        return pk

    def update(self, pk: int, **values: Any) -> None:
        """Change a row not yet written."""
        row = self.rows[pk - self.pending_from]
        for name, value in values.items():
            row[self.index[name]] = value


class _Writer:
    """COPY on PostgreSQL, executemany elsewhere; ids from each table's current top."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.tables: dict[str, _Table] = {}
        self.is_postgres = connection.vendor == "postgresql"

    def table(self, label: str) -> _Table:
        if label not in self.tables:
            table = _Table(label, self.now)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COALESCE(MAX(id), 0) FROM {table.model._meta.db_table}"  # noqa: S608  # nosec B608
                )
                table.next_id = cursor.fetchone()[0] + 1
            self.tables[label] = table
        return self.tables[label]

    def flush(self, labels: Sequence[str]) -> None:
        """Write the queued rows of these tables, in this order (parents first)."""
        for label in labels:
            table = self.tables.get(label)
            if table is None or not table.rows:
                continue
            name = table.model._meta.db_table
            columns = ", ".join(f'"{c}"' for c in table.columns)
            with connection.cursor() as cursor:
                if self.is_postgres:
                    raw = cursor.cursor
                    with raw.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                        for row in table.rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(table.columns))
                    cursor.executemany(
                        f"INSERT INTO {name} ({columns}) VALUES ({marks})",  # noqa: S608  # nosec B608
                        [tuple(_sqlite_value(v) for v in row) for row in table.rows],
                    )
            table.written += len(table.rows)
            table.rows = []

    def sequences_reset(self) -> None:
        """Move each PostgreSQL identity past the ids given here."""
        if not self.is_postgres:
            return
        with connection.cursor() as cursor:
            for table in self.tables.values():
                name = table.model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                    f"GREATEST((SELECT MAX(id) FROM {name}), 1))"  # nosec B608
                )


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


# Parents before children (SQLite checks foreign keys at commit, in any order; this is
# the order a reader expects).
CASEWORK_TABLES = (
    "participants.Participant",
    "participants.ParticipantCohort",
    "participants.ConsentRecord",
    "participants.Enquiry",
    "participants.Meeting",
    "participants.SkillsActionPlan",
    "participants.PlanAction",
    "participants.PlanReview",
    "participants.Support",
    "participants.Outcome",
    "participants.SustainmentCheck",
    "participants.CaseNote",
    "participants.Appointment",
    "participants.Task",
    "vacancies.Referral",
    "vacancies.ReferralEvent",
    "vacancies.SignUp",
)
OPPORTUNITY_TABLES = (
    "vacancies.Vacancy",
    "vacancies.TrainingOpportunity",
    "vacancies.Event",
    "vacancies.Event_hosts",
)


# ---- the generator ------------------------------------------------------------------


@dataclass
class _Staff:
    coordinators: list[int]
    admin: int
    providers: dict[int, int]  # organisation id -> its provider user


@dataclass
class _Place:
    postcode: str
    latitude: float
    longitude: float


class _AcademyBuilder:
    """One academy's people and everything recorded about them."""

    def __init__(
        self,
        *,
        writer: _Writer,
        academy: Academy,
        city: City,
        people: int,
        years: int,
        casework_per_person: float,
        rng: random.Random,
        today: dt.date,
        now: dt.datetime,
        texts: dict[str, tuple[str, ...]],
        staff: _Staff,
        organisations: dict[str, list[Organisation]],
        places: list[_Place],
    ) -> None:
        self.w = writer
        self.academy = academy
        self.city = city
        self.people = people
        self.rng = rng
        self.today = today
        self.now = now
        self.launch = today - dt.timedelta(days=365 * years)
        self.tz = timezone.get_current_timezone()
        self.texts = texts
        self.staff = staff
        self.orgs = organisations
        self.places = places
        # The first meeting, and the follow-ups that make up the rest of the casework
        # (everything else comes to about seven records a person).
        self.follow_ups = max(0.0, casework_per_person - 8.0)
        self.slots: dict[tuple[int, dt.date], set[int]] = {}
        # (id, organisation, its name): open ones (the last two months'), then past.
        self.vacancies: list[tuple[int, int, str]] = []
        self.open_vacancies = 0
        self.training: list[int] = []

    # -- helpers --
    def text(self, kind: str) -> str:
        return self.rng.choice(self.texts[kind])

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def weekday(self, day: dt.date) -> dt.date:
        """The day, or the Friday before it at a weekend."""
        return day - dt.timedelta(days=max(0, day.weekday() - 4))

    def slot(self, coordinator: int, day: dt.date) -> dt.datetime | None:
        """A free half hour in the coordinator's diary that day (09:00 to 16:30)."""
        taken = self.slots.setdefault((coordinator, day), set())
        for _ in range(4):
            n = self.rng.randrange(16)
            if n not in taken:
                taken.add(n)
                return self.at(day, 9 + n // 2, 30 * (n % 2))
        return None

    def vacancy_of(self, day: dt.date) -> tuple[int, int, str]:
        """A vacancy someone could be put forward for on the day: one open now for
        the last two months, else a past one."""
        if day >= self.today - dt.timedelta(days=60):
            return self.rng.choice(self.vacancies[: self.open_vacancies])
        return self.rng.choice(self.vacancies[self.open_vacancies :])

    def place(self) -> _Place:
        return self.rng.choice(self.places)

    # -- opportunities --
    def opportunities(self) -> None:
        """Vacancies (about 9,000 open per 100,000 people, a sixth of them critical
        shortages), past vacancies, training places and events."""
        rng, today = self.rng, self.today
        providers = self.orgs["care_provider"] + self.orgs["nhs_trust"]
        table = self.w.table("vacancies.Vacancy")
        open_count = max(10, round(self.people * 0.09))
        for n in range(open_count + round(open_count * 1.5)):
            is_open = n < open_count
            role, setting, title, low, high, unit, hours = rng.choice(JOBS)
            org = rng.choice(providers)
            place = self.place()
            if is_open:
                created = self.at(today - dt.timedelta(days=rng.randint(0, 60)), 10)
                closing = today + dt.timedelta(days=rng.randint(1, 60))
                status = "paused" if rng.random() < 0.03 else "open"
            else:
                opened = self.day_between(self.launch, today - dt.timedelta(days=30))
                created = self.at(opened, 10)
                closing = opened + dt.timedelta(days=rng.randint(14, 45))
                closing = min(closing, today - dt.timedelta(days=1))
                status = "closed"
            pay_min = Decimal(low)
            if unit == "hourly":
                pay_min = max(pay_min, national_living_wage(closing).hourly)
            pay_max = Decimal(high) if high else None
            if pay_max is not None and pay_max < pay_min:
                pay_max = pay_min
            pk = table.add(
                {
                    "academy_id": self.academy.pk,
                    "organisation_id": org.pk,
                    "title": f"{title} ({org.name.split()[0]})",
                    "role": role,
                    "setting": setting,
                    "hours_per_week": Decimal(hours),
                    "works_days": True,
                    "works_nights": rng.random() < 0.2,
                    "works_weekends": rng.random() < 0.4,
                    "contract": rng.choice(
                        ("permanent", "permanent", "fixed_term", "bank")
                    ),
                    "pay_unit": unit,
                    "pay_min": pay_min,
                    "pay_max": pay_max,
                    "postcode": place.postcode,
                    "posts": rng.choice((1, 1, 1, 2, 3, 5)),
                    "closing_on": closing,
                    "needs_driving_licence": setting == "domiciliary"
                    and rng.random() < 0.6,
                    "dbs_level": "enhanced",
                    "benefits": "Paid training, paid DBS check, mileage",
                    "how_to_apply": "Ask your coordinator, or register online.",
                    "description": f"{title} in {self.city.name}: full training given.",
                    "is_critical_shortage": rng.random() < 0.16,
                    "status": status,
                    "latitude": place.latitude,
                    "longitude": place.longitude,
                    "created_by_id": self.staff.providers.get(org.pk),
                    "created_at": created,
                    "updated_at": created,
                    "closed_at": self.at(closing, 17) if status == "closed" else None,
                }
            )
            self.vacancies.append((pk, org.pk, org.name))
        self.open_vacancies = open_count
        trainers = self.orgs["training_provider"] + self.orgs["college"]
        training = self.w.table("vacancies.TrainingOpportunity")
        for _ in range(max(4, round(self.people * 0.01))):
            starts = self.day_between(self.launch, today + dt.timedelta(days=90))
            place = self.place()
            kind, title = rng.choice(
                (
                    ("course", "Care Certificate"),
                    ("course", "First aid at work"),
                    ("course", "Moving and handling"),
                    ("placement", "Care home work placement"),
                    ("interview_prep", "Interview preparation"),
                )
            )
            self.training.append(
                training.add(
                    {
                        "academy_id": self.academy.pk,
                        "organisation_id": rng.choice(trainers).pk,
                        "kind": kind,
                        "title": title,
                        "starts_on": starts,
                        "ends_on": starts
                        + dt.timedelta(days=rng.choice((0, 1, 4, 10, 28))),
                        "places": rng.randint(8, 20),
                        "location": f"{self.city.name} training centre",
                        "postcode": place.postcode,
                        "role": "care_worker",
                        "is_open": starts >= today,
                        "latitude": place.latitude,
                        "longitude": place.longitude,
                        "created_at": self.at(starts - dt.timedelta(days=30), 9),
                    }
                )
            )

    def events(self, people: list[tuple[int, dt.date, str, str]]) -> None:
        """Events (about three a week for every 10,000 people), their hosts, and
        sign-ups: booked ahead, on the waiting list, cancelled, came or did not."""
        rng, today = self.rng, self.today
        events = self.w.table("vacancies.Event")
        hosts = self.w.table("vacancies.Event_hosts")
        signups = self.w.table("vacancies.SignUp")
        partners = self.orgs["care_provider"] + self.orgs["job_centre"]
        for _ in range(max(12, round(self.people * 0.03))):
            day = self.weekday(
                self.day_between(self.launch, today + dt.timedelta(days=60))
            )
            starts = self.at(day, rng.choice((10, 13, 16)))
            kind = rng.choice(
                (
                    "recruitment",
                    "information",
                    "drop_in",
                    "job_centre",
                    "careers",
                    "taster",
                )
            )
            place = self.place()
            capacity = rng.choice((None, 20, 30, 60))
            is_cancelled = rng.random() < 0.03
            event = events.add(
                {
                    "academy_id": self.academy.pk,
                    "kind": kind,
                    "title": f"{kind.replace('_', ' ').capitalize()}: careers in care",
                    "description": "Meet local employers and hear about care jobs.",
                    "audience": [rng.choice(COHORTS)] if rng.random() < 0.3 else [],
                    "venue": f"{self.city.name} Central Library",
                    "address": "1 High Street",
                    "postcode": place.postcode,
                    "starts_at": starts,
                    "ends_at": starts + dt.timedelta(hours=rng.choice((1, 2, 3))),
                    "capacity": capacity,
                    "is_public": rng.random() < 0.85,
                    "status": "cancelled" if is_cancelled else "scheduled",
                    "cancel_reason": "The venue is closed that day."
                    if is_cancelled
                    else "",
                    "checkin_token": secrets.token_urlsafe(24),
                    "created_by_id": rng.choice(self.staff.coordinators),
                    "created_at": starts - dt.timedelta(days=21),
                    "updated_at": starts - dt.timedelta(days=21),
                }
            )
            if rng.random() < 0.5:
                hosts.add(
                    {"event_id": event, "organisation_id": rng.choice(partners).pk}
                )
            if is_cancelled:
                continue
            past = day < today
            count = rng.randint(3, min(capacity or 40, 40))
            registered = [
                p for p in rng.sample(people, min(len(people), count)) if p[1] <= day
            ]
            for n in range(count):
                person = (
                    registered[n]
                    if n < len(registered) and rng.random() < 0.6
                    else None
                )
                if past:
                    status = rng.choices(
                        ("attended", "no_show", "cancelled"), (65, 25, 10)
                    )[0]
                else:
                    status = rng.choices(
                        ("booked", "waiting", "cancelled"), (85, 5, 10)
                    )[0]
                first, last = (
                    (person[2], person[3])
                    if person
                    else (rng.choice(FIRST), rng.choice(LAST))
                )
                signups.add(
                    {
                        "event_id": event,
                        "participant_id": person[0] if person else None,
                        "first_name": first,
                        "last_name": last,
                        "email": f"visitor{rng.randrange(10**6)}@example.net",
                        "has_consented": True,
                        "status": status,
                        "source": rng.choice(("public", "public", "staff", "walk_in")),
                        "note": "",
                        "cancel_token": secrets.token_urlsafe(24),
                        "created_at": starts - dt.timedelta(days=rng.randint(1, 20)),
                        "updated_at": starts - dt.timedelta(days=1),
                        "checked_in_at": starts if status == "attended" else None,
                    }
                )

    # -- people --
    def participants(self) -> list[tuple[int, dt.date, str, str]]:
        """Every person and their casework; (id, registered, names) for events."""
        made: list[tuple[int, dt.date, str, str]] = []
        chunk = 5000
        for start in range(0, self.people, chunk):
            for n in range(start, min(start + chunk, self.people)):
                made.append(self.person(n))
            self.w.flush(CASEWORK_TABLES[:-1])
        return made

    def person(self, n: int) -> tuple[int, dt.date, str, str]:
        rng, today, w = self.rng, self.today, self.w
        registered = self.weekday(self.day_between(self.launch, today))
        coordinators = self.staff.coordinators
        coordinator = (
            coordinators[n % len(coordinators)] if rng.random() < 0.97 else None
        )
        by = coordinator or self.staff.admin
        first, last = rng.choice(FIRST), rng.choice(LAST)
        shares = rng.random() < 0.85
        rtw_draw = rng.random()
        document = rng.choice(DOCUMENTS)
        checked_on = min(registered + dt.timedelta(days=rng.choice((0, 0, 3))), today)
        if rtw_draw < 0.02:
            rtw, checked_on_, checked_by, document = "unknown", None, None, ""
        elif rtw_draw < 0.025:
            rtw, checked_on_, checked_by, document = "no", None, None, ""
        else:
            rtw, checked_on_, checked_by = "yes", checked_on, by
            if rtw_draw < 0.035:
                document = ""
        is_claimant = rng.random() < 0.75
        source = rng.choice(SOURCES)
        person: dict[str, Any] = {
            "academy_id": self.academy.pk,
            "reference": f"CA-{n + 1:06d}",
            "first_name": first,
            "last_name": last,
            "date_of_birth": None
            if rng.random() < 0.005
            else dt.date(
                rng.randint(1960, 2006), rng.randint(1, 12), rng.randint(1, 28)
            ),
            "email": f"{first}.{last}{n + 1}@example.net".lower().replace("'", ""),
            "phone": rng.choice(("+447700900", "+441632960"))
            + f"{rng.randrange(1000):03d}",
            "postcode": self.place().postcode,
            "is_claimant": is_claimant,
            "benefit_type": rng.choice(("universal_credit",) * 8 + ("esa", "pip"))
            if is_claimant
            else "",
            "status_at_entry": ""
            if rng.random() < 0.008
            else rng.choice(("unemployed", "unemployed", "inactive", "employed")),
            "source": source,
            "referring_organisation_id": rng.choice(
                self.orgs["voluntary"] + self.orgs["job_centre"]
            ).pk
            if source == "partner_referral"
            else None,
            "registered_on": registered,
            "coordinator_id": coordinator,
            "hours_wanted": rng.choice((None, 16, 24, 30, 37)),
            "has_driving_licence": rng.random() < 0.4,
            "has_car": rng.random() < 0.3,
            "dbs_level": rng.choice(("none", "none", "basic", "enhanced")),
            "right_to_work": rtw,
            "right_to_work_checked_on": checked_on_,
            "right_to_work_checked_by_id": checked_by,
            "right_to_work_document": document,
            "has_consent_to_hold": True,
            "has_consent_to_share": shares,
            "contact_by": "none",
            "status": "open",
            "closed_on": None,
            "close_reason": "",
            "close_note": "",
            "created_at": self.at(registered, 9),
            "updated_at": self.at(registered, 9),
        }
        table = w.table("participants.Participant")
        pk = table.next_id
        # Consent ledger: the shown consent is its latest entry of each kind.
        consent = w.table("participants.ConsentRecord")
        for kind, given in (("hold_data", True), ("share_with_providers", shares)):
            consent.add(
                {
                    "participant_id": pk,
                    "kind": kind,
                    "is_given": given,
                    "source": "staff",
                    "recorded_by_id": by,
                    "recorded_at": self.at(registered, 9, 5),
                    "note": "",
                }
            )
        cohorts = w.table("participants.ParticipantCohort")
        for code in rng.sample(COHORTS, rng.choice((0, 1, 1, 2))):
            cohorts.add({"participant_id": pk, "code": code})
        meetings = self.meetings(pk, registered, coordinator)
        last_contact = max(m[1] for m in meetings)
        plan, actions = self.plan(pk, registered, coordinator)
        self.support(pk, registered, coordinator)
        outcomes = self.outcomes(pk, registered, coordinator)
        checks = self.checks(outcomes, coordinator)
        closed = self.close(person, registered, outcomes, checks)
        is_open = not closed
        self.tasks(pk, coordinator, is_open, actions, checks, meetings)
        self.referrals(pk, registered, coordinator, shares, is_open, outcomes)
        if coordinator is not None:
            last_contact = max(
                last_contact, self.appointments(pk, registered, coordinator, is_open)
            )
        person["last_contact_at"] = last_contact
        if closed:
            w.table("participants.CaseNote").add(
                {
                    "participant_id": pk,
                    "text": self.text("closed_note"),
                    "written_by_id": coordinator,
                    "written_at": self.at(person["closed_on"], 16),
                }
            )
            if plan is not None:
                w.table("participants.SkillsActionPlan").update(
                    plan, status="completed"
                )
        table.add(person)
        return pk, registered, first, last

    def meetings(
        self, pk: int, registered: dt.date, coordinator: int | None
    ) -> list[tuple[int, dt.datetime]]:
        rng, table = self.rng, self.w.table("participants.Meeting")
        held = [self.at(registered, rng.randint(9, 15))]
        extra = int(self.follow_ups) + (rng.random() < self.follow_ups % 1)
        for _ in range(rng.randint(0, 2 * extra)):
            day = self.weekday(registered + dt.timedelta(days=rng.randint(7, 240)))
            if day < self.today:
                held.append(self.at(day, rng.randint(9, 16)))
        made = []
        for n, at in enumerate(sorted(held)):
            made.append(
                (
                    table.add(
                        {
                            "participant_id": pk,
                            "kind": rng.choice(("job_centre", "drop_in", "phone"))
                            if n == 0
                            else rng.choice(("phone", "phone", "job_centre", "video")),
                            "held_at": at,
                            "location": f"{self.city.name} Jobcentre" if n == 0 else "",
                            "notes": self.text("meeting_notes"),
                            "next_step": "",
                            "next_step_on": None,
                            "recorded_by_id": coordinator,
                            "created_at": at,
                        }
                    ),
                    at,
                )
            )
        return made

    def plan(
        self, pk: int, registered: dt.date, coordinator: int | None
    ) -> tuple[int | None, list[tuple[int, dt.date, dt.date | None, str]]]:
        """A skills action plan for nine in ten: its id and its actions (id, due,
        done, text)."""
        rng, today = self.rng, self.today
        agreed = registered + dt.timedelta(days=rng.randint(0, 14))
        if rng.random() >= 0.9 or agreed > today:
            return None, []
        plan = self.w.table("participants.SkillsActionPlan").add(
            {
                "participant_id": pk,
                "agreed_on": agreed,
                "pathway": rng.choice(("demand", "demand", "supply", "pipeline")),
                "target_role": rng.choice(TARGET_ROLES),
                "barriers": rng.sample(BARRIERS, rng.choice((0, 1, 1, 2))),
                "goals": self.text("goals"),
                "status": "active",
                "agreed_by_id": coordinator,
                "updated_at": self.at(agreed, 12),
            }
        )
        actions = []
        table = self.w.table("participants.PlanAction")
        for step, description in enumerate(
            rng.sample(self.texts["action"], rng.choice((1, 2, 2, 3))), 1
        ):
            due = agreed + dt.timedelta(days=14 * step + rng.randint(0, 7))
            done = None
            # One in ten actions of the last two months is late; older ones got done.
            late = due > today - dt.timedelta(days=60) and rng.random() < 0.1
            if due <= today and not late:
                done = min(
                    max(agreed, due - dt.timedelta(days=rng.randint(0, 6))), today
                )
            pk_action = table.add(
                {
                    "plan_id": plan,
                    "description": description,
                    "owner": rng.choice(("participant", "coordinator", "partner")),
                    "due_on": due,
                    "completed_on": done,
                    "created_at": self.at(agreed, 12),
                }
            )
            actions.append((pk_action, due, done, description))
        if agreed < today - dt.timedelta(days=60) and rng.random() < 0.2:
            self.w.table("participants.PlanReview").add(
                {
                    "plan_id": plan,
                    "reviewed_on": agreed + dt.timedelta(days=rng.randint(30, 60)),
                    "summary": self.text("review"),
                    "reviewed_by_id": coordinator,
                }
            )
        return plan, actions

    def support(self, pk: int, registered: dt.date, coordinator: int | None) -> None:
        rng = self.rng
        given = registered + dt.timedelta(days=rng.randint(0, 30))
        if rng.random() >= 0.88 or given > self.today:
            return
        table = self.w.table("participants.Support")
        kinds = [
            rng.choice(
                ("careers", "employability", "financial", "mental_health", "careers")
            )
        ]
        if rng.random() < 0.2:
            kinds.append(rng.choice(("careers", "other")))
        for kind in kinds:
            table.add(
                {
                    "participant_id": pk,
                    "kind": kind,
                    "given_on": given,
                    "notes": self.text("support_notes"),
                    "referred_to_id": rng.choice(self.orgs["voluntary"]).pk
                    if rng.random() < 0.1
                    else None,
                    "recorded_by_id": coordinator,
                    "created_at": self.at(given, 12),
                }
            )

    def outcomes(
        self, pk: int, registered: dt.date, coordinator: int | None
    ) -> list[tuple[int, str, dt.date, int | None]]:
        """What came of it: (id, kind, started, the vacancy of a care job)."""
        rng = self.rng
        start = self.weekday(registered + dt.timedelta(days=rng.randint(21, 150)))
        draw = rng.random()
        if start > self.today or draw >= 0.43:
            return []
        table = self.w.table("participants.Outcome")
        vacancy = None
        if draw < 0.33:
            care = draw < 0.25
            employer = "Local retailer"
            if care:
                vacancy, _, employer = self.vacancy_of(start)
            kind = "employment"
            row = {
                "sector": "health_social_care" if care else "other",
                "employer": employer,
                "role": rng.choice(TARGET_ROLES) if care else "Sales assistant",
                "hours_per_week": Decimal(rng.choice(("16", "24", "30", "37.5"))),
                "hourly_pay": national_living_wage(start).hourly
                + Decimal(rng.choice(("0.10", "0.50", "1.20"))),
                "evidence": self.text("evidence"),
            }
        else:
            kind = rng.choice(
                ("training", "training", "work_experience", "volunteering", "education")
            )
            employer = rng.choice(self.orgs["training_provider"]).name
            row = {"sector": "", "employer": employer, "role": "", "evidence": ""}
        made = table.add(
            {
                "participant_id": pk,
                "kind": kind,
                "started_on": start,
                "recorded_by_id": coordinator,
                "created_at": self.at(start, 15),
                **row,
            }
        )
        return [(made, kind, start, vacancy)]

    def checks(
        self,
        outcomes: list[tuple[int, str, dt.date, int | None]],
        coordinator: int | None,
    ) -> list[tuple[int, int, dt.date, str, dt.date | None, bool | None]]:
        """The 13- and 26-week checks of each job start: answered once their day has
        passed, but for a share of the last four weeks' (still due); in work at 26 weeks
        only if in work at 13. Returns (id, weeks, due, status, checked, in work)."""
        rng, today = self.rng, self.today
        made = []
        table = self.w.table("participants.SustainmentCheck")
        for outcome, kind, start, _ in outcomes:
            if kind != "employment":
                continue
            draw = rng.random()
            answered = True
            for weeks, in_work in zip(
                SUSTAINMENT_WEEKS, (draw < 0.8, draw < 0.68), strict=True
            ):
                due = start + dt.timedelta(weeks=weeks)
                row: dict[str, Any] = {
                    "outcome_id": outcome,
                    "weeks": weeks,
                    "due_on": due,
                }
                if due > today or not answered:
                    row["status"] = "scheduled"
                elif due > today - dt.timedelta(days=28) and rng.random() < 0.5:
                    row["status"] = "due"
                    answered = False
                else:
                    checked = min(due + dt.timedelta(days=rng.randint(0, 10)), today)
                    row.update(
                        status="done",
                        is_in_work=in_work,
                        confirmed_how=rng.choice(
                            ("participant", "participant", "employer", "payslip")
                        ),
                        checked_on=checked,
                        checked_by_id=coordinator,
                    )
                if row["status"] != "done":
                    row.update(
                        is_in_work=None,
                        confirmed_how="",
                        checked_on=None,
                        checked_by_id=None,
                    )
                answered = answered and row["status"] == "done"
                pk = table.add(row)
                made.append(
                    (
                        pk,
                        weeks,
                        due,
                        row["status"],
                        row["checked_on"],
                        row["is_in_work"],
                    )
                )
        return made

    def close(
        self,
        person: dict[str, Any],
        registered: dt.date,
        outcomes: list[tuple[int, str, dt.date, int | None]],
        checks: list[tuple[int, int, dt.date, str, dt.date | None, bool | None]],
    ) -> bool:
        """Some cases close when the 26-week check is answered, some after months
        without a job (about one in seven overall); their plans end with them."""
        rng, today = self.rng, self.today
        last = [c for c in checks if c[1] == SUSTAINMENT_WEEKS[-1] and c[3] == "done"]
        if last and rng.random() < 0.4:
            person.update(
                status="closed",
                closed_on=last[0][4],
                close_reason="sustained_work" if last[0][5] else "other",
            )
        elif (
            not any(kind == "employment" for _, kind, _, _ in outcomes)
            and registered < today - dt.timedelta(days=240)
            and rng.random() < 0.1
        ):
            person.update(
                status="closed",
                closed_on=min(
                    registered + dt.timedelta(days=rng.randint(180, 240)), today
                ),
                close_reason=rng.choice(
                    ("not_interested", "lost_contact", "moved_away")
                ),
            )
        else:
            return False
        return True

    def tasks(
        self,
        pk: int,
        coordinator: int | None,
        is_open: bool,
        actions: list[tuple[int, dt.date, dt.date | None, str]],
        checks: list[tuple[int, int, dt.date, str, dt.date | None, bool | None]],
        meetings: list[tuple[int, dt.datetime]],
    ) -> None:
        """One task per plan action and per check (open while the action is not done or
        the check due), the last meeting's next step for some, and tasks written by
        hand; done tasks of the last four months are kept."""
        rng, today = self.rng, self.today
        history = today - dt.timedelta(days=DONE_TASK_DAYS)
        table = self.w.table("participants.Task")
        base = {"participant_id": pk, "owner_id": coordinator}

        def done(day: dt.date) -> dict[str, Any]:
            return {
                "status": "done",
                "closed_at": self.at(day, 16),
                "closed_by_id": coordinator,
            }

        for action, due, completed, description in actions:
            if completed is None and not is_open:
                continue
            if completed is not None and completed < history:
                continue
            table.add(
                {
                    **base,
                    "title": description,
                    "due_on": due,
                    "source": "plan_action",
                    "plan_action_id": action,
                    "created_at": self.now
                    - dt.timedelta(days=max(0, (today - due).days + 14)),
                    **(done(completed) if completed else {}),
                }
            )
        for check, weeks, due, status, checked, _ in checks:
            if status == "scheduled" or (checked or today) < history:
                continue
            table.add(
                {
                    **base,
                    "title": self.text(f"check_task_{weeks}"),
                    "due_on": due,
                    "source": "check",
                    "sustainment_check_id": check,
                    "created_at": self.at(due, 6),
                    **(done(checked) if checked else {}),
                }
            )
        meeting, held = meetings[-1]
        if (
            is_open
            and held.date() > today - dt.timedelta(days=60)
            and rng.random() < 0.5
        ):
            due = held.date() + dt.timedelta(days=rng.randint(3, 21))
            step = self.text("next_step")
            meetings_table = self.w.table("participants.Meeting")
            meetings_table.update(meeting, next_step=step, next_step_on=due)
            table.add(
                {
                    **base,
                    "title": step,
                    "due_on": due,
                    "source": "next_step",
                    "meeting_id": meeting,
                    "created_by_id": coordinator,
                    "created_at": held,
                    **(done(due) if due < today - dt.timedelta(days=14) else {}),
                }
            )
        if is_open and rng.random() < 0.03:
            due = today + dt.timedelta(days=rng.randint(-10, 20))
            table.add(
                {
                    **base,
                    "title": self.text("task"),
                    "due_on": due,
                    "source": "other",
                    "created_by_id": coordinator,
                    "created_at": self.now - dt.timedelta(days=20),
                }
            )

    def referrals(
        self,
        pk: int,
        registered: dt.date,
        coordinator: int | None,
        shares: bool,
        is_open: bool,
        outcomes: list[tuple[int, str, dt.date, int | None]],
    ) -> None:
        """Referrals to vacancies and training for people who agreed to share: a care
        job start came through one (started, naming the outcome) seven times in ten;
        others are on their way (recent ones) or ended unsuccessful or withdrawn."""
        if not shares:
            return
        rng, today = self.rng, self.today
        referrals = self.w.table("vacancies.Referral")
        events = self.w.table("vacancies.ReferralEvent")
        used: set[int] = set()

        def refer(
            stages: list[tuple[str, dt.date]],
            *,
            vacancy: int | None,
            training: int | None,
            outcome: int | None = None,
            interview_at: dt.datetime | None = None,
        ) -> None:
            made = self.at(stages[0][1], 11)
            moved = self.at(stages[-1][1], 12)
            referral = referrals.add(
                {
                    "academy_id": self.academy.pk,
                    "participant_id": pk,
                    "vacancy_id": vacancy,
                    "training_id": training,
                    "stage": stages[-1][0],
                    "note": self.text("referral_note"),
                    "interview_at": interview_at,
                    "interview_place": "At the employer's" if interview_at else "",
                    "merged_from": "",
                    "outcome_id": outcome,
                    "created_by_id": coordinator,
                    "created_at": made,
                    "updated_at": moved,
                }
            )
            for stage, on in stages:
                events.add(
                    {
                        "referral_id": referral,
                        "stage": stage,
                        "on": on,
                        "note": "",
                        "by_id": coordinator,
                        "at": self.at(on, 12),
                    }
                )

        for outcome, _, start, hired in outcomes:
            if hired is not None and rng.random() < 0.7:
                used.add(hired)
                referred = max(
                    registered, start - dt.timedelta(days=rng.randint(14, 20))
                )
                interview = referred + dt.timedelta(days=3)
                refer(
                    [
                        ("referred", referred),
                        ("interview", interview),
                        ("offered", interview + dt.timedelta(days=2)),
                        ("started", start),
                    ],
                    vacancy=hired,
                    training=None,
                    outcome=outcome,
                    interview_at=self.at(interview, 10),
                )
        for _ in range(rng.choices((0, 1, 2), (55, 35, 10))[0]):
            made = registered + dt.timedelta(days=rng.randint(3, 90))
            if made > today:
                continue
            training = None
            vacancy = None
            recent = made > today - dt.timedelta(days=30) and is_open
            if rng.random() < 0.2:
                training = rng.choice(self.training)
                if -training in used:
                    continue
                used.add(-training)
            else:
                vacancy = self.vacancy_of(made if not recent else today)[0]
                if vacancy in used:
                    continue
                used.add(vacancy)
            stages = [("referred", made)]
            interview_at = None
            if recent:
                step = rng.choice(
                    ("suggested", "referred", "referred", "interview", "offered")
                )
                if step == "suggested":
                    stages = [("suggested", made)]
                elif step in ("interview", "offered"):
                    day = self.weekday(today + dt.timedelta(days=rng.randint(-3, 10)))
                    if day < made:
                        day = made
                    interview_at = self.at(day, rng.choice((10, 11, 14)))
                    stages.append(
                        (
                            "interview",
                            made + dt.timedelta(days=1) if made < today else made,
                        )
                    )
                    if step == "offered" and day < today:
                        stages.append(("offered", day))
            else:
                end = made + dt.timedelta(days=rng.randint(5, 30))
                stages.append(
                    (
                        rng.choice(("unsuccessful", "unsuccessful", "withdrawn")),
                        min(end, today),
                    )
                )
            refer(stages, vacancy=vacancy, training=training, interview_at=interview_at)

    def appointments(
        self, pk: int, registered: dt.date, coordinator: int, is_open: bool
    ) -> dt.datetime:
        """Booked meetings: follow-ups that were booked ahead (attended, with their
        meeting), a few missed or cancelled, and the weeks ahead for open cases;
        at most one a half hour in each coordinator's diary. Returns the last
        contact."""
        rng, today = self.rng, self.today
        table = self.w.table("participants.Appointment")
        meetings = self.w.table("participants.Meeting")
        last = self.at(registered, 9)
        wanted: list[tuple[dt.date, str]] = []
        if rng.random() < 0.5:
            day = self.weekday(registered + dt.timedelta(days=rng.randint(7, 60)))
            if day < today:
                wanted.append(
                    (
                        day,
                        rng.choices(("attended", "missed", "cancelled"), (85, 10, 5))[
                            0
                        ],
                    )
                )
        if is_open and rng.random() < 0.05:
            wanted.append(
                (self.weekday(today + dt.timedelta(days=rng.randint(0, 13))), "booked")
            )
            if wanted[-1][0] < today:
                wanted[-1] = (today, "booked")
        for day, status in wanted:
            at = self.slot(coordinator, day)
            if at is None:
                continue
            kind = rng.choice(("job_centre", "phone", "phone", "video"))
            meeting = None
            if status == "attended":
                meeting = meetings.add(
                    {
                        "participant_id": pk,
                        "kind": kind,
                        "held_at": at,
                        "location": "",
                        "notes": self.text("meeting_notes"),
                        "next_step": "",
                        "next_step_on": None,
                        "recorded_by_id": coordinator,
                        "created_at": at,
                    }
                )
                last = max(last, at)
            table.add(
                {
                    "participant_id": pk,
                    "coordinator_id": coordinator,
                    "kind": kind,
                    "starts_at": at,
                    "minutes": 30,
                    "place": f"{self.city.name} Jobcentre"
                    if kind == "job_centre"
                    else "",
                    "link": "https://meet.example.org/generated"
                    if kind == "video"
                    else "",
                    "status": status,
                    "reason": self.text("missed")
                    if status == "missed"
                    else self.text("cancelled")
                    if status == "cancelled"
                    else "",
                    "meeting_id": meeting,
                    "booked_by_id": coordinator,
                    "created_at": at - dt.timedelta(days=7),
                    "updated_at": at,
                }
            )
        return last

    def enquiries(self, people: list[tuple[int, dt.date, str, str]]) -> None:
        """Campaign enquiries: most became participants or were closed; the last weeks'
        are new or contacted."""
        rng, today = self.rng, self.today
        table = self.w.table("participants.Enquiry")
        for n in range(max(5, round(self.people * 0.08))):
            recent = n < max(5, round(self.people * 0.002))
            if recent:
                made = self.now - dt.timedelta(hours=rng.randint(1, 24 * 21))
                status = rng.choice(("new", "new", "contacted"))
                person = None
            else:
                person = rng.choice(people) if rng.random() < 0.7 else None
                made = (
                    self.at(person[1], 8)
                    if person
                    else self.at(self.day_between(self.launch, today), 8)
                )
                status = "converted" if person else "closed"
            table.add(
                {
                    "academy_id": self.academy.pk,
                    "first_name": person[2] if person else rng.choice(FIRST),
                    "last_name": person[3] if person else rng.choice(LAST),
                    "email": f"enquiry{n}.{self.academy.slug}@example.net",
                    "phone": "",
                    "postcode": self.place().postcode,
                    "interest": self.text("enquiry_interest"),
                    "status": status,
                    "close_reason": rng.choice(("no_reply", "not_interested"))
                    if status == "closed"
                    else "",
                    "contacted_at": made + dt.timedelta(days=1)
                    if status != "new"
                    else None,
                    "handled_by_id": rng.choice(self.staff.coordinators)
                    if status != "new"
                    else None,
                    "participant_id": person[0] if person else None,
                    "notes": "",
                    "created_at": made,
                }
            )

    def build(self) -> dict[str, int]:
        self.opportunities()
        self.w.flush(OPPORTUNITY_TABLES[:2])
        people = self.participants()
        self.events(people)
        self.enquiries(people)
        self.w.flush(OPPORTUNITY_TABLES[2:])
        self.w.flush(CASEWORK_TABLES)
        return {label: t.written for label, t in self.w.tables.items()}


# ---- academies, their partners and staff --------------------------------------------


def _places(city: City) -> list[_Place]:
    """Twenty postcode districts of the city and a hundred postcodes in each, with
    centroids around its centre (added to the shared Postcode table where missing), so
    that distances and the funder returns' areas work for generated people."""
    rng = random.Random(city.slug)  # noqa: S311 - the same places every time
    rows, places = [], []
    for d in range(1, 21):
        district = f"{city.prefix}{d}"
        lat = city.latitude + (d % 5 - 2) * 0.02
        lon = city.longitude + (d // 5 - 2) * 0.03
        rows.append(
            Postcode(
                postcode=district,
                latitude=lat,
                longitude=lon,
                source="generate_data",
                local_authority=city.area_code,
            )
        )
        for i in range(100):
            inward = (
                f"{1 + i % 9}{INWARD_LETTERS[(7 * i) % 20]}"
                f"{INWARD_LETTERS[(13 * i + 3) % 20]}"
            )
            place = _Place(
                f"{district} {inward}",
                round(lat + rng.uniform(-0.008, 0.008), 5),
                round(lon + rng.uniform(-0.012, 0.012), 5),
            )
            places.append(place)
            rows.append(
                Postcode(
                    postcode=place.postcode,
                    latitude=place.latitude,
                    longitude=place.longitude,
                    source="generate_data",
                    local_authority=city.area_code,
                )
            )
    Postcode.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    known = dict(
        Postcode.objects.filter(postcode__in=[p.postcode for p in places]).values_list(
            "postcode", "latitude"
        )
    )
    # A postcode loaded before from a real directory keeps its own centroid.
    return [p for p in places if p.postcode in known]


def _organisations(
    academy: Academy, city: City, people: int, places: list[_Place]
) -> dict[str, list[Organisation]]:
    """Care providers (one for every 250 people) and the partnership's other members."""
    rows = []
    for i in range(max(3, people // 250)):
        name = f"{PROVIDER_WORDS[i % 20]} {PROVIDER_KINDS[(i // 20) % 5]}"
        rows.append(("care_provider", name + (f" {i // 100 + 1}" if i >= 100 else "")))
    scale = max(1, people // 20000)
    for kind, label, count in PARTNERS:
        for j in range(count * scale):
            rows.append((kind, f"{city.name} {label}" + (f" {j + 1}" if j else "")))
    made = Organisation.objects.bulk_create(
        Organisation(
            academy=academy,
            name=name,
            kind=kind,
            email=f"contact{n}.{academy.slug}@{GENERATED_DOMAIN}",
            postcode=places[(n * 37) % len(places)].postcode,
        )
        for n, (kind, name) in enumerate(rows)
    )
    by_kind: dict[str, list[Organisation]] = {kind: [] for kind in Organisation.Kind}
    for organisation in made:
        by_kind[organisation.kind].append(organisation)
    return by_kind


def _staff(
    academy: Academy,
    organisations: dict[str, list[Organisation]],
    people: int,
    *,
    logins: bool,
    mfa_key: str,
) -> tuple[_Staff, list[GeneratedLogin]]:
    """A coordinator for every 450 people, a manager, an admin and a provider member
    for each of the first twenty care providers. With `logins`, the first of each role
    gets a password (returned) and the shared authenticator key; the others cannot
    sign in until an admin invites them."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    domain = f"{academy.slug}.{GENERATED_DOMAIN}"
    providers = organisations["care_provider"][:20]
    wanted: list[tuple[str, str, Organisation | None]] = [
        (Role.ADMIN, "admin@" + domain, None),
        (Role.MANAGER, "manager@" + domain, None),
    ]
    wanted += [
        (
            Role.COORDINATOR,
            f"coordinator{j}@{domain}".replace("coordinator1@", "coordinator@"),
            None,
        )
        for j in range(1, max(1, math.ceil(people / 450)) + 1)
    ]
    wanted += [
        (Role.PROVIDER, f"provider{j}@{domain}".replace("provider1@", "provider@"), org)
        for j, org in enumerate(providers, 1)
    ]
    unusable = make_password(None)
    printed = {
        f"{role}@{domain}" for role in ("admin", "manager", "coordinator", "provider")
    }
    passwords = (
        {email: secrets.token_urlsafe(12) for email in printed} if logins else {}
    )
    users = User.objects.bulk_create(
        User(
            email=email,
            first_name=random.Random(email).choice(FIRST),  # noqa: S311 - a name
            last_name=random.Random(email[::-1]).choice(LAST),  # noqa: S311 - a name
            password=make_password(passwords[email])
            if email in passwords
            else unusable,
            is_staff=role == Role.ADMIN and email in passwords,
            is_superuser=role == Role.ADMIN and email in passwords,
        )
        for role, email, _ in wanted
    )
    Membership.objects.bulk_create(
        Membership(user=user, academy=academy, role=role, organisation=org)
        for user, (role, _, org) in zip(users, wanted, strict=True)
    )
    made = []
    for user, (role, email, _) in zip(users, wanted, strict=True):
        if email in passwords:
            TOTPDevice.objects.create(
                user=user,
                key=mfa_key,
                name="Generated data authenticator",
                confirmed=True,
            )
            made.append(
                GeneratedLogin(role=str(role), email=email, password=passwords[email])
            )
    ids = {
        role: [u.pk for u, w in zip(users, wanted, strict=True) if w[0] == role]
        for role in Role
    }
    staff = _Staff(
        coordinators=ids[Role.COORDINATOR],
        admin=ids[Role.ADMIN][0],
        providers={
            org.pk: user.pk
            for user, (role, _, org) in zip(users, wanted, strict=True)
            if org is not None
        },
    )
    order = {"admin": 0, "manager": 1, "coordinator": 2, "provider": 3}
    return staff, sorted(made, key=lambda login: order[login.role])


def _bulk_writes(tables: Iterable[str], *, history: bool) -> Callable[[], None]:
    """Until the returned function is called, in this transaction: write without the
    foreign-key triggers as a superuser (else check each COPY at its end, not at
    commit), and without the casework history triggers unless `history`."""
    if connection.vendor != "postgresql":
        return lambda: None
    names = [_model(label)._meta.db_table for label in tables]
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (is_superuser,) = cursor.fetchone()
        if is_superuser and not history:
            cursor.execute("SET LOCAL session_replication_role = replica")

            def back() -> None:
                with connection.cursor() as c:
                    c.execute("SET LOCAL session_replication_role = origin")

            return back
        if is_superuser:
            off, on = "DISABLE TRIGGER ALL", "ENABLE TRIGGER ALL"
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            off, on = (
                ("", "") if history else ("DISABLE TRIGGER USER", "ENABLE TRIGGER USER")
            )
        for name in names if off else []:
            cursor.execute(f"ALTER TABLE {name} {off}")
            if history:  # the history triggers stay: only foreign keys are off
                cursor.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")

    def enable() -> None:
        with connection.cursor() as c:
            for name in names if on else []:
                c.execute(f"ALTER TABLE {name} {on}")
            if not is_superuser:
                c.execute("SET CONSTRAINTS ALL DEFERRED")

    return enable


def generate_check(
    *, academies: int, participants: int, years: int, casework_per_person: float
) -> None:
    """Refuse what cannot be generated, saying why."""
    if academies < 1:
        raise GenerateRefused("--academies must be 1 or more.")
    if participants < 1:
        raise GenerateRefused("--participants (people per academy) must be 1 or more.")
    if not 1 <= years <= 20:
        raise GenerateRefused("--years must be between 1 and 20.")
    if not 8.0 <= casework_per_person <= 100.0:
        raise GenerateRefused(
            "--casework-per-person must be between 8 (no follow-up meetings) and 100."
        )
    if (
        connection.vendor != "postgresql"
        and academies * participants > SQLITE_MAX_PEOPLE
    ):
        raise GenerateRefused(
            f"On {connection.vendor} at most {SQLITE_MAX_PEOPLE:,} people in all "
            f"(asked for {academies * participants:,}): a large data set needs "
            "PostgreSQL (set DATABASE_URL), where it is written with COPY."
        )


def data_generate(
    *,
    academies: int,
    participants: int,
    years: int = 3,
    seed: int = 16,
    casework_per_person: float = DEFAULT_CASEWORK_PER_PERSON,
    mfa_key: str = "",
    history: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Generated:
    """Add `academies` new academies of `participants` people each, with `years` of
    casework up to today; return them, the first academy's logins and the time taken.

    Each academy is written in one transaction: one that fails leaves nothing of
    itself. Run again, it adds more academies beside the ones there (new names).
    With `history`, the casework history triggers write a change record of every
    row, as for rows people add (slower; for measuring the audit pages).
    """
    generate_check(
        academies=academies,
        participants=participants,
        years=years,
        casework_per_person=casework_per_person,
    )
    if mfa_key:
        try:
            bytes.fromhex(mfa_key)
        except ValueError:
            raise GenerateRefused(
                "--mfa-key must be hexadecimal, e.g. 40 hex digits."
            ) from None
    else:
        mfa_key = secrets.token_hex(20)
    started = time.monotonic()
    now = timezone.now()
    today = timezone.localdate()
    texts = {
        kind: tuple(text_encrypt(t) for t in values) for kind, values in TEXTS.items()
    }
    made: list[GeneratedAcademy] = []
    logins: list[GeneratedLogin] = []
    number = Academy.objects.filter(slug__startswith="gen").count()
    for k in range(academies):
        number += 1
        city = CITIES[(number - 1) % len(CITIES)]
        while Academy.objects.filter(slug=f"gen{number}-{city.slug}").exists():
            number += 1
            city = CITIES[(number - 1) % len(CITIES)]
        progress(
            f"Academy {k + 1} of {academies}: {city.name}, {participants:,} people"
        )
        with transaction.atomic():
            academy = academy_create(
                slug=f"gen{number}-{city.slug}",
                name=f"{city.name} Care Academy (generated {number})",
                region=city.region,
                area_code=city.area_code,
                launched_on=today - dt.timedelta(days=365 * years),
            )
            places = _places(city)
            organisations = _organisations(academy, city, participants, places)
            staff, academy_logins = _staff(
                academy, organisations, participants, logins=k == 0, mfa_key=mfa_key
            )
            logins += academy_logins
            writer = _Writer(now)
            restore = _bulk_writes(
                CASEWORK_TABLES + OPPORTUNITY_TABLES, history=history
            )
            if history and connection.vendor == "postgresql":
                # The academy of the change records, as a request's context gives it.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('academy.academy_id', %s, true)",
                        [str(academy.pk)],
                    )
            counts = _AcademyBuilder(
                writer=writer,
                academy=academy,
                city=city,
                people=participants,
                years=years,
                casework_per_person=casework_per_person,
                rng=random.Random(seed * 1000 + k),  # noqa: S311 - data, not secrets
                today=today,
                now=now,
                texts=texts,
                staff=staff,
                organisations=organisations,
                places=places,
            ).build()
            restore()
            writer.sequences_reset()
        made.append(
            GeneratedAcademy(
                id=academy.pk,
                slug=academy.slug,
                name=academy.name,
                people=participants,
                counts=counts,
            )
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum does soon after a load (for inserts too, since
            # PostgreSQL 13): the statistics, and the visibility map that lets an
            # index answer alone; measured straight after, as a deployment runs.
            progress("Updating the planner's statistics (VACUUM ANALYZE)")
            cursor.execute("VACUUM (ANALYZE)")
        else:
            progress("Updating the planner's statistics (ANALYZE)")
            cursor.execute("ANALYZE")
    # The impact report reads precomputed summaries: build the new academies' now,
    # rather than on their first reading.
    from reporting.summaries import refresh_impact_summaries

    for generated in made:
        progress(f"Impact summaries of {generated.name}")
        refresh_impact_summaries(Academy.objects.get(pk=generated.id))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            summaries = [
                _model(label)._meta.db_table
                for label in ("reporting.ImpactDay", "reporting.ImpactMonth")
            ]
            cursor.execute(f"ANALYZE {', '.join(summaries)}")
    return Generated(
        academies=made,
        logins=logins,
        mfa_key=mfa_key,
        seconds=time.monotonic() - started,
    )
