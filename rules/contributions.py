"""401(k) contribution limits: 402(g) deferrals, 414(v) catch-ups, 415(c) annual additions.

All amounts are Decimal dollars for one calendar (limitation) year and one employer.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from rules.models import Limits

ZERO = Decimal(0)
CENT = Decimal("0.01")
DOLLAR = Decimal(1)
HUNDRED = Decimal(100)


def catch_up_limit(limits: Limits, age: int) -> Decimal:
    """414(v)(2)(B) and (E): the catch-up for the age attained by Dec 31 of the year.

    Ages 60-63 get the higher amount *instead of* the regular one where the year has it
    (from 2025); at 64 the regular amount applies again.
    """
    if age < limits.catch_up_age:
        return ZERO
    if limits.catch_up_60_63 is not None and limits.catch_up_60_63_ages is not None:
        first, last = limits.catch_up_60_63_ages
        if first <= age <= last:
            return limits.catch_up_60_63
    return limits.catch_up_50


def counted_deferrals(limits: Limits, elective_deferrals: Decimal) -> Decimal:
    """415(c): the deferrals that count as annual additions (catch-ups do not).

    Deferrals above the 402(g) limit are catch-ups (or excess deferrals, flagged
    separately); only the part up to 402(g) counts toward 415(c).
    """
    return min(elective_deferrals, limits.elective_deferral)


def annual_additions_cap(limits: Limits, compensation: Decimal) -> Decimal:
    """415(c)(1): the lesser of the year's dollar limit or 100% of compensation."""
    return min(limits.annual_additions, compensation)


def plan_compensation(limits: Limits, compensation: Decimal) -> Decimal:
    """401(a)(17): the pay a plan may take into account for percent-of-pay formulas."""
    return min(compensation, limits.compensation)


def after_tax_cap(limits: Limits, compensation: Decimal, cap_percent: Decimal) -> Decimal:
    """A plan's own cap on after-tax contributions, as a percent of plan compensation."""
    return (plan_compensation(limits, compensation) * cap_percent / HUNDRED).quantize(
        CENT, rounding=ROUND_DOWN
    )


def after_tax_room(
    limits: Limits,
    compensation: Decimal,
    elective_deferrals: Decimal,
    employer_contributions: Decimal,
    after_tax_contributed: Decimal,
    cap_percent: Decimal | None,
) -> Decimal:
    """The after-tax contributions still possible this year; never negative.

    room = min(415(c) $, 100% of pay) - counted deferrals - employer - after-tax so far,
    no more than what the plan's own percent-of-pay cap leaves, and no more than the
    pay left after deferrals (payroll can't withhold what it doesn't pay).
    """
    cap = annual_additions_cap(limits, compensation)
    used = counted_deferrals(limits, elective_deferrals) + employer_contributions
    room = cap - used - after_tax_contributed
    if cap_percent is not None:
        room = min(room, after_tax_cap(limits, compensation, cap_percent) - after_tax_contributed)
    room = min(room, compensation - elective_deferrals - after_tax_contributed)
    return max(ZERO, room)


def deferral_headroom(
    limits: Limits,
    compensation: Decimal,
    deferral_limit: Decimal,
    catch_up: Decimal,
    elective_deferrals: Decimal,
    other_additions: Decimal,
) -> Decimal:
    """How much more can be deferred this year without creating an excess.

    Up to the person's 402(g) limit with catch-up and their pay; and, because catch-ups
    sit outside 415(c), up to 415(c) plus the catch-up less everything else already in.
    """
    by_limit = min(deferral_limit, compensation) - elective_deferrals
    by_total = annual_additions_cap(limits, compensation) + catch_up
    by_total -= elective_deferrals + other_additions
    return max(ZERO, min(by_limit, by_total))


def per_paycheck(room: Decimal, remaining_paychecks: int) -> Decimal:
    """Room spread over the paychecks left, in whole dollars rounded down.

    Rounding down means following it never overshoots 415(c); the shortfall is under a
    dollar a paycheck. Room under a dollar a paycheck is spread in cents instead.
    """
    whole = (room / remaining_paychecks).quantize(DOLLAR, rounding=ROUND_DOWN)
    if whole == ZERO:
        return (room / remaining_paychecks).quantize(CENT, rounding=ROUND_DOWN)
    return whole


def excess_deferrals(deferral_limit: Decimal, elective_deferrals: Decimal) -> Decimal:
    """402(g): deferrals above the person's limit (with catch-up) must be refunded."""
    return max(ZERO, elective_deferrals - deferral_limit)


def excess_annual_additions(
    limits: Limits,
    compensation: Decimal,
    elective_deferrals: Decimal,
    employer_contributions: Decimal,
    after_tax_contributed: Decimal,
    catch_up: Decimal = ZERO,
) -> Decimal:
    """415(c): annual additions already made above the cap.

    Deferrals that overflow either 402(g) or 415(c) are catch-ups, up to the catch-up
    limit (Reg. 1.414(v)-1(b)(1)(i)), and catch-ups are not annual additions; so for
    someone 50+ an overflow the unused catch-up absorbs is no excess. Deferrals beyond
    402(g) plus the catch-up are excess deferrals, corrected on their own.
    """
    cap = annual_additions_cap(limits, compensation)
    deferrals = min(elective_deferrals, limits.elective_deferral + catch_up)
    others = employer_contributions + after_tax_contributed
    overflow = max(deferrals - limits.elective_deferral, deferrals + others - cap, ZERO)
    catch_ups = min(catch_up, deferrals, overflow)
    return max(ZERO, deferrals - catch_ups + others - cap)


def employer_match(
    limits: Limits,
    compensation: Decimal,
    deferral_percent: Decimal,
    match_rate_percent: Decimal,
    match_up_to_percent: Decimal,
) -> Decimal:
    """A match formula in dollars: rate% of deferrals up to up_to% of plan pay.

    "50% of the first 6%" on $200,000 with at least 6% deferred is
    50% x 6% x $200,000 = $6,000. Plan pay is capped at 401(a)(17).
    """
    pay = plan_compensation(limits, compensation)
    matched_percent = min(deferral_percent, match_up_to_percent)
    amount = pay * matched_percent / HUNDRED * match_rate_percent / HUNDRED
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def tiered_match(
    limits: Limits,
    compensation: Decimal,
    deferral_percent: Decimal,
    tiers: tuple[tuple[Decimal, Decimal], ...],
) -> Decimal:
    """A match in tiers, each `(rate %, width % of pay)` stacked from 0% of pay up.

    The common safe-harbor formula "100% of the first 3%, then 50% of the next 2%" is
    ((100, 3), (50, 2)). On $100,000 deferring 5% or more: 100% x 3% x $100,000 +
    50% x 2% x $100,000 = $3,000 + $1,000 = $4,000; deferring 4%: $3,000 + 50% x 1% x
    $100,000 = $3,500. Plan pay is capped at 401(a)(17); one rounding, at the end.
    """
    pay = plan_compensation(limits, compensation)
    amount = ZERO
    floor = ZERO
    for rate, width in tiers:
        matched = max(ZERO, min(deferral_percent, floor + width) - floor)
        amount += pay * matched / HUNDRED * rate / HUNDRED
        floor += width
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def nonelective_contribution(limits: Limits, compensation: Decimal, percent: Decimal) -> Decimal:
    """An employer's nonelective (or profit-sharing) contribution: percent% of plan pay,
    whatever the person defers. 3% of $200,000 = $6,000; plan pay is capped at 401(a)(17).
    """
    amount = plan_compensation(limits, compensation) * percent / HUNDRED
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
