"""Casework of the demo academy after the Caring Plymouth period (issue 13): from
April 2024 to the day the demo is built, and the week ahead.

- People keep registering every month, and get plans, support, follow-up meetings, job
  starts (claimants and not) and training, as in the first months.
- Every job start has its 13- and 26-week checks; those whose day has passed are
  answered (a 26-week one only after the 13-week one), but for the few most recent: a
  handful due for the demo coordinator.
- Cases close: when the 26-week check is answered, or after months without a job.
- The demo coordinator's day: appointments earlier today (one attended, one or two
  still to mark) and later, through next week, a few missed; tasks (next steps, plan
  actions, checks) due today, a few overdue and more to come, every open plan action
  and due check with its one task.

Dates follow the day the demo is built; random choices use a fixed seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from academy.models import Academy, User

from .models import (
    Appointment,
    Meeting,
    Outcome,
    Participant,
    PlanAction,
    SkillsActionPlan,
    Support,
    SustainmentCheck,
    Task,
)
from .selectors.evidence import evidence_missing
from .services.casework import SUSTAINMENT_WEEKS, contact_preference_set

PRESENT_START = dt.date(2024, 4, 1)
SOURCES = ["job_centre", "job_centre", "campaign", "partner_referral", "self"]
# People came through events after the first year of them (vacancies/demo_events.py:
# the first year's figures are its own).
EVENTS_GO_ON = dt.date(2024, 11, 1)
MONTHLY = 30  # new people a month, once the launch campaign was over
ACTIONS = [
    "Apply for DBS check",
    "Book Care Certificate",
    "Update CV",
    "Visit a care home",
]
NEXT_STEPS = [
    "Call to hear how the applications went",
    "Send two care home vacancies",
    "Check the DBS application was sent",
    "Book a place on the next information session",
]
MISSED = [
    "Phoned in the morning to say they were unwell.",
    "No answer when called; left a message.",
    "Forgot: a text reminder agreed for next time.",
]
DUE_MINE, DUE_OTHERS = 3, 5  # checks left due: the demo coordinator's, the rest
# Days after registering that a person's right to work was checked (one drawn each).
CHECK_DAYS = (0, 0, 3)
# The kinds of document seen, and how often.
DOCUMENTS = {
    "uk_irish_passport": 6,
    "share_code": 3,
    "birth_certificate": 2,
    "digital_identity": 1,
    "naturalisation": 1,
}
DONE_TASK_DAYS = 120  # tasks marked done: the last four months only


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5] or days


@dataclass
class _Present:
    academy: Academy
    coordinator: User
    today: dt.date
    rng: random.Random


def demo_start_evidence(
    people: list[Participant], *, coordinator: User, today: dt.date
) -> None:
    """The start evidence of new people (not saved yet): most have their right to work
    confirmed by their coordinator (else the demo coordinator) on their day checked,
    from a plausible kind of document; a few lack one piece, so that the funder
    returns' exception lists and the people list's filter show a handful."""
    rng = random.Random(14)  # noqa: S311 - its own seed: the demo's other draws stay
    kinds, weights = list(DOCUMENTS), list(DOCUMENTS.values())
    for i, p in enumerate(people):
        document = rng.choices(kinds, weights)[0]
        checked_on = min(p.right_to_work_checked_on or p.registered_on, today)
        p.right_to_work = Participant.RightToWork.YES
        p.right_to_work_checked_on = checked_on
        p.right_to_work_checked_by = p.coordinator or coordinator
        p.right_to_work_document = document
        # The gaps: about one in 60 not checked yet, one in 240 with no right to work
        # yet, one in 60 whose document kind was not noted, one in 120 without
        # economic status, one in 240 without a date of birth. (Steps prime to 6, so
        # the demo coordinator, who has every sixth person, has their share.)
        if i % 59 == 7 or i % 239 == 150:
            p.right_to_work = "unknown" if i % 59 == 7 else "no"
            p.right_to_work_checked_on = None
            p.right_to_work_checked_by = None
            p.right_to_work_document = ""
        elif i % 61 == 31:
            p.right_to_work_document = ""
        if i % 119 == 48:
            p.status_at_entry = ""
        if i % 241 == 97:
            p.date_of_birth = None


def _register(
    s: _Present, first_number: int, first: list[str], last: list[str]
) -> list[Participant]:
    """New people every month from April 2024 to today, at a steady rate."""
    days: list[dt.date] = []
    month = PRESENT_START
    while month <= s.today:
        after = (month + dt.timedelta(days=32)).replace(day=1)
        end = min(after - dt.timedelta(days=1), s.today)
        share = ((end - month).days + 1) / (after - month).days
        weekdays = _weekdays(month, end)
        days += sorted(s.rng.choice(weekdays) for _ in range(round(MONTHLY * share)))
        month = after
    mobiles = 279  # 07700 900721 to 900999: the rest of Ofcom's drama range
    people, landline = [], 0
    for i, day in enumerate(days):
        n = first_number + i
        if i >= len(days) - mobiles:  # the most recent people have mobiles
            phone = f"07700 900{721 + len(days) - 1 - i:03d}"
        elif i % 3 == 2:
            phone = ""
        else:
            phone, landline = f"01632 960{landline % 1000:03d}", landline + 1
        people.append(
            Participant(
                academy=s.academy,
                reference=f"CA-{n:06d}",
                first_name=s.rng.choice(first),
                last_name=s.rng.choice(last),
                date_of_birth=dt.date(
                    s.rng.randint(1960, 2006),
                    s.rng.randint(1, 12),
                    s.rng.randint(1, 28),
                ),
                email=f"person{n}@demo.example.net",
                phone=phone,
                postcode=s.rng.choice(
                    ["PL1 2AA", "PL2 3BB", "PL4 6AB", "PL5 1CD", "PL6 8DH"]
                ),
                is_claimant=s.rng.random() < 0.75,
                benefit_type="universal_credit",
                status_at_entry=s.rng.choice(
                    ["unemployed", "unemployed", "inactive", "employed"]
                ),
                source=s.rng.choice(
                    [*SOURCES, "drop_in", "event"] if day >= EVENTS_GO_ON else SOURCES
                ),
                registered_on=day,
                coordinator=s.coordinator if i % 6 == 0 else None,
                hours_wanted=s.rng.choice([None, 16, 24, 30, 37]),
                has_driving_licence=s.rng.random() < 0.4,
                dbs_level=s.rng.choice(["none", "none", "basic", "enhanced"]),
                right_to_work_checked_on=day
                + dt.timedelta(days=s.rng.choice(CHECK_DAYS)),
                has_consent_to_hold=True,
                has_consent_to_share=s.rng.random() < 0.85,
                last_contact_at=_local(day, s.rng.randint(9, 15)),
            )
        )
    for p in people:
        if not p.is_claimant:
            p.benefit_type = ""
    demo_start_evidence(people, coordinator=s.coordinator, today=s.today)
    return Participant.objects.bulk_create(people, batch_size=1000)


def _casework(
    s: _Present, people: list[Participant], roles: list[str], employers: list[str]
) -> None:
    """Each new person's first meeting, plan and its actions, support, follow-ups and
    what came of it."""
    rng, today = s.rng, s.today
    meetings, plans, support, outcomes = [], [], [], []
    actions: list[tuple[SkillsActionPlan, PlanAction]] = []
    for p in people:
        meetings.append(
            Meeting(
                participant=p,
                kind=rng.choice(["job_centre", "drop_in", "phone"]),
                held_at=p.last_contact_at or _local(p.registered_on, 10),
                location="Royal Parade Jobcentre (demo)",
                notes="First conversation about care careers.",
                recorded_by=p.coordinator,
            )
        )
        later = sorted(
            p.registered_on + dt.timedelta(days=rng.randint(7, 120))
            for _ in range(rng.choice([0, 1, 1, 2, 3]))
        )
        for day in (d for d in later if d < today):
            meetings.append(
                Meeting(
                    participant=p,
                    kind=rng.choice(["phone", "phone", "job_centre", "video"]),
                    held_at=_local(day, rng.randint(9, 16)),
                    notes="Caught up on applications and training.",
                    recorded_by=p.coordinator,
                )
            )
        agreed = p.registered_on + dt.timedelta(days=rng.randint(0, 14))
        if rng.random() < 0.9 and agreed <= today:
            plan = SkillsActionPlan(
                participant=p,
                agreed_on=agreed,
                pathway=rng.choice(["demand", "demand", "supply", "pipeline"]),
                target_role=rng.choice(roles),
                agreed_by=p.coordinator,
            )
            plans.append(plan)
            for step, description in zip((1, 2), rng.sample(ACTIONS, 2), strict=True):
                due = agreed + dt.timedelta(days=14 * step + rng.randint(0, 7))
                done = due - dt.timedelta(days=rng.randint(0, 6))
                actions.append(
                    (
                        plan,
                        PlanAction(
                            description=description,
                            owner=rng.choice(PlanAction.Owner.values),
                            due_on=due,
                            completed_on=max(done, agreed) if due <= today else None,
                        ),
                    )
                )
        given = p.registered_on + dt.timedelta(days=rng.randint(0, 30))
        if rng.random() < 0.88 and given <= today:
            kind = rng.choice(
                ["careers", "employability", "financial", "mental_health"]
            )
            support.append(Support(participant=p, kind=kind, given_on=given))
            if rng.random() < 0.2:
                support.append(Support(participant=p, kind="careers", given_on=given))
        start = p.registered_on + dt.timedelta(days=rng.randint(21, 150))
        draw = rng.random()
        if start > today or draw >= 0.45:
            continue
        if draw < 0.34:
            care = draw < 0.26
            outcomes.append(
                Outcome(
                    participant=p,
                    kind="employment",
                    sector="health_social_care" if care else "other",
                    started_on=start,
                    employer=rng.choice(employers) if care else "Local retailer",
                    role=rng.choice(roles) if care else "Sales assistant",
                    hours_per_week=rng.choice([16, 24, 30, 37.5]),
                )
            )
        else:
            outcomes.append(
                Outcome(
                    participant=p,
                    kind=rng.choice(["training", "work_experience", "volunteering"]),
                    started_on=start,
                    employer="Care Skills Training (demo)",
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    SkillsActionPlan.objects.bulk_create(plans, batch_size=1000)
    for plan, action in actions:
        action.plan = plan
    PlanAction.objects.bulk_create([a for _, a in actions], batch_size=1000)
    Support.objects.bulk_create(support, batch_size=1000)
    Outcome.objects.bulk_create(outcomes, batch_size=1000)
    # One statement (bulk_update of thousands of rows is slow).
    Participant.objects.filter(pk__in=[p.pk for p in people]).update(
        last_contact_at=Subquery(
            Meeting.objects.filter(participant=OuterRef("pk"))
            .order_by("-held_at")
            .values("held_at")[:1]
        )
    )


def _checks(s: _Present) -> list[SustainmentCheck]:
    """Every job start's checks: answered once their day has passed, but for the most
    recent few; a 26-week one only after the 13-week one (never in work without it)."""
    rng, today = s.rng, s.today
    checks = []
    starts = (
        Outcome.objects.filter(participant__academy=s.academy, kind="employment")
        .select_related("participant")
        .order_by("started_on", "pk")
    )
    for outcome in starts:
        in_work = rng.random() < 0.8
        for weeks in SUSTAINMENT_WEEKS:
            due = outcome.started_on + dt.timedelta(weeks=weeks)
            check = SustainmentCheck(outcome=outcome, weeks=weeks, due_on=due)
            checks.append(check)
            if due > today:
                continue
            in_work = in_work and (weeks == SUSTAINMENT_WEEKS[0] or rng.random() < 0.85)
            check.status, check.is_in_work = "done", in_work
            check.confirmed_how = rng.choice(
                ["participant", "participant", "employer", "payslip"]
            )
            check.checked_on = min(due + dt.timedelta(days=rng.randint(0, 10)), today)
            check.checked_by_id = outcome.participant.coordinator_id
    # The most recent checks are still due: a handful each (26-week ones only if the
    # 13-week one was answered, which it always was weeks before).
    past = sorted(
        (c for c in checks if c.due_on <= today), key=lambda c: c.due_on, reverse=True
    )
    left = {True: DUE_MINE, False: DUE_OTHERS}
    for check in past:
        mine = check.outcome.participant.coordinator_id == s.coordinator.pk
        if left[mine] and check.weeks == SUSTAINMENT_WEEKS[0]:
            left[mine] -= 1
            check.status, check.is_in_work, check.confirmed_how = "due", None, ""
            check.checked_on = check.checked_by = None
    return SustainmentCheck.objects.bulk_create(checks, batch_size=1000)


def _close_cases(s: _Present) -> None:
    """Cases close when the 26-week check is answered, or, without a job, at the
    monthly caseload review six months after registering; their plans end with them.
    (A few statements: updating thousands of rows one by one is slow.)"""
    people = Participant.objects.for_academy(s.academy)
    answered = SustainmentCheck.objects.filter(
        outcome__participant__academy=s.academy,
        weeks=SUSTAINMENT_WEEKS[-1],
        status=SustainmentCheck.Status.DONE,
    )
    last = answered.filter(outcome__participant=OuterRef("pk")).order_by("-checked_on")
    for in_work, reason in ((False, "other"), (True, "sustained_work")):
        people.filter(
            pk__in=answered.filter(is_in_work=in_work).values("outcome__participant")
        ).update(
            status="closed",
            close_reason=reason,
            closed_on=Subquery(last.values("checked_on")[:1]),
        )
    working = Outcome.objects.filter(kind="employment").values("participant")
    quiet = people.filter(status="open").exclude(pk__in=working)
    closing: dict[tuple[dt.date, str], list[int]] = {}
    for pk, registered in quiet.values_list("pk", "registered_on"):
        review = registered + dt.timedelta(days=180)
        month_end = (review.replace(day=1) + dt.timedelta(days=32)).replace(
            day=1
        ) - dt.timedelta(days=1)
        if month_end < s.today:
            reason = "not_interested" if registered.day <= 10 else "lost_contact"
            closing.setdefault((month_end, reason), []).append(pk)
    for (month_end, reason), pks in closing.items():
        people.filter(pk__in=pks).update(
            status="closed", close_reason=reason, closed_on=month_end
        )
    SkillsActionPlan.objects.filter(
        participant__academy=s.academy, participant__status="closed"
    ).update(status="completed")


def _mine(s: _Present) -> list[Participant]:
    """The demo coordinator's open cases, most recent first."""
    return list(
        Participant.objects.for_academy(s.academy)
        .open()
        .filter(coordinator=s.coordinator)
        .order_by("-registered_on", "pk")
    )


def _fitted(
    slots: list[tuple[dt.datetime, str, str]], rng: random.Random
) -> list[tuple[dt.datetime, str, str, int]]:
    """The slots as booking allows them (the demo writes appointments directly):
    between 07:00 and 21:00 London time, and none overlapping another in the diary;
    a slot too close to the next is shortened, to no less than 15 minutes, or left
    out."""
    ordered = sorted(slots, key=lambda slot: slot[0])
    fitted: list[tuple[dt.datetime, str, str, int]] = []
    for n, (at, status, reason) in enumerate(ordered):
        local = timezone.localtime(at)
        closing = local.replace(hour=21, minute=0, second=0, microsecond=0)
        if local.hour < 7 or (
            fitted and fitted[-1][0] + dt.timedelta(minutes=fitted[-1][3]) > at
        ):
            continue
        room = closing - local
        if n + 1 < len(ordered):
            room = min(room, ordered[n + 1][0] - at)
        minutes = min(rng.choice([30, 30, 45, 60]), int(room.total_seconds() // 60))
        if minutes >= 15:
            fitted.append((at, status, reason, minutes))
    return fitted


def _diary(s: _Present, mine: list[Participant]) -> None:
    """Appointments: the last fortnight (attended, a few missed, one cancelled), earlier
    today (attended, and one or two still to mark), later today and through next week
    (booked)."""
    rng, today, now = s.rng, s.today, timezone.now()
    midnight = _local(today, 0)
    quarter = dt.timedelta(minutes=15)
    slots: list[tuple[dt.datetime, str, str]] = []
    for day in _weekdays(today - dt.timedelta(days=14), today - dt.timedelta(days=1)):
        slots += [
            (_local(day, 10), "attended", ""),
            (_local(day, 14, 30), "attended", ""),
        ]
    # A few of the last fortnight's were missed (with a reason), one called off.
    for n, reason in zip(range(1, len(slots), 7), MISSED, strict=False):
        slots[n] = (slots[n][0], "missed", reason)
    slots[len(slots) // 2] = (
        slots[len(slots) // 2][0],
        "cancelled",
        "They have a job interview at that time.",
    )

    # Earlier today (on the quarter hour, not before 07:00): one attended, and one or
    # two not yet marked, so that Attended and Did not attend can be tried at once:
    # at the start of the day or a few minutes ago, whichever is earlier, and an hour
    # ago.
    def floor(at: dt.datetime) -> dt.datetime:
        return midnight + (at - midnight) // quarter * quarter

    first, start = _local(today, 7), _local(today, 9)
    attended = floor(now - dt.timedelta(hours=2.5))
    if attended >= first:
        slots.append((attended, "attended", ""))
    unmarked = {
        max(first, floor(min(start, now - dt.timedelta(minutes=10)))),
        floor(now - dt.timedelta(hours=1)),
    }
    slots += [
        (at, "booked", "") for at in sorted(unmarked) if at >= first and at != attended
    ]
    for hours in (1, 3):
        at = (
            midnight
            + -((midnight - now - dt.timedelta(hours=hours)) // quarter) * quarter
        )
        if timezone.localdate(at) == today:
            slots.append((at, "booked", ""))
    for day in _weekdays(today + dt.timedelta(days=1), today + dt.timedelta(days=8)):
        slots += [
            (_local(day, h, m), "booked", "") for h, m in ((9, 30), (11, 0), (14, 0))
        ]
    appointments, meetings = [], []
    for n, (at, status, reason, minutes) in enumerate(_fitted(slots, rng)):
        person = mine[n % len(mine)]
        kind = rng.choice(["job_centre", "phone", "phone", "video"])
        appointment = Appointment(
            participant=person,
            coordinator=s.coordinator,
            kind=kind,
            starts_at=at,
            minutes=minutes,
            place="Royal Parade Jobcentre (demo)" if kind == "job_centre" else "",
            link="https://meet.example.org/demo-coordinator" if kind == "video" else "",
            status=status,
            reason=reason,
            booked_by=s.coordinator,
        )
        if status == "attended":
            meeting = Meeting(
                participant=person,
                kind=kind,
                held_at=at,
                location=appointment.place,
                notes="Talked through applications and the next training dates.",
                recorded_by=s.coordinator,
            )
            meetings.append(meeting)
            appointment.meeting = meeting
        appointments.append(appointment)
    Meeting.objects.bulk_create(meetings)
    for a in appointments:
        a.meeting_id = a.meeting.pk if a.meeting else None
    Appointment.objects.bulk_create(appointments)
    # Support given at today's meetings, and the last contact they made.
    Support.objects.bulk_create(
        Support(
            participant=m.participant,
            kind="careers",
            given_on=today,
            recorded_by=s.coordinator,
        )
        for m in meetings
        if m.held_at >= midnight
    )
    latest: dict[int, dt.datetime] = {}
    for m in meetings:
        latest[m.participant_id] = max(
            m.held_at, latest.get(m.participant_id, m.held_at)
        )
    for p in mine:
        if p.pk in latest and (
            p.last_contact_at is None or latest[p.pk] > p.last_contact_at
        ):
            p.last_contact_at = latest[p.pk]
    Participant.objects.bulk_update(mine, ["last_contact_at"])


def _tasks(
    s: _Present, mine: list[Participant], checks: list[SustainmentCheck]
) -> None:
    """One task per plan action (open while it is not done) and per check (open while
    due), the coordinator's next steps, and a few actions due today or overdue."""
    today, coordinator = s.today, s.coordinator
    history = today - dt.timedelta(days=DONE_TASK_DAYS)
    # The coordinator's work for today and the days around it.
    plans = {
        plan.participant_id: plan
        for plan in SkillsActionPlan.objects.filter(
            participant__in=mine, status="active"
        )
    }
    planned = [p for p in mine if p.pk in plans]
    has: dict[int, set[str]] = {}
    for plan_id, description in PlanAction.objects.filter(
        plan__in=plans.values()
    ).values_list("plan_id", "description"):
        has.setdefault(plan_id, set()).add(description)
    work = [
        ("Call the care home about a trial shift", -4),
        ("Send the DBS form", -11),
        ("Book Care Certificate", 0),
        ("Check references came back", 0),
    ]
    actions = []
    for text, days in work:
        due = today + dt.timedelta(days=days)
        # A week or more after the plan was agreed.
        person = next(
            (
                p
                for p in planned
                if plans[p.pk].agreed_on <= due - dt.timedelta(days=7)
                and text not in has.get(plans[p.pk].pk, set())
            ),
            None,
        )
        if person is not None:
            planned.remove(person)
            actions.append(
                PlanAction(
                    plan=plans[person.pk],
                    description=text,
                    owner="coordinator",
                    due_on=due,
                )
            )
    PlanAction.objects.bulk_create(actions)
    steps = list(
        Meeting.objects.filter(
            participant__in=mine, held_at__lt=_local(today, 0)
        ).order_by("-held_at")
    )
    latest: dict[int, Meeting] = {}
    for m in steps:
        latest.setdefault(m.participant_id, m)
    candidates, stepped = list(latest.values()), []
    tasks = []
    for n, days in enumerate((-3, 0, 2, 5, 8)):
        due = today + dt.timedelta(days=days)
        # A next step is never due before the meeting that set it.
        found = next(
            (m for m in candidates if timezone.localdate(m.held_at) <= due), None
        )
        if found is None:
            continue
        m = found
        candidates.remove(m)
        stepped.append(m)
        m.next_step, m.next_step_on = NEXT_STEPS[n % len(NEXT_STEPS)], due
        tasks.append(
            Task(
                participant_id=m.participant_id,
                owner=coordinator,
                title=m.next_step,
                due_on=m.next_step_on,
                source="next_step",
                meeting=m,
                created_by=coordinator,
            )
        )
    Meeting.objects.bulk_update(stepped, ["next_step", "next_step_on"])
    # Plan actions: open while not done (active plans of open cases), else done.
    for action in (
        PlanAction.objects.filter(plan__participant__academy=s.academy)
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=history))
        .select_related("plan__participant")
    ):
        person = action.plan.participant
        task = Task(
            participant=person,
            owner_id=person.coordinator_id,
            title=action.description,
            due_on=action.due_on,
            source="plan_action",
            plan_action=action,
        )
        if action.completed_on:
            task.status, task.closed_at = "done", _local(action.completed_on, 16)
            task.closed_by_id = person.coordinator_id
        elif action.plan.status != "active" or person.status != "open":
            continue
        tasks.append(task)
    for check in checks:
        if check.status == "scheduled" or (check.checked_on or today) < history:
            continue
        person = check.outcome.participant
        task = Task(
            participant=person,
            owner_id=person.coordinator_id,
            title=f"{check.weeks}-week check: still in work?",
            due_on=check.due_on,
            source="check",
            sustainment_check=check,
        )
        if check.checked_on is not None:
            task.status, task.closed_at = "done", _local(check.checked_on, 12)
            task.closed_by_id = person.coordinator_id
        tasks.append(task)
    Task.objects.bulk_create(tasks, batch_size=1000)


def _contact_preferences(s: _Present, mine: list[Participant]) -> None:
    """Some of the coordinator's people agreed to reminders: by text (to a drama
    number) or by e-mail (to an address that cannot be delivered)."""
    for n, person in enumerate(mine[:14]):
        if str(person.phone).startswith("+447700900") and n % 3:
            how = Participant.ContactBy.SMS
        else:
            how = Participant.ContactBy.EMAIL
        contact_preference_set(participant=person, contact_by=how, by=s.coordinator)


def _a_gap_of_my_own(s: _Present) -> None:
    """The gaps in start evidence fall by position, and which cases are still open
    depends on the day the demo is built: on some days none of the demo coordinator's
    open cases has one. Then their newest open case's document kind goes unnoted, so
    that their list's "Start evidence missing" filter always shows someone."""
    open_ = Participant.objects.filter(
        academy=s.academy, coordinator=s.coordinator, status=Participant.Status.OPEN
    )
    if open_.filter(evidence_missing()).exists():
        return
    newest = open_.filter(right_to_work=Participant.RightToWork.YES)
    newest.filter(pk=newest.order_by("-registered_on", "-pk").values("pk")[:1]).update(
        right_to_work_document=""
    )


def demo_present_seed(
    *,
    academy: Academy,
    coordinator: User,
    first_number: int,
    first: list[str],
    last: list[str],
    roles: list[str],
    employers: list[str],
) -> int:
    """The demo's casework from April 2024 to today and the week ahead; return how
    many people it registered."""
    s = _Present(
        academy=academy,
        coordinator=coordinator,
        today=timezone.localdate(),
        rng=random.Random(2024),  # noqa: S311 - the same demo every time, not a secret
    )
    people = _register(s, first_number, first, last)
    _casework(s, people, roles, employers)
    checks = _checks(s)
    _close_cases(s)
    _a_gap_of_my_own(s)
    mine = _mine(s)
    _diary(s, mine)
    _tasks(s, mine, checks)
    _contact_preferences(s, mine)
    return len(people)
