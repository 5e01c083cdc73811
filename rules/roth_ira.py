"""IRAs: the limit by compensation (219(b), 219(c)) and the Roth part by income
(408A(c)(3), Pub 590-A worksheet 2-2)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from rules.figures import FilingStatus, Limits

ZERO = Decimal(0)
TEN = Decimal(10)
FLOOR = Decimal(200)  # 219(g)(2)(B) as applied by 408A(c)(3)(A)


def ira_dollar_limit(limits: Limits, age: int) -> Decimal:
    """219(b)(5): the IRA dollar limit, plus the catch-up for age 50 by Dec 31."""
    return limits.ira + (limits.ira_catch_up if age >= limits.catch_up_age else ZERO)


def ira_maximum(limits: Limits, age: int, compensation: Decimal) -> Decimal:
    """219(b)(1): the IRA limit (plus catch-up at 50+), never more than compensation.

    `compensation` is compensation includible in income (219(b)(1)(B)): see
    `includible_compensation`.
    """
    return min(ira_dollar_limit(limits, age), max(ZERO, compensation))


def includible_compensation(pay: Decimal, pretax_deferrals: Decimal) -> Decimal:
    """219(b)(1)(B), 219(f)(1): pay less pre-tax deferrals, which are not in income.

    Roth deferrals and after-tax contributions are taxed, so they stay in.
    """
    return max(ZERO, pay - pretax_deferrals)


def ira_maximum_range(
    dollar_limits: tuple[Decimal, Decimal],
    own: tuple[Decimal, Decimal],
    joint: bool | None,
    spouse_net: tuple[Decimal, Decimal],
) -> tuple[Decimal, Decimal]:
    """219(b)(1) and 219(c): the lowest and highest the person's IRA limit can be.

    Each input is a (low, high) range over the answers still unknown: the dollar limit
    (age unknown: with or without the catch-up), the person's includible compensation,
    whether they file jointly (None: unknown) and the spouse's includible compensation
    less the spouse's own IRA contributions. Alone, the limit is the lesser of the
    dollar limit and own compensation. A joint filer may add the spouse's
    (219(c)(1)(B)), but only when their own compensation is less than the spouse's
    (219(c)(2)(B)), which is certain only when even the least `spouse_net` exceeds the
    most `own`: below that the spouse's gross pay (not asked) decides, so the low end
    stays the person's own figure.
    """
    alone = (min(dollar_limits[0], own[0]), min(dollar_limits[1], own[1]))
    if joint is False:
        return alone
    spousal_high = min(dollar_limits[1], own[1] + spouse_net[1])
    if joint is None:
        return alone[0], max(alone[1], spousal_high)
    if spouse_net[0] > own[1]:
        return min(dollar_limits[0], own[0] + spouse_net[0]), spousal_high
    return alone[0], spousal_high


def roth_ira_limit_of(
    limits: Limits,
    filing_status: FilingStatus,
    magi: Decimal,
    maximum: Decimal,
    traditional_contributions: Decimal = ZERO,
) -> Decimal:
    """Pub 590-A Worksheet 2-2, line by line, for a known IRA `maximum` (408A(c)(2)-(3)).

    1-2. MAGI minus the start of the filing status's phase-out range.
    3.   Zero or less: the full maximum. At least the range's width: nothing.
    4.   Divide by the width ($15,000; $10,000 joint or separate-with-spouse). The
         worksheet asks for at least three decimal places; full precision is used,
         which is what 408A(c)(3)(A) itself computes.
    5.   The maximum: the IRA limit (with catch-up), or compensation if less.
    6-7. Maximum x ratio, subtracted from the maximum; raised to the next $10; a
         result above $0 but under $200 becomes $200 (never above the maximum). The
         rounding is the statute's (219(g)(2)(C) via 408A(c)(3)(A)), which the
         worksheet follows.
    8.   Less the year's traditional IRA contributions (408A(c)(2)(B)).
    """
    start, end = limits.roth_ira_phaseout[filing_status]
    over = magi - start
    left = max(ZERO, maximum - traditional_contributions)
    if over <= ZERO:
        return left
    width = end - start
    if over >= width:
        return ZERO
    # One exact division, so a result that is a whole multiple of $10 stays exact.
    reduced = maximum * (width - over) / width
    allowed = (reduced / TEN).to_integral_value(rounding=ROUND_CEILING) * TEN
    if ZERO < allowed < FLOOR:
        allowed = FLOOR
    return min(allowed, maximum, left)


def roth_ira_limit(
    limits: Limits,
    filing_status: FilingStatus,
    magi: Decimal,
    age: int,
    compensation: Decimal,
) -> Decimal:
    """Worksheet 2-2 for a person whose IRA maximum is their own (219(b)(1))."""
    maximum = ira_maximum(limits, age, compensation)
    return roth_ira_limit_of(limits, filing_status, magi, maximum)
