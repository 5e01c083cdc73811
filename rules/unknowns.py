"""Figures that unknown answers could change (DESIGN.md, "Contract additions").

A figure that depends on an unknown is None, unless the known answers already fix it.
The core works this out by evaluating each figure at the extreme answers the unknowns
could take (0 and far above any limit for money; one age per catch-up band) and keeping
the figure only when every such answer gives the same value. The figures are monotone
in each money answer, so their extremes are at those corners: the range found is the
true range, and `Span.low` is what every possible answer gives at least.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from rules.contributions import Payroll, catch_up_limit
from rules.figures import Limits
from rules.models import MAX_MONEY, Situation

ZERO = Decimal(0)
FAR = MAX_MONEY  # an unknown amount at its highest: far above every limit


class Span(NamedTuple):
    """The lowest and highest a figure can be over the answers still unknown."""

    low: Decimal
    high: Decimal

    @property
    def value(self) -> Decimal | None:
        """The figure, when the known answers fix it; else None."""
        return self.low if self.low == self.high else None

    @property
    def at_least(self) -> Decimal | None:
        """A positive floor for a figure that is not fixed (None when it could be 0)."""
        return self.low if self.low > ZERO and self.low != self.high else None

    @property
    def possible(self) -> bool:
        """Some answer makes the figure positive."""
        return self.high > ZERO

    @property
    def certain(self) -> bool:
        """Every answer makes the figure positive."""
        return self.low > ZERO


def span(values: Iterable[Decimal]) -> Span:
    """The range of a figure evaluated at every corner answer."""
    seen = tuple(values)
    return Span(min(seen), max(seen))


def fixed(value: Decimal) -> Span:
    return Span(value, value)


def representative_ages(limits: Limits) -> tuple[int, ...]:
    """One age per catch-up band: under 50; 50-59 and 64+; 60-63 where the year has it."""
    ages = [limits.catch_up_age - 1, limits.catch_up_age]
    if limits.catch_up_60_63 is not None and limits.catch_up_60_63_ages is not None:
        ages.append(limits.catch_up_60_63_ages[0])
    return tuple(ages)


def possible_catch_ups(limits: Limits, age: int | None) -> tuple[Decimal, ...]:
    """414(v): the catch-up for the age, or every catch-up an unknown age could give."""
    if age is not None:
        return (catch_up_limit(limits, age),)
    return tuple(sorted({catch_up_limit(limits, a) for a in representative_ages(limits)}))


# The corners over (deferrals, other deferrals, employer, after-tax), True = high:
# every payroll figure is monotone in each, so these reach each one's extremes
# (excesses and the raise: all low / all high; the room: deferrals, employer and
# after-tax low with other deferrals high, and the reverse; the advised deferrals:
# deferrals low with the rest high, and the reverse).
CORNERS = (
    (False, False, False, False),
    (True, True, True, True),
    (False, True, False, False),
    (True, False, True, True),
    (False, True, True, True),
    (True, False, False, False),
)


def _corners_for(unknown: tuple[bool, ...]) -> tuple[tuple[bool, ...], ...]:
    """The distinct CORNERS once the known inputs are pinned (high only where unknown)."""
    seen = {tuple(high and open_ for high, open_ in zip(c, unknown, strict=True)): None
            for c in CORNERS}  # fmt: skip
    return tuple(seen)


_MASKS = [tuple(bool(mask >> i & 1) for i in range(4)) for mask in range(16)]
CORNERS_BY_UNKNOWN = {mask: _corners_for(mask) for mask in _MASKS}


def payroll_answers(
    s: Situation, catch_ups: tuple[Decimal, ...], so_far_unknown: bool = False
) -> list[Payroll]:
    """Every corner answer for the payroll inputs still unknown (one when all known).

    `so_far_unknown`: the deferrals made so far matter (paychecks of the year already
    paid, none said): each answer comes with none made yet and with all of them made
    (the paycheck figures are monotone in it). Otherwise they are as given, or 0.
    """
    after_tax = s.after_tax_contributed
    if after_tax is None and s.plan.after_tax_contributions is False:
        after_tax = ZERO  # a plan without after-tax contributions has none
    d, o, e, a = (
        s.elective_deferrals,
        s.other_employer_deferrals,
        s.employer_contributions,
        after_tax,
    )
    so_far = s.deferrals_so_far or ZERO
    if d is not None and o is not None and e is not None and a is not None:
        answers = [Payroll(d, o, e, a, catch_up, so_far) for catch_up in catch_ups]
        return _with_so_far(answers) if so_far_unknown else answers
    low_d = s.roth_deferrals or ZERO  # Roth deferrals and those made are part of them
    if so_far > low_d:
        low_d = so_far
    answers = []
    for hd, ho, he, ha in CORNERS_BY_UNKNOWN[(d is None, o is None, e is None, a is None)]:
        answer = (
            d if d is not None else FAR if hd else low_d,
            o if o is not None else FAR if ho else ZERO,
            e if e is not None else FAR if he else ZERO,
            a if a is not None else FAR if ha else ZERO,
        )
        answers += [Payroll(*answer, catch_up, so_far) for catch_up in catch_ups]
    return _with_so_far(answers) if so_far_unknown else answers


def _with_so_far(answers: list[Payroll]) -> list[Payroll]:
    """Each answer with no deferrals made so far and with all of them made."""
    return [x._replace(so_far=so_far) for x in answers for so_far in (ZERO, x.deferrals)]
