"""The paychecks that are left (issue 14): elections as a percent of each paycheck.

Payroll takes deferrals and after-tax contributions as a percent of each paycheck, the
plan caps after-tax money as a percent of pay, and the employer matches per paycheck
(some true it up at year end). This module turns the year's targets into the
elections to make on the paychecks still to come, so that following them never breaks
a limit and never withholds more than a paycheck pays:

- pay per paycheck is the year's pay divided by the paychecks a year (to the cent,
  half up, as payroll pays it); the pay to come is that times the paychecks left;
- deferrals come first (the order of operations): the year's advised deferrals less
  those made so far, spread evenly over the paychecks left;
- then after-tax money, up to the least of the 415(c) room (the match priced at the
  advised deferrals), the plan's cap (its percent of each paycheck, and for the year
  that percent of the year's pay, never less than what it withholds from every
  paycheck: `yearly_cap`), and what the paychecks carry once the deferrals are out;
- each percent is rounded DOWN to the plan's election step, and checked, times the
  paychecks left, both exactly (of the exact pay per paycheck, the year's pay /
  paychecks a year unrounded: the limits are in terms of the year's pay) and in the
  cents payroll withholds (half up) from the largest paycheck a payroll splitting the
  year's pay evenly to the cent pays (`elect`); what that leaves of a target is caught
  up on the last paycheck, again rounded down, so even the catch-up never overshoots. Matches
  are priced rounded up to the cent, the most a paycheck could be credited. Deferral %
  + after-tax % never pass 100% of a paycheck (taxes come out of the same check: the
  dialog says so), nor do the cents payroll withholds for them, each rounded on its
  own (`beside`).

Pay is taken as level across the year (no bonus paychecks). The percents apply to the
whole paycheck; a plan that stops withholding once the year's pay reaches the 401(a)(17)
limit puts in less than planned, never more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from rules.contributions import (
    Payroll,
    PayrollFigures,
    Tiers,
    after_tax_room_parts,
    deferral_headroom,
    deferrals_415c_allows,
    excess_415c_range,
    excess_deferrals,
    match_in_bands,
    match_on_deferrals,
    plan_compensation,
    raise_fills_415c,
)
from rules.figures import Limits

ZERO = Decimal(0)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
WHOLE_PERCENT = Decimal(1)

PAYCHECKS_PER_YEAR: dict[str, int] = {
    "weekly": 52,
    "biweekly": 26,
    "semimonthly": 24,
    "monthly": 12,
}
_DAYS_APART = {"weekly": 7, "biweekly": 14}

# What can limit the after-tax money on each paycheck (PaycheckPlan.binding).
BINDINGS = ("415(c)", "plan_cap", "pay", "402(g)")


def paychecks_left(frequency: str, year: int, today: dt.date) -> int:
    """The paychecks of `year` from `today` on, counting one paid today: an estimate.

    Only how often pay comes is known, not the pay dates, so this is the most paychecks
    the days left can hold: more paychecks than really come spread a target thinner (the
    person falls a little short), fewer would overshoot it. So:

    - weekly, biweekly: ceil(days left, today and Dec 31 included / 7 or 14); any 7 or 14
      days hold exactly one pay date, so the true count is this or one less;
    - semimonthly: pay on the 15th and the last day of the month, the usual dates: two
      this month through the 15th, one after, two for each month after;
    - monthly: one this month (paid at its end) and one for each month after.

    Never more than the frequency's paychecks a year (PAYCHECKS_PER_YEAR): a year with a
    27th biweekly or 53rd weekly paycheck must be told (the person types the count and
    the core takes `paychecks_per_year` 27 or 53). A year not yet begun has all of them;
    a year that has ended has none.
    """
    if frequency not in PAYCHECKS_PER_YEAR:
        raise ValueError(f"unknown pay frequency {frequency!r}")
    most = PAYCHECKS_PER_YEAR[frequency]
    if year < today.year:
        return 0
    if year > today.year:
        return most
    if frequency in _DAYS_APART:
        days = (dt.date(year, 12, 31) - today).days + 1
        return min(most, -(-days // _DAYS_APART[frequency]))
    months_after = 12 - today.month
    if frequency == "semimonthly":
        return 2 * months_after + (2 if today.day <= 15 else 1)
    return months_after + 1


def floor_step(percent: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of the election step at or below `percent` (never below 0)."""
    if percent <= ZERO:
        return ZERO
    return (percent / step).to_integral_value(rounding=ROUND_FLOOR) * step


def dollars(percent: Decimal, pay: Decimal) -> Decimal:
    """What payroll withholds for `percent` of a paycheck: to the cent, half up."""
    return (pay * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def beside(deferral: Decimal, cap: Decimal, step: Decimal, pays: tuple[Decimal, ...]) -> Decimal:
    """The most after-tax percent a paycheck takes beside `deferral` percent: at most
    `cap` and what the deferral leaves of 100%, rounded down to the step, and fitting in
    the cents of each paycheck in `pays`.

    Payroll rounds each withholding half up on its own, so two percents that make 100%
    can take a cent more than the paycheck when both land on half a cent: 98.5% + 1.5%
    of 1,125.00 = 1,108.125 + 16.875 -> 1,108.13 + 16.88 = 1,125.01. Only then (two half
    cents, the percents summing to exactly 100%) do they overdraw it, and a step less of
    after-tax money leaves room for the cent.
    """
    percent = floor_step(min(cap, HUNDRED - deferral), step)
    while percent > ZERO and any(dollars(deferral, p) + dollars(percent, p) > p for p in pays):
        percent -= step
    return percent


def elect(
    budget: Decimal,
    most: Decimal,
    count: int,
    top: Decimal,
    step: Decimal,
    limit: Decimal,
    year: tuple[Decimal, int],
    used: Decimal = ZERO,
    carry: tuple[Decimal, Decimal] | None = None,
) -> Decimal:
    """The largest step multiple, at most `top`, that fits on `count` paychecks.

    Fits both ways a limit is read:
    - in the cents payroll withholds: `dollars` of the largest paycheck an even split of
      the year's pay to the cent pays (`most`, the year's pay / paychecks a year rounded
      UP), times `count`, within `budget`. The pay rounded half up can be a cent short
      of some paychecks such a payroll pays (150,000 / 26 = 5,769.2307 -> 5,769.23,
      while 2 paychecks of 5,769.24 and 24 of 5,769.23 make the 150,000), and 28% of
      5,769.24 withholds 1,615.39, a cent more than of 5,769.23: so the cents are of
      the pay rounded up, which no paycheck passes, and neither does its withholding
      (half up is monotone). A payroll paying the rounded pay on every paycheck pays
      one of the two, so it is covered too;
    - exactly, as the share of the year's pay the limits are in terms of: the percent
      of the exact pay per paycheck (`year` = (the year's pay, paychecks a year),
      unrounded), on `count` paychecks after `used` (percents x paychecks already
      elected), within `limit`. The rounded pay would make 15% of every paycheck of
      205,000 (7,884.62) pass a cap of 15% of 205,000, which it exactly meets.

    `carry` = (a paycheck as the plan shows it, what the paychecks carry in its cents):
    the percent's dollars of that paycheck, times `count`, also stay within the carry (a
    percent too large for the last paycheck's room is not the same on every paycheck).
    """
    if budget <= ZERO or most <= ZERO or count <= 0:
        return ZERO
    pay, per_year = year
    bound = limit * per_year * HUNDRED  # the exact check, with no division to round
    # One step above the exact quotient may still fit in cents (rounding half down).
    guess = floor_step(budget * HUNDRED / (most * count), step)
    if carry is not None:
        shown, carried = carry
        if carried <= ZERO:
            return ZERO
        guess = min(guess, floor_step(carried * HUNDRED / (shown * count), step))
    percent = min(guess + step, floor_step(top, step))
    while percent > ZERO and (
        dollars(percent, most) * count > budget
        or (used + percent * count) * pay > bound
        or (carry is not None and dollars(percent, carry[0]) * count > carry[1])
    ):
        percent -= step
    return max(ZERO, percent)


@dataclass(frozen=True, slots=True)
class PayContext:
    """The paychecks of the year as far as the plan needs them (all known, year open).

    `pay` is the pay per paycheck; `pay_limit` the 401(a)(17) limit the match counts pay
    up to (none, i.e. far above pay, when planning on a floor: `rules.floor`).
    `prorated` is `Situation.compensation_limit_prorated`: how a paycheck's match
    counts pay above that limit (None: unknown, priced on the side of the larger match).
    """

    per_year: int
    left: int
    pay: Decimal
    step: Decimal
    compensation: Decimal
    pay_limit: Decimal
    true_up: bool | None
    prorated: bool | None
    match_so_far: Decimal | None

    @property
    def paid(self) -> int:
        """Paychecks of the year already paid."""
        return self.per_year - self.left

    @property
    def pay_to_come(self) -> Decimal:
        return self.pay * self.left

    @property
    def year(self) -> tuple[Decimal, int]:
        """(the year's pay, paychecks a year): the exact pay per paycheck, undivided."""
        return self.compensation, self.per_year

    @property
    def pays(self) -> tuple[Decimal, ...]:
        """Every paycheck a payroll paying the year's pay evenly to the cent can pay: the
        year's pay / paychecks a year rounded down and up (`pay` is one of them)."""
        share = self.compensation / self.per_year
        least = share.quantize(CENT, rounding=ROUND_FLOOR)
        most = share.quantize(CENT, rounding=ROUND_CEILING)
        return (least,) if least == most else (least, most)

    def methods(self) -> tuple[bool | None, ...]:
        """The ways a paycheck's match may count pay above 401(a)(17) (None: no matter)."""
        if self.compensation <= self.pay_limit:
            return (None,)
        return (self.prorated,) if self.prorated is not None else (True, False)

    def counted(self, prorated: bool | None, index: int) -> Decimal:
        """401(a)(17): the pay paycheck `index` (0 = the year's first) counts for the match.

        Prorated: the year's limit divided over the paychecks a year. Not prorated: each
        paycheck in full until the year's pay counted reaches the limit, then nothing.
        """
        if prorated is None:
            return self.pay
        if prorated:
            return min(self.pay, self.pay_limit / self.per_year)
        return max(ZERO, min(self.pay, self.pay_limit - self.pay * index))

    def counted_past(self, prorated: bool | None) -> Decimal:
        if prorated is None:
            return self.pay * self.paid
        if prorated:
            return min(self.pay, self.pay_limit / self.per_year) * self.paid
        return min(self.pay * self.paid, self.pay_limit)

    def counted_rest(self, prorated: bool | None) -> tuple[Decimal, ...]:
        return tuple(self.counted(prorated, self.paid + i) for i in range(self.left))

    def runs(self, prorated: bool | None) -> tuple[tuple[int, Decimal], ...]:
        """`counted_rest` in runs of (paychecks, pay counted each), in order: all alike,
        or (not prorated, above the limit) full ones, the one that reaches it, none."""
        if prorated is not False:
            return ((self.left, self.counted(prorated, self.paid)),)
        full = max(0, min(self.left, int(self.pay_limit // self.pay) - self.paid))
        runs = [(full, self.pay)] if full else []
        if full < self.left:
            runs.append((1, self.counted(False, self.paid + full)))
            if full + 1 < self.left:
                runs.append((self.left - full - 1, ZERO))
        return tuple(runs)


def yearly_cap(limits: Limits, ctx: PayContext, cap_percent: Decimal, most: Decimal) -> Decimal:
    """The plan's after-tax cap read for the year: `cap_percent` of the year's pay the
    plan counts (401(a)(17)), exactly (not rounded down to the cent), and never less than
    what that percent of every paycheck of the year withholds, of the largest paycheck
    (`most`).

    The cap is a percent of each paycheck: payroll rounds each paycheck's cap% on its
    own, half up, and whatever that comes to is within the cap. 15% of 200,000 paid
    biweekly is 15% of 7,692.31 = 1,153.8465 -> 1,153.85 a paycheck, 30,000.10 a year:
    over 30,000 by the rounding alone, yet no more than 15% of any paycheck. Read as
    30,000 the yearly cap would refuse 15% (14% elected, 1,923 less), and would refuse
    it again to someone who has elected 15% since January (so far 10 x 1,153.85 =
    11,538.50, more than 15% of 10 paychecks' exact pay, 11,538.46). The reading still
    binds what the percents don't: after-tax money so far beyond the cap's share of the
    paychecks paid, and pay above 401(a)(17), where the cap counts only the limit (the
    exact reading alone: the percent of the whole paycheck would pass it).
    """
    plan_pay = plan_compensation(limits, ctx.compensation)
    yearly = plan_pay * cap_percent / HUNDRED
    if plan_pay == ctx.compensation:
        yearly = max(yearly, dollars(cap_percent, most) * ctx.per_year)
    return yearly


def pay_per_paycheck(compensation: Decimal, per_year: int) -> Decimal:
    """The year's pay divided over its paychecks, to the cent (half up, as payroll pays)."""
    return (compensation / per_year).quantize(CENT, rounding=ROUND_HALF_UP)


class PlanFigures(NamedTuple):
    """The paycheck plan for one complete answer (see PaycheckPlan for the meanings).

    The match figures are worked out once, from the merged plan (`merge_plans`): they
    follow from the deferral elections, so are known only when those are.
    """

    deferral_target: Decimal
    deferral_percent: Decimal
    deferral_per_paycheck: Decimal
    deferral_left_over: Decimal
    last_deferral_percent: Decimal
    deferral_to_come: Decimal
    deferral_shortfall: Decimal
    after_tax_percent: Decimal
    after_tax_per_paycheck: Decimal
    after_tax_left_over: Decimal
    last_after_tax_percent: Decimal
    after_tax_to_come: Decimal
    after_tax_reachable: Decimal
    after_tax_shortfall: Decimal
    room_415c: Decimal  # the 415(c) room at the advised deferrals: reachable + shortfall
    binding: str


def _schedule(per: Decimal, last: Decimal, left: int) -> tuple[Decimal, ...]:
    return (per,) * (left - 1) + (last,)


def _paycheck_match(tiers: Tiers, counted: Decimal, deferral: Decimal) -> Decimal:
    """One paycheck's match, rounded up to the cent (the most payroll could credit)."""
    return match_in_bands(counted, deferral, tiers).quantize(CENT, rounding=ROUND_CEILING)


def _rest_match(
    ctx: PayContext,
    tiers: Tiers,
    deferrals: tuple[Decimal, Decimal],
    prorated: bool | None,
    exact: bool = False,
) -> Decimal:
    """The match of the paychecks left deferring `deferrals` = (each, the last one):
    each paycheck's rounded up to the cent, or `exact`."""
    per, last = deferrals

    def match(counted: Decimal, deferral: Decimal) -> Decimal:
        if exact:
            return match_in_bands(counted, deferral, tiers)
        return _paycheck_match(tiers, counted, deferral)

    runs = ctx.runs(prorated)
    total = sum((count * match(counted, per) for count, counted in runs), ZERO)
    final = runs[-1][1]  # the last paycheck's pay counted
    return total - match(final, per) + match(final, last)


def match_range(
    ctx: PayContext,
    limits: Limits,
    tiers: Tiers | None,
    total: Decimal,
    so_far: Decimal,
    deferrals: tuple[Decimal, Decimal],
    want_rest: bool = True,
) -> tuple[Decimal, Decimal, Decimal]:
    """The year's match: (least, most, the paychecks left's part) for these deferrals.

    `total` is the year's deferrals, `so_far` those already made, `deferrals` those of
    each paycheck left but the last, and of the last. With a true-up (or not known whether there
    is one) the year's match is the formula on the year's deferrals: what the true-up
    pays, and at least what the paychecks credited (tiers whose rates do not rise). With
    no true-up it is what each paycheck credits: the match so far (known; 0 before the
    first paycheck; else between 0 and the most the past paychecks could have earned,
    the formula on their pay, plus a cent a paycheck for rounding) plus each paycheck's
    match to come, with pay above 401(a)(17) counted the way the plan counts it (not
    known: the larger of the two). The third figure is the match of the paychecks left
    (0 unless `want_rest`, where a true-up makes the year's match the formula).
    """
    if not tiers:
        return ZERO, ZERO, ZERO
    if ctx.true_up is not False:
        formula = match_on_deferrals(limits, ctx.compensation, total, tiers)
        if not want_rest:
            return formula, formula, ZERO
        rest = max(_rest_match(ctx, tiers, deferrals, m) for m in ctx.methods())
        return formula, formula, rest
    rests = [_rest_match(ctx, tiers, deferrals, m) for m in ctx.methods()]
    if ctx.match_so_far is not None:
        low = high = ctx.match_so_far
    elif ctx.paid == 0:
        low = high = ZERO
    else:
        low = ZERO
        high = max(
            match_in_bands(ctx.counted_past(m), so_far, tiers).quantize(
                CENT, rounding=ROUND_CEILING
            )
            for m in ctx.methods()
        )
        if high:  # each past paycheck's match may have been rounded up a cent
            high += CENT * ctx.paid
    return low + min(rests), high + max(rests), max(rests)


def match_lost(
    ctx: PayContext, tiers: Tiers | None, so_far: Decimal, deferrals: tuple[Decimal, Decimal]
) -> Decimal | None:
    """The match the plan for the paychecks left forgoes against the year's formula.

    0 with a true-up (it makes the match up) or no match. Without one: the formula on the
    year's deferrals and pay counted, less what the past paychecks could have earned at
    most (their deferrals spread evenly: the formula on their pay; an uneven past may
    have lost more, which no plan for the paychecks left can win back) and less what
    each paycheck left earns. None when the answer turns on an unknown: whether there is
    a true-up (unless nothing would be lost either way), or how pay above 401(a)(17) is
    counted.
    """
    if not tiers or ctx.true_up is True:
        return ZERO
    losses = set()
    per, last = deferrals
    total = so_far + per * (ctx.left - 1) + last
    for m in ctx.methods():
        rest = sum((count * counted for count, counted in ctx.runs(m)), ZERO)
        past = ctx.counted_past(m)
        year = match_in_bands(past + rest, total, tiers)
        earned = match_in_bands(past, so_far, tiers)
        earned += _rest_match(ctx, tiers, deferrals, m, exact=True)
        losses.add(max(ZERO, year - earned).quantize(CENT, rounding=ROUND_HALF_UP))
    if len(losses) > 1:
        return None
    (loss,) = losses
    if ctx.true_up is None and loss:
        return None
    return loss


def _binding(
    by_415c: Decimal,
    by_cap: Decimal | None,
    by_pay: Decimal,
    carry: Decimal,
    carry_uncapped: Decimal,
    carry_free: Decimal,
    reachable: Decimal,
) -> str:
    """What limits the after-tax money (BINDINGS), first match wins.

    "415(c)": the room is all reachable (also when there is none); "plan_cap": the
    plan's yearly cap, or its percent of each paycheck; "402(g)": the paychecks could
    carry the room if the deferrals, which come first, did not take part of them; "pay":
    the pay left can't carry it even so.
    """
    if reachable >= by_415c:
        return "415(c)"
    if by_cap is not None and reachable >= by_cap:
        return "plan_cap"
    if reachable >= carry and carry < carry_uncapped:
        return "plan_cap"
    allowed = by_415c if by_cap is None else min(by_415c, by_cap)
    if reachable >= carry and carry_free >= min(allowed, by_pay):
        return "402(g)"
    return "pay"


def paid_payroll_figures(
    limits: Limits,
    match_limits: Limits,
    compensation: Decimal,
    tiers: Tiers | None,
    cap_percent: Decimal | None,
    payroll: Payroll,
    ctx: PayContext,
    refundable: Decimal = ZERO,
) -> tuple[PayrollFigures, PlanFigures]:
    """The payroll figures and the paycheck plan for one complete answer.

    As `contributions.payroll_figures`, with the paychecks known: the raise and the
    after-tax room are also bounded by what the paychecks left can carry, the match is
    priced as the plan credits it (`match_range`), and the room is the after-tax money
    the elections can reach.
    """
    p = payroll
    left, pay, step = ctx.left, ctx.pay, ctx.step
    to_come_now = max(ZERO, p.deferrals - p.so_far)

    # Money already due: today's elections, spread evenly over the paychecks left.
    each = to_come_now / left
    match_low, match, _ = match_range(
        ctx, match_limits, tiers, p.deferrals, p.so_far, (each, each), want_rest=False
    )

    # Deferrals first: the raise, then the elections that reach the year's target.
    pay_left = ctx.pay_to_come - to_come_now
    # With no true-up the match credited so far is money in, whatever is deferred next;
    # the raise prices the rest with the formula (at least what the paychecks left can
    # credit), and a cent a paycheck for each paycheck's match rounded up.
    raising = p
    if ctx.true_up is False and tiers:
        credited = (ctx.match_so_far or ZERO) + CENT * ctx.per_year
        raising = p._replace(employer=p.employer + credited)
    by_415c = deferrals_415c_allows(match_limits, compensation, tiers, raising)
    headroom = deferral_headroom(match_limits, compensation, tiers, raising, pay_left, by_415c)
    advised = p.deferrals + headroom
    # Never past 402(g) with the catch-up (per person) or what 415(c) allows: a plan
    # already over them is corrected by the excess step; its elections stop at them.
    by_402g = limits.elective_deferral + p.catch_up - p.other_deferrals
    target = max(ZERO, min(advised, by_402g, by_415c) - p.so_far)
    reach = min(target, ctx.pay_to_come)
    # The elections are checked in the cents of the largest paycheck and exactly as a
    # share of the year's pay (`elect`); their dollars are said on the paycheck as the
    # plan shows it (`pay`, at most that one).
    pays, year = ctx.pays, ctx.year
    most = pays[-1]
    d_pct = elect(target, most, left, HUNDRED, step, target, year)
    d_per = dollars(d_pct, pay)
    d_used = d_pct * (left - 1)
    d_last = elect(target - dollars(d_pct, most) * (left - 1), most, 1, HUNDRED, step,
                   target, year, d_used)  # fmt: skip
    deferrals = (d_per, dollars(d_last, pay))
    _, advised_match, _ = match_range(
        ctx, match_limits, tiers, advised, p.so_far, deferrals, want_rest=False
    )

    # Then after-tax money: the least of 415(c), the plan's cap and what the checks carry.
    parts = after_tax_room_parts(
        limits, compensation, advised, p.employer + advised_match, p.after_tax, None
    )
    by_cap = None
    if cap_percent is not None:
        by_cap = yearly_cap(limits, ctx, cap_percent, most) - p.after_tax
    cap = HUNDRED if cap_percent is None else min(HUNDRED, cap_percent)
    # What each paycheck leaves beside the deferrals, in percent and in its cents.
    free, free_last = beside(d_pct, HUNDRED, step, pays), beside(d_last, HUNDRED, step, pays)
    capped = floor_step(cap, step)
    top, top_last = min(capped, free), min(capped, free_last)
    carry = dollars(top, pay) * (left - 1) + dollars(top_last, pay)
    fills = raise_fills_415c(match_limits, compensation, tiers, raising, headroom, pay_left)
    limits_left = [parts.by_415c, parts.by_pay]
    if by_cap is not None:
        limits_left.append(by_cap)
    limit = ZERO if fills else max(ZERO, min(limits_left))  # what the limits allow
    reachable = min(limit, carry)
    room_415 = ZERO if fills else max(ZERO, parts.by_415c)
    # The pay each paycheck carries is in the percents (top, top_last): only the limits
    # are dollars to fit.
    top_even = top if left > 1 else top_last
    a_pct = elect(limit, most, left, top_even, step, limit, year, carry=(pay, carry))
    a_per = dollars(a_pct, pay)
    a_used = a_pct * (left - 1)
    a_last = elect(limit - dollars(a_pct, most) * (left - 1), most, 1, top_last, step,
                   limit, year, a_used)  # fmt: skip
    a_to_come = a_per * (left - 1) + dollars(a_last, pay)

    high, low = excess_415c_range(
        limits, match_limits, compensation, tiers, p, match, match_low, refundable
    )
    figures = PayrollFigures(
        excess_deferrals=excess_deferrals(
            limits.elective_deferral + p.catch_up, p.deferrals + p.other_deferrals
        ),
        excess_annual_additions=high,
        match=match,
        headroom=headroom,
        advised_deferrals=advised,
        advised_match=advised_match,
        room=reachable,
        match_low=match_low,
        excess_low=low,
    )
    plan = PlanFigures(
        deferral_target=target,
        deferral_percent=d_pct,
        deferral_per_paycheck=d_per,
        deferral_left_over=reach - d_per * left,
        last_deferral_percent=d_last,
        deferral_to_come=deferrals[0] * (left - 1) + deferrals[1],
        deferral_shortfall=target - reach,
        after_tax_percent=a_pct,
        after_tax_per_paycheck=a_per,
        after_tax_left_over=reachable - a_per * left,
        last_after_tax_percent=a_last,
        after_tax_to_come=a_to_come,
        after_tax_reachable=reachable,
        after_tax_shortfall=room_415 - reachable,
        room_415c=room_415,
        binding="415(c)"
        if reachable >= room_415
        else _binding(
            room_415,
            None if by_cap is None else max(ZERO, by_cap),
            max(ZERO, parts.by_pay),
            carry,
            # what the paychecks would carry without the cap, and without the deferrals
            dollars(free, pay) * (left - 1) + dollars(free_last, pay),
            dollars(floor_step(cap, step), pay) * left,
            reachable,
        ),
    )
    return figures, plan


@dataclass(frozen=True, slots=True)
class Paycheck:
    """What goes into one paycheck left, by kind (the chart draws these)."""

    deferral: Decimal
    after_tax: Decimal
    match: Decimal | None  # None without a match formula (employer money is yearly then)


@dataclass(frozen=True, slots=True)
class PaycheckPlan:
    """The elections to make on the paychecks left this year (`Assessment.paycheck_plan`).

    Percents are of each paycheck's pay and multiples of `step`; dollars are what payroll
    withholds for them from `pay_per_paycheck` (to the cent, half up: a paycheck a cent
    larger may withhold a cent more, and the limits are checked on it); matches are
    rounded up to the cent. A
    figure is None when an unknown answer could change it (never a guessed 0).
    Following the plan means: elect `deferral_percent` and `after_tax_percent` now, then
    `last_deferral_percent` and `last_after_tax_percent` (both together) for the last
    paycheck.

    - `paychecks_per_year`, `paychecks_left` (counting the next one), `pay_per_paycheck`
      (the year's pay / paychecks a year, to the cent), `pay_to_come` (that x paychecks
      left), `step` (the election step, percent).
    - `deferral_target`: the year's advised deferrals (today's plus the advised raise,
      never past the 402(g) limit with the catch-up less other employers' deferrals, nor
      what 415(c) allows) less those made so far: what the paychecks left should defer.
    - `deferral_percent`, `after_tax_percent`: to elect on each paycheck left, rounded
      down to the step: the same percent on every paycheck left never overshoots.
    - `deferral_per_paycheck`, `after_tax_per_paycheck`, `match_per_paycheck`: the
      dollars those percents put in a paycheck, and the match the deferral earns on the
      next one (None when how the plan counts pay above 401(a)(17) would change it).
    - `deferral_left_over`, `after_tax_left_over`: what the rounding leaves of the
      targets (target - per paycheck x paychecks left).
    - `last_deferral_percent`, `last_after_tax_percent`: the last paycheck's elections
      that catch that up, rounded down (they never overshoot; with one paycheck left
      they are the elections themselves).
    - `deferral_to_come`, `after_tax_to_come`, `match_to_come`: what following the plan
      (with the catch-up) puts in over the paychecks left; the match as credited per
      paycheck (a true-up at year end is not in it), the larger way where unknown.
    - `deferral_shortfall`: deferral target the paychecks left can't carry (0 normally:
      the advised raise never asks for more than the pay to come).
    - `after_tax_reachable`: what the paychecks left can carry of after-tax money (the
      least of the 415(c) room, the plan's cap, the pay): `Assessment.after_tax_room`.
    - `after_tax_shortfall`: the 415(c) room this year that the paychecks can't reach (0
      when reachable); `binding` says why: "415(c)" (all reachable, or none left),
      "plan_cap" (the plan's cap: per paycheck or for the year), "402(g)" (the deferrals,
      which come first, take the pay the after-tax money would need), "pay" (the pay
      left can't carry it even without them).
    - `match_lost`: without a true-up, the match the plan for the paychecks left forgoes
      against the formula for the year (`paychecks.match_lost`); 0 with a true-up or
      when none is lost; None when not known.
    - The match fields are None without `Situation.match_tiers` (the employer money is
      then a yearly figure, not priced per paycheck); with `()` (no match) they are 0.
    - `schedule`: each paycheck left, in order, by kind (None when a part is unknown).

    The after-tax fields are 0 when the plan takes no after-tax money and None when that
    is not known (ask HR: `ask_hr_after_tax.amount` says what is at stake).
    """

    paychecks_per_year: int
    paychecks_left: int
    pay_per_paycheck: Decimal
    pay_to_come: Decimal
    step: Decimal
    deferral_target: Decimal | None
    deferral_percent: Decimal | None
    after_tax_percent: Decimal | None
    deferral_per_paycheck: Decimal | None
    after_tax_per_paycheck: Decimal | None
    match_per_paycheck: Decimal | None
    deferral_left_over: Decimal | None
    after_tax_left_over: Decimal | None
    last_deferral_percent: Decimal | None
    last_after_tax_percent: Decimal | None
    deferral_to_come: Decimal | None
    after_tax_to_come: Decimal | None
    match_to_come: Decimal | None
    deferral_shortfall: Decimal | None
    after_tax_reachable: Decimal | None
    after_tax_shortfall: Decimal | None
    binding: str | None
    match_lost: Decimal | None
    schedule: tuple[Paycheck, ...] | None


def _agree(values: set[Decimal]) -> Decimal | None:
    return next(iter(values)) if len(values) == 1 else None


def schedule_of(
    ctx: PayContext,
    tiers: Tiers | None,
    deferral: tuple[Decimal, Decimal] | None,
    after_tax: tuple[Decimal, Decimal] | None,
) -> tuple[Paycheck, ...] | None:
    """Each paycheck left by kind, from (per paycheck, last paycheck) dollars."""
    methods = ctx.methods()
    if deferral is None or after_tax is None or (tiers and len(methods) > 1):
        return None
    deferrals = _schedule(*deferral, ctx.left)
    after_tax_money = _schedule(*after_tax, ctx.left)
    counted = ctx.counted_rest(methods[0])
    return tuple(
        Paycheck(d, a, None if tiers is None else _paycheck_match(tiers, c, d) if tiers else ZERO)
        for d, a, c in zip(deferrals, after_tax_money, counted, strict=True)
    )


# Figures that are not monotone in the answers (what rounding leaves is a sawtooth of
# the target): known only when the figures they follow from are, not merely when the
# corner answers agree on them. Every other figure is monotone in each answer, so the
# corners' agreeing fixes it (`rules.unknowns`).
ANCHORS: dict[str, tuple[str, ...]] = {
    "deferral_left_over": ("deferral_target",),
    "last_deferral_percent": ("deferral_target",),
    "deferral_to_come": ("deferral_target",),
    "after_tax_left_over": ("after_tax_reachable", "after_tax_percent"),
    "last_after_tax_percent": ("after_tax_reachable", "after_tax_percent", "deferral_target"),
    "after_tax_to_come": ("after_tax_reachable", "after_tax_percent", "deferral_target"),
    "after_tax_shortfall": ("after_tax_reachable", "room_415c"),
}


def _match_figures(
    ctx: PayContext,
    tiers: Tiers | None,
    per: Decimal | None,
    deferrals: tuple[Decimal, Decimal] | None,
    so_far: Decimal | None,
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(the next paycheck's match, the match to come, the match lost) of the plan.

    None without a formula (the employer money is then a yearly figure), or when the
    deferral elections they follow from are not known (and, for the match lost, the
    deferrals so far); the next paycheck's also when the way pay above 401(a)(17)
    counts would change it. The match to come is the larger way where not known.
    """
    if tiers is None:
        return None, None, None
    if not tiers:
        return ZERO, ZERO, ZERO
    next_match = None
    if per is not None:
        deferral = per if ctx.left > 1 or deferrals is None else deferrals[1]
        nexts = {_paycheck_match(tiers, ctx.counted(m, ctx.paid), deferral)
                 for m in ctx.methods()}  # fmt: skip
        next_match = nexts.pop() if len(nexts) == 1 else None
    if deferrals is None:
        return next_match, None, None
    to_come = max(_rest_match(ctx, tiers, deferrals, m) for m in ctx.methods())
    lost = None if so_far is None else match_lost(ctx, tiers, so_far, deferrals)
    return next_match, to_come, lost


def merge_plans(
    ctx: PayContext,
    tiers: Tiers | None,
    plans: list[PlanFigures],
    after_tax_allowed: bool | None,
    so_far: Decimal | None = ZERO,
) -> PaycheckPlan:
    """One PaycheckPlan from the plans of every corner answer: a figure they all agree
    on is known (and what it follows from, ANCHORS), any other is None. The after-tax
    part follows the plan's features; the match figures follow from the deferral
    elections (`_match_figures`). `so_far`: the deferrals made so far, None when not
    known (the match lost turns on them)."""

    if len(plans) == 1:
        agreement = plans[0]._asdict()
    else:
        agreement = {}
        for name, column in zip(PlanFigures._fields, zip(*plans, strict=True), strict=True):
            values = set(column)
            agreement[name] = None if len(values) > 1 else next(iter(values))

    def agreed(name: str) -> Decimal | None:
        value = agreement[name]
        return value if isinstance(value, Decimal) else None

    def known(name: str) -> Decimal | None:
        if any(agreed(anchor) is None for anchor in ANCHORS.get(name, ())):
            return None
        return agreed(name)

    def after_tax(name: str) -> Decimal | None:
        if after_tax_allowed is None:
            return None
        return known(name) if after_tax_allowed else ZERO

    # Nothing short means 415(c) binds; else what binds, once the shortfall is known and
    # every corner answer names the same limit.
    short = known("after_tax_shortfall")
    binding = None
    if after_tax_allowed and short == ZERO:
        binding = "415(c)"
    elif after_tax_allowed and short is not None and isinstance(agreement["binding"], str):
        binding = agreement["binding"]
    d_per, d_last = known("deferral_per_paycheck"), known("last_deferral_percent")
    a_per, a_last = after_tax("after_tax_per_paycheck"), after_tax("last_after_tax_percent")
    deferral = None if d_per is None or d_last is None else (d_per, dollars(d_last, ctx.pay))
    money = None if a_per is None or a_last is None else (a_per, dollars(a_last, ctx.pay))
    next_match, match_to_come, lost = _match_figures(ctx, tiers, d_per, deferral, so_far)
    return PaycheckPlan(
        paychecks_per_year=ctx.per_year,
        paychecks_left=ctx.left,
        pay_per_paycheck=ctx.pay,
        pay_to_come=ctx.pay_to_come,
        step=ctx.step,
        deferral_target=known("deferral_target"),
        deferral_percent=known("deferral_percent"),
        after_tax_percent=after_tax("after_tax_percent"),
        deferral_per_paycheck=d_per,
        after_tax_per_paycheck=a_per,
        match_per_paycheck=next_match,
        deferral_left_over=known("deferral_left_over"),
        after_tax_left_over=after_tax("after_tax_left_over"),
        last_deferral_percent=d_last,
        last_after_tax_percent=a_last,
        deferral_to_come=known("deferral_to_come"),
        after_tax_to_come=after_tax("after_tax_to_come"),
        match_to_come=match_to_come,
        deferral_shortfall=known("deferral_shortfall"),
        after_tax_reachable=after_tax("after_tax_reachable"),
        after_tax_shortfall=after_tax("after_tax_shortfall"),
        binding=binding,
        match_lost=lost,
        schedule=schedule_of(ctx, tiers, deferral, money),
    )
