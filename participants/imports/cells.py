"""Parsing the cells of one row, collecting every problem found."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from academy import rules

from ..models import Cohort
from .columns import Cell, Problem, _allowed, _codes

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
T = TypeVar("T")
# A file's answers per (column, cell): the value, and the (column, message) problems.
Answers = dict[tuple[str, Cell], tuple[Any, tuple[tuple[str, str], ...]]]


def _show(value: str) -> str:
    return f"'{value[:37]}...'" if len(value) > 40 else f"'{value}'"


class _Row:
    """The cells of one row, read one column at a time, collecting problems."""

    __slots__ = ("cells", "number", "problems", "start")

    def __init__(
        self, number: int, cells: Mapping[str, Cell], problems: list[Problem]
    ) -> None:
        self.number = number
        self.cells = cells
        self.problems = problems
        self.start = len(problems)

    @property
    def is_valid(self) -> bool:
        return len(self.problems) == self.start

    def has(self, column: str) -> bool:
        return column in self.cells

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def once(self, answers: Answers, column: str, rule: Callable[[_Row], T]) -> T:
        """`rule(self)`, for a rule that reads only `column` and answers the same for
        the same text all through a file (a date, yes or no, a code, a postcode):
        worked out once per distinct text and kept in `answers`, with its problems.
        A large file holds few distinct dates and codes, so most rows look them up."""
        cell = self.cells.get(column, "")
        key = (column, cell)
        known = answers.get(key)
        if known is None:
            found: list[Problem] = []
            value = rule(_Row(self.number, {column: cell}, found))
            known = answers[key] = (value, tuple((p.column, p.message) for p in found))
        for name, message in known[1]:
            self.problems.append(Problem(self.number, name, message))
        return known[0]

    def text(self, column: str, max_length: int, *, required: bool = False) -> str:
        value = self.cells.get(column, "")
        if isinstance(value, dt.date):
            value = value.isoformat()
        if not value and required:
            self.problem(column, "required, but empty")
        elif len(value) > max_length:
            self.problem(column, f"longer than {max_length} characters")
        return value

    def date(
        self,
        column: str,
        *,
        required: bool = False,
        latest: tuple[dt.date, str] | None = None,
    ) -> dt.date | None:
        """A YYYY-MM-DD date (or a date cell); `latest` is the last allowed day and
        what to say about a later one."""
        value = self.cells.get(column, "")
        if isinstance(value, dt.date):
            day = value
        elif not value:
            if required:
                self.problem(column, "required, but empty")
            return None
        elif not _DATE.fullmatch(value):
            self.problem(column, f"{_show(value)} is not a date in the form YYYY-MM-DD")
            return None
        else:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                self.problem(column, f"{_show(value)} is not a real date")
                return None
        if latest is not None and day > latest[0]:
            self.problem(column, f"'{day}' {latest[1]}")
        return day

    def yes_no(self, column: str, *, required: bool = False) -> bool | None:
        value = self.cells.get(column, "")
        text = value.lower() if isinstance(value, str) else str(value)
        if text in ("yes", "no"):
            return text == "yes"
        if text:
            self.problem(column, f"{_show(text)} is not yes or no")
        elif required:
            self.problem(column, "required, but empty")
        return None

    def choice(
        self, column: str, choices: type[models.TextChoices], *, required: bool = False
    ) -> str:
        value = self.cells.get(column, "")
        if isinstance(value, dt.date):
            value = value.isoformat()
        code = value.lower()
        if code in _allowed(choices):
            return code
        if code:
            self.problem(
                column, f"{_show(value)} is not one of: {_codes(choices.values)}"
            )
        elif required:
            self.problem(column, "required, but empty")
        return ""

    def cohorts(self, column: str) -> frozenset[str]:
        value = self.text(column, 1000)
        codes = frozenset(c.strip().lower() for c in value.split(";") if c.strip())
        for code in sorted(codes - _allowed(Cohort)):
            self.problem(
                column,
                f"{_show(code)} is not a cohort; use codes separated by ';' from: "
                f"{_codes(Cohort.values)}",
            )
        return codes

    def email(self, column: str) -> str:
        value = self.text(column, 254).lower()
        if value and not rules.email_is_valid(value):
            self.problem(column, f"{_show(value)} is not an e-mail address")
        return value

    def postcode(self, column: str) -> str:
        value = self.text(column, 20)
        try:
            return rules.postcode_clean(value)
        except ValidationError:
            self.problem(column, f"{_show(value)} is not a UK postcode")
            return ""

    def phone(self, column: str) -> str:
        value = self.text(column, 40)
        if not value:
            return ""
        e164 = rules.phone_e164(value)
        if e164 is None:
            self.problem(column, f"{_show(value)} is not a UK phone number")
            return ""
        return e164

    def member(self, column: str, members: Mapping[str, int]) -> int | None:
        """The user id of a member named by e-mail (None for an empty cell)."""
        value = self.text(column, 254).lower()
        if not value:
            return None
        if value not in members:
            self.problem(
                column, f"{_show(value)} is not a coordinator or admin of this academy"
            )
        return members.get(value)

    def hours(self, column: str) -> Decimal | None:
        value = self.text(column, 20)
        if not value:
            return None
        try:
            hours = Decimal(value)
        except InvalidOperation:
            hours = Decimal("NaN")
        if not hours.is_finite() or not Decimal(0) <= hours <= Decimal(80):
            self.problem(
                column, f"{_show(value)} is not a number of hours from 0 to 80"
            )
        elif hours != hours.quantize(Decimal("0.1")):
            self.problem(column, f"{_show(value)} has more than one decimal place")
        return hours
