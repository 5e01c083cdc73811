"""401(k) contribution limits: 402(g) deferrals, 414(v) catch-ups, 415(c) annual additions.

All amounts are Decimal dollars for one calendar (limitation) year and one employer.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from rules.figures import Limits

Tiers = tuple[tuple[Decimal, Decimal], ...]  # (rate %, width % of pay), from 0% of pay up
FAR = Decimal("1E+9")  # no bound: above any figure (models.MAX_MONEY)

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


class RoomParts(NamedTuple):
    """The three bounds on this year's after-tax contributions (each may be negative)."""

    by_415c: Decimal  # 415(c): the lesser of the dollar limit or pay, less what is in
    by_plan_cap: Decimal | None  # the plan's percent-of-pay cap less after-tax so far
    by_pay: Decimal  # the year's pay less deferrals and after-tax so far


def after_tax_room_parts(
    limits: Limits,
    compensation: Decimal,
    elective_deferrals: Decimal,
    employer_contributions: Decimal,
    after_tax_contributed: Decimal,
    cap_percent: Decimal | None,
) -> RoomParts:
    """415(c), the plan's cap and the year's pay, each as what it leaves for after-tax."""
    cap = annual_additions_cap(limits, compensation)
    used = counted_deferrals(limits, elective_deferrals) + employer_contributions
    by_cap = None
    if cap_percent is not None:
        by_cap = after_tax_cap(limits, compensation, cap_percent) - after_tax_contributed
    return RoomParts(
        by_415c=cap - used - after_tax_contributed,
        by_plan_cap=by_cap,
        by_pay=compensation - elective_deferrals - after_tax_contributed,
    )


def after_tax_room(
    limits: Limits,
    compensation: Decimal,
    elective_deferrals: Decimal,
    employer_contributions: Decimal,
    after_tax_contributed: Decimal,
    cap_percent: Decimal | None,
) -> Decimal:
    """415(c): the after-tax contributions still possible this year; never negative.

    room = min(415(c) $, 100% of pay) - counted deferrals - employer - after-tax so far,
    no more than what the plan's own percent-of-pay cap leaves, and no more than the
    pay left after deferrals (payroll can't withhold what it doesn't pay).
    `employer_contributions` is all employer money at these deferrals, match included.
    """
    # after_tax_room_parts, inlined: this is the hot path of every assessment.
    cap = annual_additions_cap(limits, compensation)
    used = counted_deferrals(limits, elective_deferrals) + employer_contributions
    room = cap - used - after_tax_contributed
    if cap_percent is not None:
        room = min(room, after_tax_cap(limits, compensation, cap_percent) - after_tax_contributed)
    room = min(room, compensation - elective_deferrals - after_tax_contributed)
    return max(ZERO, room)


def deferrals_within_415c(
    limits: Limits,
    compensation: Decimal,
    tiers: Tiers,
    budget: Decimal,
    per_dollar: Decimal = Decimal(1),
) -> Decimal:
    """415(c): the most deferrals d (to the cent) with per_dollar x d + match(d) <= budget.

    The match grows with deferrals, so each dollar deferred inside a tier uses
    per_dollar + rate of the budget: the left side is increasing and piecewise linear,
    solved tier by tier, then checked against the match as rounded. With `per_dollar`
    0 it bounds the match alone; past the last tier that bound is gone (FAR). A negative
    budget comes back as it is (no room).
    """
    if budget < ZERO or (not tiers and per_dollar):
        return budget / per_dollar if per_dollar else budget
    pay = plan_compensation(limits, compensation)
    floor = used = ZERO  # `used` = the left side at the tier's low edge
    solved: Decimal | None = None
    for rate, width in tiers:
        low, high = pay * floor / HUNDRED, pay * (floor + width) / HUNDRED
        slope = per_dollar + rate / HUNDRED
        top = used + (high - low) * slope
        if budget <= top:
            solved = low + (budget - used) / slope
            break
        used, floor = top, floor + width
    if solved is None:  # past the last tier only the deferrals themselves count
        if not per_dollar:
            return FAR
        solved = pay * floor / HUNDRED + (budget - used) / per_dollar
    deferrals = solved.quantize(CENT, rounding=ROUND_DOWN)
    while deferrals > ZERO and (
        per_dollar * deferrals + match_on_deferrals(limits, compensation, deferrals, tiers)
        > budget
    ):
        deferrals -= CENT
    return max(ZERO, deferrals)


def deferral_headroom(
    limits: Limits,
    compensation: Decimal,
    tiers: Tiers | None,
    payroll: Payroll,
    pay_left: Decimal | None = None,
    by_415c: Decimal | None = None,
) -> Decimal:
    """402(g), 414(v), 415(c): how much more can be deferred here without an excess.

    The least of:
    - 402(g) with the catch-up, per person: the limit less deferrals here and at other
      employers this year;
    - the pay left: pay less deferrals and after-tax contributions (employer money is
      not withheld from pay); with the paychecks known, also `pay_left`: the pay of the
      paychecks still to come less the deferrals they already carry;
    - 415(c) plus the catch-up (catch-ups are not annual additions) less the employer
      money and after-tax so far, with the match priced at the raised deferrals;
    - and the match itself must fit 415(c) beside the other employer money and the
      after-tax so far: a catch-up absorbs deferrals, never employer money
      (`deferrals_415c_allows`; `by_415c` when already worked out).
    """
    p = payroll
    by_402g = limits.elective_deferral + p.catch_up - p.deferrals - p.other_deferrals
    by_pay = compensation - p.deferrals - p.after_tax
    if pay_left is not None:
        by_pay = min(by_pay, pay_left)
    if by_402g <= ZERO or by_pay <= ZERO:
        return ZERO
    if by_415c is None:  # deferrals_415c_allows, inlined: the hot path of every assessment
        room = annual_additions_cap(limits, compensation) - p.employer - p.after_tax
        by_415c = deferrals_within_415c(limits, compensation, tiers or (), room + p.catch_up)
        if tiers:
            by_match = deferrals_within_415c(limits, compensation, tiers, room, per_dollar=ZERO)
            by_415c = min(by_415c, by_match)
    return max(ZERO, min(by_402g, by_pay, by_415c - p.deferrals))


def deferrals_415c_allows(
    limits: Limits, compensation: Decimal, tiers: Tiers | None, payroll: Payroll
) -> Decimal:
    """415(c) and 414(v): the most deferrals here in the year, the match priced on them.

    415(c) plus the catch-up, less the other employer money and the after-tax so far;
    and the match itself must fit 415(c) beside them (a catch-up absorbs deferrals,
    never employer money).
    """
    p = payroll
    room = annual_additions_cap(limits, compensation) - p.employer - p.after_tax
    by_415c = deferrals_within_415c(limits, compensation, tiers or (), room + p.catch_up)
    if tiers:
        by_match = deferrals_within_415c(limits, compensation, tiers, room, per_dollar=ZERO)
        by_415c = min(by_415c, by_match)
    return by_415c


def _by_pay(compensation: Decimal, p: Payroll, pay_left: Decimal | None) -> Decimal:
    """The deferral raise the pay allows: the year's, and the paychecks' left if known."""
    by_pay = compensation - p.deferrals - p.after_tax
    return by_pay if pay_left is None else min(by_pay, pay_left)


def raise_fills_415c(
    limits: Limits,
    compensation: Decimal,
    tiers: Tiers | None,
    payroll: Payroll,
    headroom: Decimal,
    pay_left: Decimal | None = None,
) -> bool:
    """415(c): whether the advised raise stops at 415(c) (rather than 402(g) or pay).

    Then it uses the 415(c) room; what the match's rounding to the cent leaves over is
    a cent or two, not room worth a step (and counting it would make the room jump
    between 0 and a cent as the employer money changes by a dollar).
    """
    if not tiers:
        return False
    p = payroll
    by_402g = limits.elective_deferral + p.catch_up - p.deferrals - p.other_deferrals
    return headroom < min(by_402g, _by_pay(compensation, p, pay_left))


class Payroll(NamedTuple):
    """One complete answer about this year's money into the plan (nothing unknown).

    `employer` is the employer money that does not depend on deferrals (all of it when
    there is no match formula); `catch_up` the person's 414(v) catch-up for their age;
    `so_far` the deferrals already made here this year (part of `deferrals`, the year's
    planned total), which only the paycheck plan uses.
    """

    deferrals: Decimal
    other_deferrals: Decimal
    employer: Decimal
    after_tax: Decimal
    catch_up: Decimal
    so_far: Decimal = ZERO


class PayrollFigures(NamedTuple):
    """What one complete Payroll gives: excesses now, then the advised raise and room.

    `match` and `excess_annual_additions` are the most the match already due could be;
    `match_low` and `excess_low` the least (they differ only without a true-up, when the
    match credited so far is not known).
    """

    excess_deferrals: Decimal
    excess_annual_additions: Decimal
    match: Decimal
    headroom: Decimal
    advised_deferrals: Decimal
    advised_match: Decimal
    room: Decimal
    match_low: Decimal
    excess_low: Decimal


def payroll_figures(
    limits: Limits,
    compensation: Decimal,
    tiers: Tiers | None,
    cap_percent: Decimal | None,
    payroll: Payroll,
    year_closed: bool = False,
    match_limits: Limits | None = None,
    no_true_up: bool = False,
    match_so_far: Decimal | None = None,
    refundable: Decimal = ZERO,
) -> PayrollFigures:
    """The 402(g) and 415(c) figures for one complete answer, the paychecks not known.

    Excesses are of the money already in (the match at today's deferrals); the room is
    after the advice's first step, maxing deferrals, with the match re-priced there, so
    following the steps in order never breaks 415(c). Once the year has ended (or its
    last paycheck is paid) payroll is closed: no raise and no room are left, whatever the
    limits would allow. `match_limits` prices the match (planning on a floor it has no
    401(a)(17) cap; see `rules.floor`).

    The match is the formula on the year's deferrals: what a true-up pays, and the most
    a plan can credit (tiers with rates that do not rise). A plan known to have
    `no_true_up` credits it paycheck by paycheck: once payroll is closed the year's match
    is `match_so_far`; while it is open, with the paychecks unknown, it lies between what
    is credited so far (0 when not known) and the formula. The room is priced at the top
    of that range, an excess counts as certain only at the bottom. `refundable`: this
    answer's 402(g) excess, refunded first (`excess_415c_range`).
    """
    p = payroll
    ml = limits if match_limits is None else match_limits
    match = match_on_deferrals(ml, compensation, p.deferrals, tiers) if tiers else ZERO
    match_low = match
    if tiers and no_true_up:
        credited = ZERO if match_so_far is None else match_so_far
        final = year_closed and match_so_far is not None  # the year's match is credited
        match = credited if final else max(match, credited)
        match_low = credited
    headroom = ZERO if year_closed else deferral_headroom(ml, compensation, tiers, p)
    advised = p.deferrals + headroom
    advised_match = match
    if tiers and headroom:
        advised_match = max(match, match_on_deferrals(ml, compensation, advised, tiers))

    high, low = excess_415c_range(limits, ml, compensation, tiers, p, match, match_low, refundable)
    return PayrollFigures(
        excess_deferrals=excess_deferrals(
            limits.elective_deferral + p.catch_up, p.deferrals + p.other_deferrals
        ),
        excess_annual_additions=high,
        match=match,
        headroom=headroom,
        advised_deferrals=advised,
        advised_match=advised_match,
        room=ZERO
        if year_closed or raise_fills_415c(ml, compensation, tiers, p, headroom)
        else after_tax_room(
            limits, compensation, advised, p.employer + advised_match, p.after_tax, cap_percent
        ),
        match_low=match_low,
        excess_low=low,
    )


def excess_415c_range(
    limits: Limits,
    match_limits: Limits,
    compensation: Decimal,
    tiers: Tiers | None,
    p: Payroll,
    match: Decimal,
    match_low: Decimal,
    refundable: Decimal = ZERO,
) -> tuple[Decimal, Decimal]:
    """415(c): (the most, the least) excess of the money already due.

    The most: with the match at its most. The least: with the match at its least and
    the excess deferrals certain over 402(g) (`refundable`, per person across
    employers) refunded from this plan, with the match on them: excess deferrals
    distributed in time are not annual additions (Reg. 1.415(c)-1(b)(2)(ii)(A)). Which
    plan refunds them is the person's choice, so a 415(c) excess is certain only if it
    is left either way (and following both corrections never returns more than due).
    """
    high = excess_annual_additions(
        limits, compensation, p.deferrals, p.employer + match, p.after_tax, p.catch_up
    )
    if match_low == match and (refundable <= ZERO or not high):
        return high, high
    deferrals = p.deferrals - min(p.deferrals, max(ZERO, refundable))
    if tiers and deferrals < p.deferrals:
        repriced = match_on_deferrals(match_limits, compensation, deferrals, tiers)
        match_low = min(match_low, repriced)
    low = excess_annual_additions(
        limits, compensation, deferrals, p.employer + match_low, p.after_tax, p.catch_up
    )
    return high, min(low, high)


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
    """402(g): deferrals above the person's limit (with catch-up) must be refunded.

    The limit is per person: `elective_deferrals` are those at every employer this year.
    """
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
    catch_ups = catch_ups_of(limits, compensation, deferrals, others, catch_up)
    return max(ZERO, deferrals - catch_ups + others - cap)


def catch_ups_of(
    limits: Limits,
    compensation: Decimal,
    elective_deferrals: Decimal,
    other_additions: Decimal,
    catch_up: Decimal,
) -> Decimal:
    """414(v), Reg. 1.414(v)-1(b)(1)(i): the deferrals that are catch-ups: those over
    402(g) or over what 415(c) leaves beside the other annual additions, up to the
    catch-up limit. They are not annual additions."""
    cap = annual_additions_cap(limits, compensation)
    deferrals = min(elective_deferrals, limits.elective_deferral + catch_up)
    overflow = max(deferrals - limits.elective_deferral, deferrals + other_additions - cap, ZERO)
    return min(catch_up, deferrals, overflow)


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


def match_on_deferrals(
    limits: Limits,
    compensation: Decimal,
    deferrals: Decimal,
    tiers: Tiers,
) -> Decimal:
    """401(a)(17): a tiered match on deferrals counted against plan pay.

    Each tier `(rate %, width %)` matches rate% of the deferral dollars that fall in its
    band of plan pay (capped at 401(a)(17)): "100% of the first 6%" on $200,000
    matches the first $12,000 deferred. This is `tiered_match` with the deferral percent
    taken of plan pay, as a plan's annual true-up computes it; for pay above the cap it is
    the larger of the two usual readings, so the room never counts on less match than
    the plan may pay. One rounding, at the end.
    """
    amount = match_in_bands(plan_compensation(limits, compensation), deferrals, tiers)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def match_in_bands(plan_pay: Decimal, deferrals: Decimal, tiers: Tiers) -> Decimal:
    """A tiered match, unrounded: each tier matches the deferral dollars in its band.

    `plan_pay` is the pay the plan counts (already capped, for a year or a paycheck):
    tier `(rate %, width %)` matches rate% of the deferrals between its lower and upper
    edge as percents of that pay.
    """
    amount = ZERO
    floor = ZERO
    for rate, width in tiers:
        low, high = plan_pay * floor / HUNDRED, plan_pay * (floor + width) / HUNDRED
        amount += max(ZERO, min(deferrals, high) - low) * rate / HUNDRED
        floor += width
    return amount


def nonelective_contribution(limits: Limits, compensation: Decimal, percent: Decimal) -> Decimal:
    """An employer's nonelective (or profit-sharing) contribution: percent% of plan pay,
    whatever the person defers. 3% of $200,000 = $6,000; plan pay is capped at 401(a)(17).
    """
    amount = plan_compensation(limits, compensation) * percent / HUNDRED
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
