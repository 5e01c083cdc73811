"""`assess`: one Situation in, one Assessment out. Pure and deterministic."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import NamedTuple

from rules import contributions as c
from rules.advice import Figures, build_actions, ira_still_open
from rules.conversions import backdoor_taxable, conversion_earnings, estimated_tax
from rules.figures import FilingStatus, Limits
from rules.floor import lookback_year, planning_limits
from rules.limits import hce_threshold
from rules.models import Assessment, Situation
from rules.paychecks import (
    WHOLE_PERCENT,
    PaycheckPlan,
    PayContext,
    merge_plans,
    paid_payroll_figures,
    pay_per_paycheck,
)
from rules.plan_tests import is_hce, roth_catch_up_required
from rules.roth_ira import ira_dollar_limit, ira_maximum_range, roth_ira_limit_of
from rules.unknowns import FAR, Span, payroll_answers, possible_catch_ups, span

ZERO = Decimal(0)
TEN = Decimal(10)


class PayrollSpans(NamedTuple):
    """The 402(g)/415(c) figures over every answer the unknowns could take.

    Field for field the ranges of `contributions.PayrollFigures` (same names); `plan` is
    the paycheck plan when the paychecks are known.
    """

    excess_deferrals: Span
    excess_annual_additions: Span
    match: Span
    headroom: Span
    advised_deferrals: Span
    advised_match: Span
    room: Span
    plan: PaycheckPlan | None = None
    # The dollars of the plan's after-tax percent, as if the plan takes after-tax money
    # (like the room): None without a paycheck plan, or when an unknown could change it.
    after_tax_per_paycheck: Decimal | None = None


def pay_context(s: Situation, match_limits: Limits, closed: bool) -> PayContext | None:
    """The paychecks of the year, when all that the paycheck plan needs is known."""
    pay, per_year, left = s.compensation, s.paychecks_per_year, s.remaining_paychecks
    if closed or pay is None or per_year is None or left is None or left == 0:
        return None
    return PayContext(
        per_year=per_year,
        left=left,
        pay=pay_per_paycheck(pay, per_year),
        step=s.election_step_percent or WHOLE_PERCENT,
        compensation=pay,
        pay_limit=match_limits.compensation,
        true_up=s.match_true_up,
        prorated=s.compensation_limit_prorated,
        match_so_far=s.match_so_far,
    )


def payroll_spans(
    s: Situation,
    limits: Limits,
    pay: Decimal,
    closed: bool = False,
    match_limits: Limits | None = None,
) -> PayrollSpans:
    """402(g), 415(c): the payroll figures at each corner answer, as ranges.

    `closed`: payroll is closed (the year has ended, or its last paycheck is paid).
    """
    tiers = s.match_tiers
    cap = s.plan.after_tax_cap_percent
    ml = limits if match_limits is None else match_limits
    ctx = None if s.paychecks_per_year is None else pay_context(s, ml, closed)
    catch_ups = possible_catch_ups(limits, s.age)

    def refundable(answer: c.Payroll) -> Decimal:
        """402(g): the excess deferrals of this answer, refunded first: not in 415(c)."""
        whole = answer.deferrals + answer.other_deferrals
        return c.excess_deferrals(limits.elective_deferral + answer.catch_up, whole)

    plan = per_check = None
    if ctx is None:
        no_true_up, matched, figures_of = (
            s.match_true_up is False,
            s.match_so_far,
            c.payroll_figures,
        )
        figures = []
        for answer in payroll_answers(s, catch_ups):
            figures.append(
                figures_of(
                    limits,
                    pay,
                    tiers,
                    cap,
                    answer,
                    closed,
                    ml,
                    no_true_up,
                    matched,
                    refundable(answer),
                )
            )
    else:
        so_far_unknown = s.deferrals_so_far is None and ctx.paid > 0
        pairs = [
            paid_payroll_figures(limits, ml, pay, tiers, cap, answer, ctx, refundable(answer))
            for answer in payroll_answers(s, catch_ups, so_far_unknown)
        ]
        figures = [figure for figure, _ in pairs]
        plans = [p for _, p in pairs]
        # With the deferrals made so far bound by the year's, both unknown, the after-tax
        # room is not monotone along "all of them made" (the rounding of the deferral
        # percent frees part of each paycheck in between): the corners give its least,
        # not its most. It and the after-tax elections are then unknown.
        open_room = so_far_unknown and s.elective_deferrals is None
        allowed = s.plan.after_tax_contributions
        so_far = None if so_far_unknown else s.deferrals_so_far or ZERO
        plan = merge_plans(ctx, tiers, plans, None if open_room and allowed else allowed, so_far)
        if open_room:
            figures.append(figures[0]._replace(room=FAR))  # the room's most: unknown
        else:
            per_check = span(p.after_tax_per_paycheck for p in plans).value
    extra = (plan, per_check)
    if len(figures) == 1:  # every answer known: each figure is fixed
        f = figures[0]
        spans = [Span(x, x) for x in f[:7]]
        spans[1] = Span(f.excess_low, f.excess_annual_additions)
        spans[2] = Span(f.match_low, f.match)
        return PayrollSpans._make((*spans, *extra))
    # PayrollFigures' fields in order; the excess and match run from their low columns.
    cols = list(zip(*figures, strict=True))
    spans = [Span(min(col), max(col)) for col in cols[:7]]
    spans[1] = Span(min(cols[8]), spans[1].high)
    spans[2] = Span(min(cols[7]), spans[2].high)
    return PayrollSpans._make((*spans, *extra))


def floor_certain_excess(
    s: Situation, limits: Limits, pay: Decimal | None, match: Decimal
) -> Decimal:
    """415(c) on a floor: the excess over 100% of pay, which no higher dollar limit of
    next year lifts (catch-ups absorbing every deferral that overflows). 0 when a payroll
    answer is unknown (then it is not certain)."""
    after_tax = s.after_tax_contributed
    if after_tax is None and s.plan.after_tax_contributions is False:
        after_tax = ZERO
    d, e = s.elective_deferrals, s.employer_contributions
    if pay is None or d is None or e is None or after_tax is None:
        return ZERO
    unbounded = replace(limits, annual_additions=FAR)
    return c.excess_annual_additions(unbounded, pay, d, e + match, after_tax, catch_up=FAR)


def _known_additions(s: Situation, payroll: PayrollSpans | None) -> Decimal | None:
    """Employer money (the match at today's deferrals) and after-tax money so far, when
    both are known: the other annual additions beside the deferrals."""
    if s.after_tax_contributed is None or s.employer_contributions is None:
        return None
    match = ZERO
    if s.match_tiers is not None:
        if payroll is None or payroll.match.value is None:
            return None
        match = payroll.match.value
    return s.employer_contributions + match + s.after_tax_contributed


def catch_up_reached(
    s: Situation, limits: Limits, catch_up: Decimal | None, payroll: PayrollSpans | None
) -> Decimal | None:
    """414(v): the catch-up this plan's deferrals reach once the advice is followed (those
    above 402(g), per person), at most the age's catch-up; that most while it is unknown."""
    headroom = None if payroll is None else payroll.headroom.value
    d, other = s.elective_deferrals, s.other_employer_deferrals
    if not catch_up or headroom is None or d is None or other is None:
        return catch_up
    # The raise the advice names, not the elections' rounded-down dollars: a Roth
    # catch-up named smaller than the one made would leave part of it pre-tax.
    return min(catch_up, max(ZERO, d + headroom + other - limits.elective_deferral))


def excess_deferrals_span(s: Situation, limits: Limits) -> Span | None:
    """402(g): deferrals here and elsewhere above the person's limit (pay not needed).

    Increasing in both deferrals and decreasing in the catch-up, so the ends are the
    low and high answers with the largest and smallest catch-up the age allows.
    """
    if s.elective_deferrals is None:
        return None
    catch_ups = possible_catch_ups(limits, s.age)
    other = s.other_employer_deferrals
    low_other, high_other = (other, other) if other is not None else (ZERO, FAR)
    deferral_limit = limits.elective_deferral
    return Span(
        c.excess_deferrals(deferral_limit + max(catch_ups), s.elective_deferrals + low_other),
        c.excess_deferrals(deferral_limit + min(catch_ups), s.elective_deferrals + high_other),
    )


def includible_span(
    s: Situation, limits: Limits, pay: Decimal, p: PayrollSpans
) -> tuple[Decimal, Decimal]:
    """219(b)(1)(B): pay less pre-tax deferrals once the advice is followed.

    The advised raise is taken as pre-tax (the reading that leaves the least includible
    compensation), so IRA steps fit however the person splits it. With the pre-tax/Roth
    split unknown, the low end has every deferral pre-tax and the high end every
    existing deferral Roth. Deferrals above the 402(g) limit with the catch-up stay in
    income (402(g)(1)(A)), so no more than that comes off pay.
    """
    catch_ups = possible_catch_ups(limits, s.age)
    roth = s.roth_deferrals
    if roth is None and s.elective_deferrals == ZERO:
        roth = ZERO
    if roth is None:
        most_pretax, least_pretax = p.advised_deferrals.high, p.headroom.low
    else:
        most_pretax, least_pretax = p.advised_deferrals.high - roth, p.advised_deferrals.low - roth
    most_excluded = min(most_pretax, limits.elective_deferral + max(catch_ups))
    least_excluded = min(least_pretax, limits.elective_deferral + min(catch_ups))
    return pay - most_excluded, pay - least_excluded


def ira_maximum_span(
    s: Situation, limits: Limits, pay: Decimal, p: PayrollSpans
) -> tuple[Span, bool]:
    """219(b)(1), 219(c): the year's IRA limit as a range, and whether 219(c) may apply."""
    ages = (s.age,) if s.age is not None else (limits.catch_up_age - 1, limits.catch_up_age)
    dollars = [ira_dollar_limit(limits, age) for age in ages]
    low, high = includible_span(s, limits, pay, p)
    own = (max(ZERO, low), max(ZERO, high))
    status = s.filing_status
    joint = None if status is None else status is FilingStatus.married_joint
    spouse = s.spouse_compensation
    spouse_net = (spouse, spouse) if spouse is not None else (ZERO, FAR)
    lowest, highest = ira_maximum_range((min(dollars), max(dollars)), own, joint, spouse_net)
    spousal = joint is True and own[0] < min(dollars) and (spouse is None or spouse > ZERO)
    return Span(lowest, highest), spousal


class IraSpans(NamedTuple):
    """What is left for a direct Roth IRA contribution and for the backdoor."""

    roth_limit: Span  # Worksheet 2-2 for the year (before Roth contributions made)
    direct: Span
    backdoor: Span


def ira_spans(
    s: Situation, limits: Limits, status: FilingStatus, magi: Decimal, maximum: Span
) -> IraSpans:
    """408A(c)(2)-(3): the Roth part of the IRA limit, and the rest as a backdoor.

    Evaluated at both ends of the IRA maximum (the worksheet is monotone in it). The
    backdoor is fixed when the maximum is, or when income allows a full direct Roth.
    """
    traditional = s.traditional_ira_contributed or ZERO
    roth_made = s.roth_ira_contributed or ZERO

    def left(maximum_value: Decimal) -> tuple[Decimal, Decimal, Decimal]:
        allowed = roth_ira_limit_of(limits, status, magi, maximum_value, traditional)
        total = max(ZERO, maximum_value - roth_made - traditional)
        direct = max(ZERO, min(allowed - roth_made, total))
        return allowed, direct, total - direct

    low = left(maximum.low)
    high = low if maximum.high == maximum.low else left(maximum.high)
    backdoor = Span(min(low[2], high[2]), max(low[2], high[2]))
    start, _ = limits.roth_ira_phaseout[status]
    if maximum.value is not None or magi <= start:
        pass  # fixed by the maximum, or 0: income allows all of it directly
    else:
        # In between the ends the $10 rounding up of the Roth part can dip the backdoor
        # by under $10; it never passes what is left in all at the high end.
        total_high = high[1] + high[2]
        backdoor = Span(max(ZERO, backdoor.low - TEN), max(backdoor.high, total_high))
    return IraSpans(
        roth_limit=Span(low[0], high[0]),
        direct=Span(low[1], high[1]),
        backdoor=backdoor,
    )


def backdoor_figures(
    s: Situation, backdoor: Span | None, maximum: Span | None
) -> tuple[Decimal, Decimal] | None:
    """Form 8606 for the backdoor step (or, with none left, for a full backdoor)."""
    pretax = s.pretax_ira_balance
    basis = s.ira_basis if s.ira_basis is not None else (ZERO if pretax == ZERO else None)
    if pretax is None or basis is None or backdoor is None or backdoor.value is None:
        return None
    done = s.traditional_ira_contributed or ZERO
    if backdoor.value > ZERO:
        return backdoor_taxable(backdoor.value, pretax, basis, done + backdoor.value)
    if done > ZERO:
        return backdoor_taxable(done, pretax, basis, done)
    if maximum is None or maximum.value is None:
        return None
    return backdoor_taxable(maximum.value, pretax, basis)


def iras(
    s: Situation, limits: Limits, payroll: PayrollSpans | None
) -> tuple[Span | None, bool, IraSpans | None]:
    """219(b)-(c), 408A(c): the IRA maximum, whether 219(c) may count, the Roth split."""
    if s.compensation is None or payroll is None:
        return None, False, None
    maximum, spousal = ira_maximum_span(s, limits, s.compensation, payroll)
    if s.filing_status is None or s.magi is None:
        return maximum, spousal, None
    return maximum, spousal, ira_spans(s, limits, s.filing_status, s.magi, maximum)


def pro_rata_cost(
    s: Situation, backdoor: Span | None, maximum: Span | None
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """408(d)(2), Form 8606: (taxable fraction, taxable dollars, tax at the rate given)."""
    figures = backdoor_figures(s, backdoor, maximum)
    if figures is None:
        return None, None, None
    fraction, taxable = figures
    rate = s.marginal_tax_rate
    return fraction, taxable, None if rate is None else estimated_tax(taxable, rate)


def after_tax_conversion(s: Situation) -> tuple[Decimal | None, Decimal | None]:
    """402A(c)(4), Notice 2013-74: (taxable earnings, tax) of converting the balance."""
    if s.after_tax_balance is None or s.after_tax_basis is None:
        return None, None
    earnings = conversion_earnings(s.after_tax_balance, s.after_tax_basis)
    rate = s.marginal_tax_rate
    return earnings, None if rate is None else estimated_tax(earnings, rate)


def assess(situation: Situation) -> Assessment:
    """Compute the year's limits, room, Roth IRA, conversion tax, HCE flags and actions.

    Every figure that an unknown answer could change is None; nothing is guessed.
    """
    s = situation
    limits, match_limits, on_floor = planning_limits(s.tax_year, s.floor_of)
    age, pay = s.age, s.compensation

    catch_up = None if age is None else c.catch_up_limit(limits, age)
    deferral_limit = None if catch_up is None else limits.elective_deferral + catch_up
    additions_limit = None if pay is None else c.annual_additions_cap(limits, pay)
    year_closed = s.as_of is not None and s.as_of.year > s.tax_year
    # Payroll is closed once the year has ended or its last paycheck is paid.
    closed = year_closed or s.remaining_paychecks == 0

    payroll = None if pay is None else payroll_spans(s, limits, pay, closed, match_limits)
    excess_402g = payroll.excess_deferrals if payroll else excess_deferrals_span(s, limits)
    excess_415c = None if payroll is None else payroll.excess_annual_additions
    if on_floor:  # next year's limits may be higher: an excess over the floor's is possible
        excess_402g = None if excess_402g is None else Span(ZERO, excess_402g.high)
        if excess_415c is not None and payroll is not None:
            certain = floor_certain_excess(s, limits, pay, payroll.match.low)
            excess_415c = Span(min(certain, excess_415c.high), excess_415c.high)
    room = None if payroll is None else payroll.room
    plan = None if payroll is None else payroll.plan
    per_check = None
    paychecks = None if closed else s.remaining_paychecks  # none left once payroll closed
    if plan is not None and payroll is not None:
        per_check = payroll.after_tax_per_paycheck
    elif room is not None and room.value is not None and paychecks:
        per_check = c.per_paycheck(room.value, paychecks)

    maximum, spousal, ira = iras(s, limits, payroll)
    backdoor = None if ira is None else ira.backdoor
    fraction, taxable, backdoor_tax = pro_rata_cost(s, backdoor, maximum)
    earnings, tax = after_tax_conversion(s)

    prior = s.prior_year_compensation
    hce = None if prior is None else is_hce(s.tax_year, prior)
    roth_catch_up = (
        None if prior is None or age is None else roth_catch_up_required(limits, age, prior)
    )

    status, actions = build_actions(
        Figures(
            roth_catch_up=catch_up_reached(s, limits, catch_up, payroll),
            tax_year=s.tax_year,
            limits=limits,
            plan=s.plan,
            filing_status=s.filing_status,
            catch_up=catch_up,
            remaining_paychecks=paychecks,
            year_closed=year_closed,
            ira_open=ira_still_open(limits, s.as_of),
            spousal_ira=spousal,
            match_priced=s.match_tiers is not None,
            excess_deferrals=excess_402g,
            excess_annual_additions=excess_415c,
            roth_catch_up_required=roth_catch_up,
            direct_roth=None if ira is None else ira.direct,
            backdoor=backdoor,
            backdoor_fraction=fraction,
            backdoor_taxable=taxable,
            backdoor_tax=backdoor_tax,
            pretax_ira_balance=s.pretax_ira_balance,
            deferral_headroom=None if payroll is None else payroll.headroom,
            deferrals_known=s.elective_deferrals is not None,
            after_tax_room=room,
            after_tax_per_paycheck=per_check,
            after_tax_balance=s.after_tax_balance,
            conversion_earnings=earnings,
            conversion_tax=tax,
            hce=hce,
            on_floor=on_floor,
        )
    )

    def value(figure: Span | None) -> Decimal | None:
        return None if figure is None else figure.value

    priced = s.match_tiers is not None and payroll is not None
    counted = catch_up_used = None
    others = _known_additions(s, payroll)
    deferred = s.elective_deferrals
    if deferred is not None and pay is not None and catch_up is not None and others is not None:
        catch_up_used = c.catch_ups_of(limits, pay, deferred, others, catch_up)
        counted = min(deferred, limits.elective_deferral + catch_up) - catch_up_used
    return Assessment(
        limits=limits,
        deferral_limit=deferral_limit,
        catch_up_limit=catch_up,
        annual_additions_limit=additions_limit,
        after_tax_room=value(room),
        after_tax_per_paycheck=per_check,
        roth_ira_contribution_limit=None if ira is None else ira.roth_limit.value,
        backdoor_taxable_fraction=fraction,
        backdoor_taxable_amount=taxable,
        conversion_taxable_earnings=earnings,
        estimated_conversion_tax=tax,
        hce=hce,
        roth_catch_up_required=roth_catch_up,
        mega_backdoor=status,
        excess_deferrals=value(excess_402g),
        excess_annual_additions=value(excess_415c),
        actions=actions,
        deferral_headroom=value(None if payroll is None else payroll.headroom),
        employer_match=value(payroll.match) if priced and payroll else None,
        employer_match_advised=value(payroll.advised_match) if priced and payroll else None,
        ira_maximum=value(maximum),
        year_closed=year_closed,
        hce_threshold=hce_threshold(lookback_year(s.tax_year))[0],
        counted_deferrals=counted,
        catch_up_used=catch_up_used,
        paycheck_plan=plan,
        on_floor=on_floor,
    )
