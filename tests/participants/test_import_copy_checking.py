"""Checking a large file fast enough to stand beside COPY (issue 16): a UK mobile
number in its usual form is turned into E.164 without the full parser, and must come
out exactly as the parser (academy/rules.py) makes it."""

import random

import pytest

from academy import rules
from participants.imports.cells import _Row


def _phone(text):
    problems = []
    value = _Row(2, {"phone": text}, problems).phone("phone")
    return value, problems


@pytest.mark.parametrize("seed", range(5))
def test_uk_mobiles_come_out_as_the_parser_makes_them(seed):
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    for _ in range(2_000):
        digits = f"{rng.randrange(10**9):09d}"
        for text in (f"07{digits}", f"07{digits[:3]} {digits[3:]}"):
            assert _phone(text) == (rules.phone_e164(text), []), text


@pytest.mark.parametrize(
    "text",
    [
        "07700 900123",
        "+44 7700 900123",
        "01752 123456",
        "0770090012",  # a digit short
        "077009001234",  # a digit long
        "07700  900123",
        "07700-900123",
        "٠٧٧٠٠٩٠٠١٢٣",  # Arabic-Indic digits: the parser's business
        "not a number",
    ],
)
def test_other_numbers_are_parsed_as_before(text):
    value, problems = _phone(text)
    expected = rules.phone_e164(text)
    assert value == (expected or "")
    assert bool(problems) is (expected is None)
