"""The publication rules: what a published table may show (spec/impact-report.md).

`disclose()` is the one function every published figure goes through: the impact
dashboard, its CSV, JSON and PDF, the monthly e-mail and the funder returns. A report
for publication shows a count of 1 to 4 as "<5" (primary suppression) and then
withholds further counts, shown as "[c]", until no suppressed count can be worked out
from what is shown (secondary suppression):

- by subtraction along any exact sum the reader can see (a total and its parts: all
  people = claimants + not claimants, a total = the sum of its local authorities);
- by combining several sums (linear algebra over the hidden cells);
- by bounds: a reader knows "<5" is 1 to 4 and "[c]" is not under 5, so a hidden count
  pinned to one value by those bounds is worked out too.

Internal reports show exact counts. Files say in their name and first line which they
are.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from django.conf import settings

K = TypeVar("K", bound=Hashable)
Shown = int | str

WITHHELD = "[c]"
INTERNAL_LINE = "Internal: exact counts with small numbers. Not for publication."
PUBLICATION_FOOTNOTE = (
    "Counts of 1 to 4 are shown as <5 and counts that would let one be worked out "
    "from the others are shown as [c]."
)


def threshold() -> int:
    value: int = settings.SMALL_NUMBER_THRESHOLD
    return value


def suppressed_mark() -> str:
    """What a published count under the threshold reads: '<5'."""
    return f"<{threshold()}"


SUPPRESSED = "<5"  # the mark at the default threshold (settings.SMALL_NUMBER_THRESHOLD)


@dataclass(frozen=True)
class Sum:
    """An exact relation a reader could subtract along: total == sum(parts)."""

    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def members(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)


def disclose(
    cells: Mapping[K, int], sums: Iterable[Sum] = (), *, publish: bool
) -> dict[K, Shown]:
    """Every cell as it may be shown: exact when internal; when published, 1 to 4 read
    '<5' and more cells read '[c]' until no hidden count can be worked out.

    Each Sum must hold exactly in `cells` (a ValueError says which does not): a sum
    declared where people can count in several parts would protect nothing.
    """
    if not publish:
        return dict(cells)
    values: dict[Hashable, int] = dict(cells.items())
    relations = [s for s in sums if len(s.parts) > 0]
    for s in relations:
        missing = [m for m in s.members if m not in values]
        if missing:
            raise ValueError(f"A sum names cells that are not in the table: {missing}")
        if values[s.total] != sum(values[p] for p in s.parts):
            raise ValueError(f"Not an exact sum: {s.total} != sum of {s.parts}")
    mark = suppressed_mark()
    hidden: dict[Hashable, str] = {
        key: mark for key, value in values.items() if 0 < value < threshold()
    }
    # Each round hides at least one more positive cell, so this ends.
    for _ in range(len(values) + 1):
        exposed = _exposed(values, relations, hidden)
        if exposed is None:
            break
        complement = _complement(exposed, values, relations, hidden)
        if complement is None:
            # Every non-zero count is hidden already: only the marks' own meaning
            # (1 to 4, 5 or more) is left, which withholding cannot take away.
            break
        hidden[complement] = WITHHELD
    return {key: hidden.get(key, value) for key, value in cells.items()}


def _exposed(
    cells: dict[Hashable, int], relations: list[Sum], hidden: dict[Hashable, str]
) -> Hashable | None:
    """A hidden cell a reader could work out, or None when every one is safe."""
    if not hidden:
        return None
    touching = [s for s in relations if any(m in hidden for m in s.members)]
    for s in touching:  # subtraction: the only hidden member of a sum
        unknown = [m for m in s.members if m in hidden]
        if len(unknown) == 1:
            return unknown[0]
    determined = _determined(cells, touching, hidden)
    if determined is not None:
        return determined
    pinned = _pinned(cells, touching, hidden)
    if pinned is not None:
        return pinned
    return _cornered(cells, touching, hidden)


def _equations(
    cells: dict[Hashable, int], relations: list[Sum], hidden: dict[Hashable, str]
) -> tuple[list[Hashable], list[tuple[dict[int, int], int]]]:
    """The sums as equations in the hidden cells: ({unknown index: coefficient}, the
    constant the reader can compute from shown cells)."""
    order = list(hidden)
    index = {key: i for i, key in enumerate(order)}
    equations = []
    for s in relations:
        coefficients: dict[int, int] = {}
        constant = 0  # sum(coef * x) == constant
        for member, sign in [(s.total, 1), *((p, -1) for p in s.parts)]:
            if member in index:
                i = index[member]
                coefficients[i] = coefficients.get(i, 0) + sign
            else:
                constant -= sign * cells[member]
        coefficients = {i: c for i, c in coefficients.items() if c}
        if coefficients:
            equations.append((coefficients, constant))
    return order, equations


def _determined(
    cells: dict[Hashable, int], relations: list[Sum], hidden: dict[Hashable, str]
) -> Hashable | None:
    """A hidden cell the sums fix on their own (its unit vector is in their row space:
    in reduced row echelon form, a row with a single non-zero entry)."""
    order, equations = _equations(cells, relations, hidden)
    rows = [
        [Fraction(coefficients.get(i, 0)) for i in range(len(order))]
        for coefficients, _ in equations
    ]
    pivot_row = 0
    for column in range(len(order)):
        found = next(
            (r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None
        )
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        lead = rows[pivot_row][column]
        rows[pivot_row] = [value / lead for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [
                    a - factor * b
                    for a, b in zip(rows[r], rows[pivot_row], strict=True)
                ]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    for row in rows[:pivot_row]:
        nonzero = [i for i, value in enumerate(row) if value != 0]
        if len(nonzero) == 1:
            return order[nonzero[0]]
    return None


Bounds = list[tuple[float, float]]


def _narrow(
    equations: list[tuple[dict[int, int], int]], bounds: Bounds
) -> Bounds | None:
    """Each hidden cell's bounds tightened through every sum until nothing changes
    (as a reader would: if a + b == 6 and b is 1 to 4, a is 2 to 5); None when no
    values fit."""
    bounds = list(bounds)
    for _ in range(100):
        changed = False
        for coefficients, constant in equations:
            for i, c in coefficients.items():
                # c * x_i == constant - (the others' sum, from rest_low to rest_high)
                rest_low = rest_high = 0.0
                for j, d in coefficients.items():
                    if j != i:
                        a, b = d * bounds[j][0], d * bounds[j][1]
                        rest_low += min(a, b)
                        rest_high += max(a, b)
                first, second = (constant - rest_high) / c, (constant - rest_low) / c
                low, high = bounds[i]
                least, most = min(first, second), max(first, second)
                if not math.isinf(least) and math.ceil(least) > low:
                    low = math.ceil(least)
                if not math.isinf(most) and math.floor(most) < high:
                    high = math.floor(most)
                if low > high:
                    return None
                if (low, high) != bounds[i]:
                    bounds[i], changed = (low, high), True
        if not changed:
            break
    return bounds


def _marks_bounds(
    order: list[Hashable], hidden: dict[Hashable, str], most: float
) -> Bounds:
    """What the marks say: '<5' is 1 to 4, '[c]' is 5 to `most`."""
    return [
        (1, threshold() - 1) if hidden[key] != WITHHELD else (threshold(), most)
        for key in order
    ]


def _pinned(
    cells: dict[Hashable, int], relations: list[Sum], hidden: dict[Hashable, str]
) -> Hashable | None:
    """A hidden cell whose bounds close on one value: '<5' is 1 to 4, '[c]' is at
    least 5 (a reader may know that withheld cells are never small), propagated
    through the sums until nothing changes."""
    order, equations = _equations(cells, relations, hidden)
    bounds = _narrow(equations, _marks_bounds(order, hidden, math.inf))
    if bounds is None:  # cannot happen: the true values fit
        return order[0]
    for i, key in enumerate(order):
        if bounds[i][0] == bounds[i][1]:
            return key
    return None


# The search for other assignments is exact; bounds are narrowed through the sums at
# every step, so it ends quickly on real tables. It runs where at most SEARCH_CELLS
# hidden cells share sums (beyond that the linear-algebra and bounds checks above stand
# alone), and a search that runs out of steps counts as worked out, so that doubt
# withholds more rather than less.
SEARCH_CELLS = 30
SEARCH_STEPS = 400


def _cornered(
    cells: dict[Hashable, int], relations: list[Sum], hidden: dict[Hashable, str]
) -> Hashable | None:
    """A hidden cell no other value of which fits the sums and the marks' bounds
    together (e.g. a + b = 8 with both '<5' follows from several sums at once, or a
    grand total that is the least the marks allow), found by searching for another
    assignment of the hidden cells."""
    order, equations = _equations(cells, relations, hidden)
    if len(order) > SEARCH_CELLS:
        return None
    ceiling = 2 * max(cells.values()) + 10  # more than any sum allows
    start = _marks_bounds(order, hidden, ceiling)
    steps = 0

    def near(i: int, low: float, high: float) -> list[int]:
        """A cell's possible values, nearest its true value first: the true values
        fit, so another assignment is most often found close to them."""
        true = cells[order[i]]
        return sorted(range(int(low), int(high) + 1), key=lambda v: (abs(v - true), v))

    def another(bounds: Bounds) -> bool | None:
        """Whether some assignment within `bounds` fits (None: out of steps)."""
        nonlocal steps
        steps += 1
        if steps > SEARCH_STEPS:
            return None
        narrowed = _narrow(equations, bounds)
        if narrowed is None:
            return False
        free = [j for j, (low, high) in enumerate(narrowed) if low < high]
        if not free:
            return True
        i = min(free, key=lambda j: narrowed[j][1] - narrowed[j][0])
        for value in near(i, *narrowed[i]):
            tried = list(narrowed)
            tried[i] = (value, value)
            found = another(tried)
            if found is not False:
                return found
        return False

    for i, key in enumerate(order):
        steps = 0
        found: bool | None = False
        for value in near(i, *start[i]):
            if value != cells[key]:
                tried = list(start)
                tried[i] = (value, value)
                found = another(tried)
                if found is not False:
                    break
        if found is not True:  # no other value fits, or the search ran out
            return key
    return None


def _complement(
    exposed: Hashable,
    cells: dict[Hashable, int],
    relations: list[Sum],
    hidden: dict[Hashable, str],
) -> Hashable | None:
    """The cell to withhold so that `exposed` is no longer worked out: the smallest
    shown, non-zero part of a sum it is in (a total only when no part will do), so that
    as little as possible is withheld and headline totals stay shown; None when no
    shown count is left in any sum that touches a hidden one."""

    def candidates(sums: Iterable[Sum]) -> list[Hashable]:
        found = []
        for s in sums:
            for rank, member in [(1, s.total), *((0, p) for p in s.parts)]:
                if member not in hidden and cells[member] > 0:
                    found.append((rank, cells[member], str(member), member))
        return [item[-1] for item in sorted(found, key=lambda t: t[:3])]

    own = candidates(s for s in relations if exposed in s.members)
    if own:
        return own[0]
    near = candidates(s for s in relations if any(m in hidden for m in s.members))
    return near[0] if near else None


def percent(part: Shown, whole: Shown) -> str:
    """A share as a whole percentage, or '' when either count is withheld or the whole
    is 0 (a percentage of a hidden count would give it away)."""
    if not isinstance(part, int) or not isinstance(whole, int) or whole == 0:
        return ""
    return f"{round(100 * part / whole)}%"


def file_name(stem: str, *, publish: bool, ext: str) -> str:
    """A file's name says which it is: '…-for-publication.csv' or '…-internal.csv'."""
    return f"{stem}-{'for-publication' if publish else 'internal'}.{ext}"


def first_line(what: str, *, publish: bool) -> str:
    """The first line of every exported file: what it is, and internal or published.
    No commas, so that it stays one cell in a spreadsheet."""
    if publish:
        line = f"# For publication: {what}. {PUBLICATION_FOOTNOTE}"
    else:
        line = f"# {INTERNAL_LINE} {what}."
    return line.replace(",", "")
