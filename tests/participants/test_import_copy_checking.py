"""A phone cell is checked by academy.rules.phone_e164 (whose fast path for UK mobiles
is tested beside the rule, tests/academy/test_input_rules.py): the cell gives the
rule's answer, and a problem where the rule finds no number."""

import pytest

from academy import rules
from participants.imports.cells import _Row
from tests.academy.test_input_rules import PHONE_EDGES


def _phone(text):
    problems = []
    value = _Row(2, {"phone": text}, problems).phone("phone")
    return value, problems


@pytest.mark.parametrize("text", PHONE_EDGES)
def test_a_phone_cell_gives_the_rules_number(text):
    value, problems = _phone(text)
    expected = rules.phone_e164(text)
    assert value == (expected or "")
    assert bool(problems) is (expected is None)
