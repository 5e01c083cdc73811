"""Roth IRA: the direct contribution allowed by income (408A(c)(3), Pub 590-A wks 2-2)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from rules.models import FilingStatus, Limits

ZERO = Decimal(0)
TEN = Decimal(10)
FLOOR = Decimal(200)  # 219(g)(2)(B) as applied by 408A(c)(3)(A)


def ira_maximum(limits: Limits, age: int, compensation: Decimal) -> Decimal:
    """219(b)(5): the IRA limit (plus catch-up at 50+), never more than compensation."""
    limit = limits.ira + (limits.ira_catch_up if age >= limits.catch_up_age else ZERO)
    return min(limit, compensation)


def roth_ira_limit(
    limits: Limits,
    filing_status: FilingStatus,
    magi: Decimal,
    age: int,
    compensation: Decimal,
) -> Decimal:
    """Pub 590-A Worksheet 2-2, line by line (before other IRA contributions, line 8).

    1-2. MAGI minus the start of the filing status's phase-out range.
    3.   Zero or less: the full maximum. At least the range's width: nothing.
    4.   Divide by the width ($15,000; $10,000 joint or separate-with-spouse). The
         worksheet asks for at least three decimal places; full precision is used,
         which is what 408A(c)(3)(A) itself computes.
    5.   The maximum: the IRA limit (with catch-up), or compensation if less.
    6-7. Maximum x ratio, subtracted from the maximum; raised to the next $10; a
         result above $0 but under $200 becomes $200 (never above the maximum).
    """
    start, end = limits.roth_ira_phaseout[filing_status]
    maximum = ira_maximum(limits, age, compensation)
    over = magi - start
    if over <= ZERO:
        return maximum
    width = end - start
    if over >= width:
        return ZERO
    # One exact division, so a result that is a whole multiple of $10 stays exact.
    reduced = maximum * (width - over) / width
    allowed = (reduced / TEN).to_integral_value(rounding=ROUND_CEILING) * TEN
    if ZERO < allowed < FLOOR:
        allowed = FLOOR
    return min(allowed, maximum)
