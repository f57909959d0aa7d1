"""The filters of the casework lists (academy/lists.py: one idiom for every list)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from academy.lists import ListFilterSet, ViewFilter

from . import selectors
from .models import (
    Cohort,
    Enquiry,
    Participant,
    SkillsActionPlan,
    Task,
)
from .selectors.evidence import MISSING
from .services.enquiries import WAITING

YES_NO = [("yes", "Claimant"), ("no", "Not a claimant")]
SORT_CHOICES = [
    ("name", "Name"),
    ("reference", "Reference"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("last_contact", "Longest without contact"),
]


class ParticipantFilterSet(ListFilterSet):
    """Find people: search, case status, cohort, coordinator, claimant, pathway, no
    contact, overdue task, start evidence missing; sorted."""

    defaults = {"status": "open", "sort": "name"}
    live = "#participant-table"
    live_partial = True
    private = ("q",)  # names, e-mail addresses: never in a URL

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Name, reference, e-mail, phone or postcode",
            }
        ),
    )
    status = django_filters.ChoiceFilter(
        label="Case",
        choices=[("all", "All"), *Participant.Status.choices],
        empty_label=None,
        method="case_status",
    )
    cohort = django_filters.ChoiceFilter(
        label="Cohort", choices=Cohort.choices, empty_label="Any", method="in_cohort"
    )
    coordinator = django_filters.ChoiceFilter(
        label="Coordinator", empty_label="Anyone", method="coordinated_by"
    )
    claimant = django_filters.ChoiceFilter(
        label="Claimant", choices=YES_NO, empty_label="Either", method="is_claimant"
    )
    pathway = django_filters.ChoiceFilter(
        label="Pathway",
        choices=SkillsActionPlan.Pathway.choices,
        empty_label="Any",
        method="on_pathway",
    )
    evidence = django_filters.ChoiceFilter(
        label="Start evidence missing",
        choices=[("any", "Anything"), *((m.key, m.label) for m in MISSING)],
        empty_label="Not filtered",
        method="missing_evidence",
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SORT_CHOICES, empty_label=None, method="sorted"
    )
    no_contact = django_filters.BooleanFilter(
        label=f"No contact for {selectors.NO_CONTACT_DAYS} days",
        method="without_contact",
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
    task_overdue = django_filters.BooleanFilter(
        label="A task is overdue",
        method="with_overdue_task",
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )

    class Meta:
        model = Participant
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership = self.request.membership
        people = selectors.coordinator_choices(membership=membership)
        self.form.fields["coordinator"].choices = [
            ("", "Anyone"),
            ("me", "Me"),
            *((str(user.pk), str(user)) for user in people),
        ]

    def search(self, people: QuerySet[Participant], name: str, value: str) -> Any:
        return selectors.people_matching(people, value)

    def case_status(self, people: QuerySet[Participant], name: str, value: str) -> Any:
        return people if value == "all" else people.filter(status=value)

    def in_cohort(self, people: QuerySet[Participant], name: str, value: str) -> Any:
        return selectors.people_in_cohort(people, value)

    def coordinated_by(
        self, people: QuerySet[Participant], name: str, value: str
    ) -> Any:
        user_id = self.request.user.pk if value == "me" else int(value)
        return people.filter(coordinator_id=user_id)

    def is_claimant(self, people: QuerySet[Participant], name: str, value: str) -> Any:
        return people.filter(is_claimant=value == "yes")

    def on_pathway(self, people: QuerySet[Participant], name: str, value: str) -> Any:
        return selectors.people_on_pathway(people, value)

    def missing_evidence(
        self, people: QuerySet[Participant], name: str, value: str
    ) -> Any:
        return selectors.people_missing_evidence(people, value)

    def sorted(self, people: QuerySet[Participant], name: str, value: str) -> Any:
        return selectors.people_sorted(people, value)

    def without_contact(
        self, people: QuerySet[Participant], name: str, value: bool
    ) -> Any:
        return selectors.people_without_contact(people) if value else people

    def with_overdue_task(
        self, people: QuerySet[Participant], name: str, value: bool
    ) -> Any:
        return selectors.people_with_overdue_task(people) if value else people


class EnquiryFilterSet(ListFilterSet):
    """The enquiry queue: by default (or for a status it does not know) the work
    still to do, new and contacted."""

    status = ViewFilter(
        label="Show",
        views={
            "": ("New and contacted", Q(status__in=WAITING)),
            **{s: (label, Q(status=s)) for s, label in Enquiry.Status.choices},
            "all": ("All", Q()),
        },
    )

    class Meta:
        model = Enquiry
        fields: list[str] = []


class TaskFilterSet(ListFilterSet):
    """Tasks: whose (mine by default), when due, where from, and open or closed."""

    defaults = {"whose": "mine", "status": "open"}

    whose = django_filters.ChoiceFilter(
        label="Whose",
        choices=[("mine", "Mine"), ("all", "Everyone's"), ("nobody", "Nobody's yet")],
        empty_label=None,
        method="owned_by",
    )
    due = django_filters.ChoiceFilter(
        label="Due",
        choices=[
            ("overdue", "Overdue"),
            ("today", "Today"),
            ("week", "This week"),
            ("later", "Later"),
        ],
        empty_label="Any time",
        method="due_by",
    )
    source = django_filters.ChoiceFilter(
        label="From", choices=Task.Source.choices, empty_label="Anything"
    )
    status = django_filters.ChoiceFilter(
        label="Show", choices=Task.Status.choices, empty_label="All"
    )

    class Meta:
        model = Task
        fields: list[str] = []

    def owned_by(self, tasks: QuerySet[Task], name: str, value: str) -> Any:
        if value == "all":
            return tasks
        if value == "nobody":
            return tasks.filter(owner__isnull=True)
        return tasks.filter(owner=self.request.user)

    def due_by(self, tasks: QuerySet[Task], name: str, value: str) -> Any:
        return selectors.tasks_due_by(tasks, value)
