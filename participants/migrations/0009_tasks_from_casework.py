"""Open tasks for the work the coordinator's home listed before tasks existed
(issue 13): a next step becomes a task only if it is the latest meeting's of an open
case (as the old home showed it: a later meeting replaced it, so older ones are taken as
dealt with, which keeps years of imported meetings from flooding the lists), each
uncompleted action of an active plan of an open case, and each due sustainment check
of an open case. Owner: the person's coordinator while they can still hold a caseload
(an active coordinator or admin of the academy), else nobody. Going back removes the
open tasks of those three sources (tasks written by hand are kept)."""

from django.db import migrations
from django.db.models import Exists, OuterRef

HOLDERS = ("coordinator", "admin")


def _owners(apps):
    """{academy id: ids of users who may hold a task there}."""
    Membership = apps.get_model("academy", "Membership")
    holders = {}
    for academy_id, user_id in Membership.objects.filter(
        is_active=True,
        user__is_active=True,
        accepted_at__isnull=False,
        role__in=HOLDERS,
    ).values_list("academy_id", "user_id"):
        holders.setdefault(academy_id, set()).add(user_id)
    return holders


def _owner(participant, holders):
    user_id = participant.coordinator_id
    return user_id if user_id in holders.get(participant.academy_id, set()) else None


def tasks_create(apps, schema_editor):
    Meeting = apps.get_model("participants", "Meeting")
    PlanAction = apps.get_model("participants", "PlanAction")
    SustainmentCheck = apps.get_model("participants", "SustainmentCheck")
    Task = apps.get_model("participants", "Task")
    holders = _owners(apps)
    tasks = []

    later = Meeting.objects.filter(
        participant=OuterRef("participant"), held_at__gt=OuterRef("held_at")
    )
    meetings = (
        Meeting.objects.filter(participant__status="open", next_step_on__isnull=False)
        .filter(~Exists(later))
        .filter(~Exists(Task.objects.filter(meeting=OuterRef("pk"))))
        .select_related("participant")
    )
    for meeting in meetings.iterator(chunk_size=1000):
        if not meeting.next_step:  # encrypted: "" is the one comparison that works
            continue
        tasks.append(
            Task(
                participant=meeting.participant,
                owner_id=_owner(meeting.participant, holders),
                title=meeting.next_step,
                due_on=meeting.next_step_on,
                source="next_step",
                meeting=meeting,
                created_by_id=meeting.recorded_by_id,
            )
        )

    actions = (
        PlanAction.objects.filter(
            completed_on__isnull=True,
            plan__status="active",
            plan__participant__status="open",
        )
        .filter(~Exists(Task.objects.filter(plan_action=OuterRef("pk"))))
        .select_related("plan__participant")
    )
    for action in actions.iterator(chunk_size=1000):
        participant = action.plan.participant
        tasks.append(
            Task(
                participant=participant,
                owner_id=_owner(participant, holders),
                title=action.description,
                due_on=action.due_on,
                source="plan_action",
                plan_action=action,
                created_by_id=action.plan.agreed_by_id,
            )
        )

    checks = (
        SustainmentCheck.objects.filter(
            status="due", outcome__participant__status="open"
        )
        .filter(~Exists(Task.objects.filter(sustainment_check=OuterRef("pk"))))
        .select_related("outcome__participant")
    )
    for check in checks.iterator(chunk_size=1000):
        participant = check.outcome.participant
        job = " at ".join(p for p in (check.outcome.role, check.outcome.employer) if p)
        tasks.append(
            Task(
                participant=participant,
                owner_id=_owner(participant, holders),
                title=f"{check.weeks}-week check" + (f": {job}" if job else ""),
                due_on=check.due_on,
                source="check",
                sustainment_check=check,
            )
        )
    Task.objects.bulk_create(tasks, batch_size=1000)


def tasks_remove(apps, schema_editor):
    Task = apps.get_model("participants", "Task")
    sources = ["next_step", "plan_action", "check"]
    Task.objects.filter(status="open", source__in=sources).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0008_day_ahead"),
        ("academy", "0013_academy_slug_not_reserved"),
    ]

    operations = [migrations.RunPython(tasks_create, tasks_remove)]
