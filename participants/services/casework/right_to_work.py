"""The right-to-work check a funder asks for at a person's start: the one rule of what a
check needs, and how saving details records, keeps or clears it (who checked is the
member who records the check, never typed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from academy import rules
from academy.models import User

from ...models import Participant
from ...selectors.evidence import age_on, missing_keys
from ...selectors.people import right_to_work_said

RTW = Participant.RightToWork
# The fields of a check; who checked is set here, the others come from the form.
CHECK_FIELDS = (
    "right_to_work_checked_on",
    "right_to_work_checked_by",
    "right_to_work_document",
)
# A check needs the person to have been of working age (16) on the day.
WORKING_AGE = 16


@dataclass(frozen=True)
class RightToWorkCheck:
    """A person's right to work and its check, as stored before an edit."""

    status: str = RTW.UNKNOWN
    checked_on: dt.date | None = None
    checked_by: User | None = None
    document: str = ""

    @classmethod
    def of(cls, person: Participant) -> RightToWorkCheck:
        return cls(
            status=person.right_to_work,
            checked_on=person.right_to_work_checked_on,
            checked_by=person.right_to_work_checked_by
            if person.right_to_work_checked_by_id
            else None,
            document=person.right_to_work_document,
        )

    @classmethod
    def stored(cls, person: Participant) -> RightToWorkCheck:
        """As the database holds it: a bound form has already written its input into
        the instance it edits."""
        return cls.of(
            Participant.objects.select_related("right_to_work_checked_by").get(
                pk=person.pk
            )
        )

    @property
    def is_recorded(self) -> bool:
        return bool(self.checked_on or self.checked_by or self.document)

    def said(self) -> str:
        return right_to_work_said(
            status=self.status,
            checked_on=self.checked_on,
            checked_by=self.checked_by,
            document=self.document,
        )


def has_complete_check(person: Participant) -> bool:
    """Right to work confirmed, with the day, who checked and the document kind."""
    return not {"right_to_work", "right_to_work_check"} & set(missing_keys(person))


def right_to_work_check_clean(
    *,
    status: str,
    checked_on: dt.date | None,
    document: str,
    date_of_birth: dt.date | None,
    before: RightToWorkCheck,
) -> None:
    """Refuse a check that cannot stand, saying what to fix (errors by form field): a
    confirmed right to work needs the day checked (not in the future, not before the
    person was 16) and the kind of document seen; a day or document kind newly given
    for a right to work that is not confirmed is refused rather than dropped."""
    errors: dict[str, str | list[str]] = {}
    if status == RTW.YES:
        day = "right_to_work_checked_on"
        if checked_on is None:
            errors[day] = (
                "Give the day the right to work was checked: a confirmed right to "
                "work needs it."
            )
        else:
            try:
                rules.date_not_future(
                    checked_on, what="The day the right to work was checked"
                )
            except ValidationError as error:
                errors[day] = error.messages
            born = date_of_birth
            age = age_on(born, checked_on)
            if day not in errors and born and age is not None and age < WORKING_AGE:
                errors[day] = (
                    f"That day is before their {WORKING_AGE}th birthday (born "
                    f"{born.day} {born:%B %Y}). "
                    "Check this date and the date of birth."
                )
        if not document:
            errors["right_to_work_document"] = (
                "Choose the kind of document seen: a confirmed right to work needs it."
            )
    elif (checked_on or document) and (checked_on, document) != (
        before.checked_on,
        before.document,
    ):
        errors["right_to_work"] = (
            "A check is recorded only when the right to work is confirmed: choose "
            "'Confirmed', or leave the day checked and the document kind empty."
        )
    if errors:
        raise ValidationError(errors)


def right_to_work_check_record(
    participant: Participant, *, before: RightToWorkCheck, by: User
) -> str:
    """Apply the rule to `participant` as edited (not saved): who checked is `by` when
    the check is new or its day or document changed, and is kept otherwise; a right
    to work no longer confirmed loses its check. Return the timeline note to write,
    or ""."""
    right_to_work_check_clean(
        status=participant.right_to_work,
        checked_on=participant.right_to_work_checked_on,
        document=participant.right_to_work_document,
        date_of_birth=participant.date_of_birth,
        before=before,
    )
    if participant.right_to_work != RTW.YES:
        participant.right_to_work_checked_on = None
        participant.right_to_work_checked_by = None
        participant.right_to_work_document = ""
        if not before.is_recorded:
            return ""
        now = RTW(participant.right_to_work).label.lower()
        return (
            f"Right to work changed to '{now}': the check it had ({before.said()}) "
            "is cleared."
        )
    changed = (
        before.status != RTW.YES
        or before.checked_on != participant.right_to_work_checked_on
        or before.document != participant.right_to_work_document
    )
    if not changed:
        return ""
    participant.right_to_work_checked_by = by
    return f"Right to work {RightToWorkCheck.of(participant).said()}."
