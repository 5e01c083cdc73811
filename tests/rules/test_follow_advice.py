"""Follow the advice, step by step, and check that nothing breaks (issue 11, section 3).

Each test builds a complete Situation, applies every step of `assess(s).actions` to it
(raise the deferrals by the amount, contribute the after-tax room, make the IRA
contributions, roll the pre-tax IRA in, convert the balance, apply the corrections; the
match re-priced by the core from `match_tiers`), assesses again and checks: no excess
(402(g), 415(c)), nothing withheld beyond pay, no plan cap passed, no room left, no step
to repeat; the IRA steps add up to the IRA maximum and never pass includible
compensation. Then: any figure the core states with answers missing is the figure of
every complete answer (it is fixed by what is known), and an `at_least` is a floor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rules import (
    ActionCode,
    Assessment,
    FilingStatus,
    PaycheckPlan,
    PlanFeatures,
    Situation,
    assess,
    limits_for,
    supported_years,
)
from rules.contributions import (
    after_tax_cap,
    catch_up_limit,
    counted_deferrals,
    match_in_bands,
    match_on_deferrals,
)
from tests.rules.plan_checks import CENT, yearly_cap
from tests.rules.plan_checks import cents as withheld

ZERO = Decimal(0)
A = ActionCode

years = st.sampled_from(supported_years())


def dollars(top: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=top, places=0)


def cents(top: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=top, places=2)


TIERS = st.sampled_from(
    [
        None,
        ((Decimal(100), Decimal(6)),),
        ((Decimal(50), Decimal(6)),),
        ((Decimal(100), Decimal(3)), (Decimal(50), Decimal(2))),
        ((Decimal(200), Decimal(4)),),
        ((Decimal(100), Decimal(25)),),
    ]
)
PLANS = st.sampled_from(
    [
        PlanFeatures(after_tax_contributions=True, in_plan_roth_conversion=True),
        PlanFeatures(
            after_tax_contributions=True, in_plan_roth_conversion=True, automatic_conversion=True
        ),
        PlanFeatures(
            after_tax_contributions=True, in_plan_roth_conversion=False, in_service_withdrawal=True
        ),
        PlanFeatures(
            after_tax_contributions=True,
            after_tax_cap_percent=Decimal(10),
            in_plan_roth_conversion=True,
        ),
        PlanFeatures(after_tax_contributions=False),
    ]
)


@st.composite
def complete_situations(draw: st.DrawFn) -> Situation:
    """Every answer known, in a state payroll could have reached (nothing beyond pay)."""
    year = draw(years)
    pay = draw(st.one_of(dollars(40_000), dollars(700_000)))
    deferrals = draw(st.one_of(st.just(ZERO), dollars(45_000), cents(30_000)))
    plan = draw(PLANS)
    after_tax = ZERO if plan.after_tax_contributions is False else draw(dollars(70_000))
    assume(deferrals + after_tax <= pay)
    if plan.after_tax_cap_percent is not None:
        limits = limits_for(year)
        assume(after_tax <= after_tax_cap(limits, pay, plan.after_tax_cap_percent))
    status = draw(st.sampled_from(FilingStatus))
    balance = draw(st.one_of(st.just(ZERO), dollars(60_000)))
    as_of = draw(
        st.one_of(
            st.none(),
            st.dates(dt.date(year, 1, 1), dt.date(year + 1, 12, 31)),
        )
    )
    return Situation(
        tax_year=year,
        age=draw(st.integers(min_value=18, max_value=80)),
        compensation=pay,
        elective_deferrals=deferrals,
        roth_deferrals=draw(st.sampled_from([ZERO, deferrals, (deferrals / 2).quantize(1)])),
        other_employer_deferrals=draw(st.one_of(st.just(ZERO), dollars(30_000))),
        match_tiers=draw(TIERS),
        employer_contributions=draw(st.one_of(st.just(ZERO), dollars(30_000))),
        after_tax_contributed=after_tax,
        plan=plan,
        after_tax_balance=balance,
        after_tax_basis=draw(dollars(int(balance))) if balance else ZERO,
        filing_status=status,
        magi=draw(dollars(400_000)),
        spouse_compensation=draw(st.one_of(st.just(ZERO), dollars(150_000))),
        pretax_ira_balance=draw(st.one_of(st.just(ZERO), dollars(300_000))),
        ira_basis=draw(st.one_of(st.just(ZERO), dollars(20_000))),
        roth_ira_contributed=ZERO,
        traditional_ira_contributed=ZERO,
        prior_year_compensation=draw(dollars(400_000)),
        marginal_tax_rate=draw(st.sampled_from([None, Decimal("0.24"), Decimal("0.37")])),
        remaining_paychecks=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=26))),
        as_of=as_of,
    )


def _forfeit_match_on_refunded(s: Situation, v: dict[str, Any]) -> None:
    """The match credited on deferrals refunded as excess is forfeited with them, as the
    core's least 415(c) excess prices it (`excess_415c_range`). That is the plan's terms,
    not the law: 411(a)(3)(G) permits the forfeiture, and a plan that keeps that match
    needs a larger 415(c) correction, which this follow-up does not model. What is
    credited so far is then at most the formula on the deferrals left of those so far,
    over the pay paid so far."""
    if v.get("match_so_far") is None or s.match_true_up is not False or not s.match_tiers:
        return
    if s.compensation is None or not s.paychecks_per_year or s.remaining_paychecks is None:
        return
    paid = s.compensation * (s.paychecks_per_year - s.remaining_paychecks) / s.paychecks_per_year
    kept = match_in_bands(paid, v["deferrals_so_far"], s.match_tiers)
    v["match_so_far"] = min(v["match_so_far"], kept.quantize(CENT, ROUND_CEILING))


def follow(s: Situation, a: Assessment) -> Situation:
    """The Situation once every step of the advice has been done."""
    v: dict[str, Any] = s.model_dump()
    for step in a.actions:
        amount = step.amount
        code = step.code
        if code is A.excess_contribution:
            # A complete Situation's excess has an amount, unless it turns on how the
            # match counts pay above 401(a)(17) (priced, not asked), or, for 415(c), on
            # which plan refunds a 402(g) excess: correct what is certain, at least
            # (exactly what is left once this plan refunds the 402(g) excess, as here).
            if amount is None:
                amount = step.at_least
            assert amount is not None, "a complete Situation's excess has an amount"
            if step.rule == "402(g)":  # refunded from this plan first, then the other
                here = min(v["elective_deferrals"], amount)
                v["elective_deferrals"] -= here
                v["other_employer_deferrals"] -= amount - here
                if v.get("deferrals_so_far") is not None:
                    v["deferrals_so_far"] = min(v["deferrals_so_far"], v["elective_deferrals"])
                    _forfeit_match_on_refunded(s, v)
            else:  # 415(c): after-tax back, then employer money forfeited, then deferrals
                back = min(v["after_tax_contributed"], amount)
                v["after_tax_contributed"] -= back
                forfeited = min(v["employer_contributions"], amount - back)
                v["employer_contributions"] -= forfeited
                if v.get("match_so_far") is not None and v.get("match_true_up") is False:
                    matched = min(v["match_so_far"], amount - back - forfeited)
                    v["match_so_far"] -= matched  # the match credited, forfeited
                    forfeited += matched
                v["elective_deferrals"] -= amount - back - forfeited
                if v.get("deferrals_so_far") is not None:
                    v["deferrals_so_far"] = min(v["deferrals_so_far"], v["elective_deferrals"])
            v["roth_deferrals"] = min(v["roth_deferrals"], v["elective_deferrals"])
        elif code is A.max_elective_deferrals:
            assert amount is not None
            v["elective_deferrals"] += amount  # pre-tax: the Roth part stays as it was
        elif code is A.contribute_roth_ira and amount is not None:
            v["roth_ira_contributed"] += amount
        elif code is A.backdoor_roth and amount is not None:
            v["traditional_ira_contributed"] += amount  # contributed and converted
        elif code is A.pro_rata_warning:
            v["pretax_ira_balance"] = ZERO  # rolled into the 401(k)
        elif code is A.contribute_after_tax:
            assert amount is not None
            v["after_tax_contributed"] += amount
            v["after_tax_balance"] += amount
            v["after_tax_basis"] += amount
        elif code in (A.convert_in_plan, A.in_service_rollover_split):
            v["after_tax_balance"] = v["after_tax_basis"] = ZERO
    return Situation.model_validate(v)


ONE_OFF = {
    A.excess_contribution,
    A.max_elective_deferrals,
    A.contribute_roth_ira,
    A.backdoor_roth,
    A.pro_rata_warning,
    A.contribute_after_tax,
}


def includible(s: Situation) -> Decimal:
    """219(b)(1)(B): pay less pre-tax deferrals (those past 402(g) stay in income)."""
    assert s.compensation is not None
    assert s.elective_deferrals is not None
    limits = limits_for(s.tax_year)
    assert s.age is not None
    assert s.roth_deferrals is not None
    pretax = min(
        s.elective_deferrals - s.roth_deferrals,
        limits.elective_deferral + catch_up_limit(limits, s.age),
    )
    return max(ZERO, s.compensation - pretax)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(complete_situations())
def test_following_every_step_breaks_no_limit(s: Situation) -> None:
    first = assess(s)
    after = follow(s, first)
    second = assess(after)
    limits = limits_for(s.tax_year)
    assert after.compensation is not None
    assert after.age is not None
    pay = after.compensation
    d, at = after.elective_deferrals, after.after_tax_contributed
    assert d is not None
    assert at is not None
    assert after.other_employer_deferrals is not None

    assert second.excess_deferrals == ZERO, first.actions
    assert second.excess_annual_additions == ZERO, first.actions
    assert d + after.other_employer_deferrals <= limits.elective_deferral + catch_up_limit(
        limits, after.age
    )
    assert d + at <= pay, "withheld beyond pay"
    cap = s.plan.after_tax_cap_percent
    if cap is not None:
        assert at <= after_tax_cap(limits, pay, cap), "plan cap passed"
    if A.excess_contribution in first.codes:
        # A correction changes the state the other steps were priced on (returning
        # matched deferrals also takes back match): only the limits are checked then.
        return
    if not second.year_closed:
        assert second.deferral_headroom == ZERO, "deferral room left"
        if second.mega_backdoor.value == "available":
            assert second.after_tax_room == ZERO, "after-tax room left"
    repeated = [x.code for x in second.actions if x.code in ONE_OFF and x.amount is not None]
    repeated += [x.code for x in second.actions if x.code is A.max_elective_deferrals]
    assert not repeated, f"steps to do again: {repeated}"
    moves = [
        x for x in second.actions if x.code in (A.convert_in_plan, A.in_service_rollover_split)
    ]
    assert all(x.amount is None for x in moves), "a balance left to convert"

    # The IRA steps: never above includible compensation (219(b)(1)(B), with a joint
    # filer's spouse under 219(c)), and direct + backdoor = the IRA maximum.
    ira = after.roth_ira_contributed + after.traditional_ira_contributed  # type: ignore[operator]
    own = includible(after)
    spouse = after.spouse_compensation or ZERO
    room = own + spouse if after.filing_status is FilingStatus.married_joint else own
    assert ira <= room
    steps = [x for x in first.actions if x.code in (A.contribute_roth_ira, A.backdoor_roth)]
    if first.ira_maximum is None:
        # Only a joint filer whose spouse's net pay does not exceed their own: 219(c)(2)(B)
        # turns on the spouse's gross pay, which is not asked.
        assert after.filing_status is FilingStatus.married_joint
        assert ZERO < spouse <= includible(s)
    elif steps:
        assert sum(x.amount for x in steps if x.amount is not None) == first.ira_maximum
    else:
        assert repeated == []
        assert ira == ZERO
    if first.ira_maximum is not None and steps:
        assert all(x.amount is not None for x in steps)


PARTIAL_FIELDS = (
    "age",
    "elective_deferrals",
    "roth_deferrals",
    "other_employer_deferrals",
    "employer_contributions",
    "after_tax_contributed",
    "spouse_compensation",
    "ira_basis",
    "pretax_ira_balance",
    "filing_status",
)
FIGURES = (
    "after_tax_room",
    "after_tax_per_paycheck",
    "deferral_headroom",
    "excess_deferrals",
    "excess_annual_additions",
    "employer_match",
    "employer_match_advised",
    "ira_maximum",
    "roth_ira_contribution_limit",
    "backdoor_taxable_fraction",
    "backdoor_taxable_amount",
)
AMOUNTS = (A.max_elective_deferrals, A.contribute_after_tax, A.contribute_roth_ira,
           A.backdoor_roth, A.excess_contribution)  # fmt: skip


def _steps(a: Assessment, code: ActionCode) -> dict[str | None, Any]:
    return {x.rule: x for x in a.actions if x.code is code}


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(complete_situations(), st.sets(st.sampled_from(PARTIAL_FIELDS), min_size=1))
def test_a_figure_stated_with_answers_missing_holds_for_the_full_answer(
    s: Situation, missing: set[str]
) -> None:
    partial = Situation.model_validate({**s.model_dump(), **dict.fromkeys(missing)})
    some, every = assess(partial), assess(s)
    for name in FIGURES:
        stated = getattr(some, name)
        if stated is not None:
            assert stated == getattr(every, name), (name, stated, getattr(every, name))
    for code in AMOUNTS:
        full = _steps(every, code)
        for rule, step in _steps(some, code).items():
            if step.amount is not None:
                assert rule in full, (code, rule)
                assert full[rule].amount == step.amount, (code, rule)
            if step.at_least is not None:
                assert rule in full
                floor = full[rule].amount if full[rule].amount is not None else full[rule].at_least
                assert floor is not None, (code, rule)
                assert floor >= step.at_least, (code, rule, step.at_least)
            if code is A.excess_contribution:
                assert rule in full, "a certain excess is an excess for every answer"


# --- Issue 14: follow the paycheck plan, paycheck by paycheck, to the year's end ----


@st.composite
def paid_situations(draw: st.DrawFn) -> Situation:
    """A complete Situation with the paychecks known and consistent with them."""
    s = draw(complete_situations())
    per_year = draw(st.sampled_from([12, 24, 26, 27, 52, 53]))
    left = draw(st.integers(min_value=1, max_value=per_year))
    assert s.elective_deferrals is not None
    nothing_paid = left == per_year
    so_far = ZERO if nothing_paid else draw(st.decimals(0, s.elective_deferrals, places=2))
    true_up = draw(st.sampled_from([None, True, False]))
    # Without a true-up the match credited so far is part of a complete answer; no more
    # than the formula credits on the pay paid so far and the deferrals made so far
    # (paycheck by paycheck it credits no more: its rates never rise, so by Jensen the
    # sum over paychecks is at most the formula on the sums).
    most = Decimal(15_000)
    if s.match_tiers is not None:
        assert s.compensation is not None
        paid_pay = s.compensation * (per_year - left) / per_year
        most = match_in_bands(paid_pay, so_far, s.match_tiers).quantize(CENT, ROUND_FLOOR)
    credited = st.decimals(min_value=0, max_value=most, places=2)
    matched = draw(credited if true_up is False else st.one_of(st.none(), credited))
    if nothing_paid:
        matched = draw(st.sampled_from([None, ZERO]))
    return s.model_copy(
        update={
            "paychecks_per_year": per_year,
            "remaining_paychecks": left,
            "deferrals_so_far": so_far,
            "election_step_percent": draw(st.sampled_from([None, Decimal("0.5"), Decimal("0.1")])),
            "match_true_up": true_up,
            "match_so_far": matched,
            "compensation_limit_prorated": draw(st.sampled_from([None, True, False])),
        }
    )


def follow_plan(
    s: Situation, a: Assessment, paid: tuple[Decimal, Decimal, Decimal] | None = None
) -> Situation:
    """The Situation at the year's end once the paycheck plan (and every other step) is done:
    the elections made on every paycheck left, with the last paycheck's catch-up; the
    match each paycheck credited recorded where there is no true-up. `paid`: (deferrals,
    after-tax money, match) the paychecks left really put in, when not the plan's."""
    plan = a.paycheck_plan
    assert plan is not None
    others = [x for x in a.actions if x.code not in (A.max_elective_deferrals,
                                                     A.contribute_after_tax)]  # fmt: skip
    v: dict[str, Any] = follow(s, replace(a, actions=others)).model_dump()
    assert plan.deferral_to_come is not None, "a complete answer fixes the deferrals"
    assert plan.after_tax_to_come is not None or not s.plan.after_tax_contributions
    to_come = (plan.deferral_to_come, plan.after_tax_to_come, plan.match_to_come)
    deferral_to_come, after_tax_to_come, match_to_come = to_come if paid is None else paid
    deferred = (v["deferrals_so_far"] or ZERO) + deferral_to_come  # after corrections
    v["elective_deferrals"] = v["deferrals_so_far"] = deferred
    v["roth_deferrals"] = min(v["roth_deferrals"], deferred)
    if s.plan.after_tax_contributions:
        v["after_tax_contributed"] += after_tax_to_come  # converted as it comes in
    if s.match_true_up is False and s.match_tiers is not None:
        assert match_to_come is not None
        matched = v["match_so_far"]  # as a correction may have left it
        if matched is None and s.remaining_paychecks == s.paychecks_per_year:
            matched = ZERO  # no paycheck paid yet: none matched
        v["match_so_far"] = None if matched is None else matched + match_to_come
    v["remaining_paychecks"] = 0
    return Situation.model_validate(v)


def paychecks_to_come(s: Situation, larger_last: bool) -> list[Decimal]:
    """The paychecks left as a payroll paying the year's pay evenly to the cent pays them:
    the year's pay / paychecks a year rounded down, and as many a cent more as make up
    the year, those among the paychecks left (the most they can be), last or first."""
    assert s.compensation is not None
    assert s.paychecks_per_year is not None
    assert s.remaining_paychecks is not None
    year = int(s.compensation * 100)
    low, extra = divmod(year, s.paychecks_per_year)  # in cents
    larger = min(extra, s.remaining_paychecks)
    pays = [Decimal(low) / 100] * (s.remaining_paychecks - larger)
    more = [Decimal(low + 1) / 100] * larger
    return pays + more if larger_last else more + pays


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(paid_situations(), st.booleans())
def test_a_payroll_splitting_the_pay_to_the_cent_breaks_no_limit(
    s: Situation, larger_last: bool
) -> None:
    """The plan's percents withheld from paychecks a cent apart (the year's pay split
    evenly to the cent, the larger paychecks among those left), each paycheck's match
    credited rounded up: no paycheck overdrawn, nothing over 402(g), 415(c) or the
    plan's cap at the year's end."""
    assert s.compensation is not None
    limits = limits_for(s.tax_year)
    assume(s.compensation <= limits.compensation)  # each paycheck counts in full
    first = assess(s)
    plan = first.paycheck_plan
    if first.year_closed or A.excess_contribution in first.codes:
        return
    assert plan is not None
    assert plan.deferral_percent is not None
    assert plan.last_deferral_percent is not None
    after_tax = s.plan.after_tax_contributions
    a_pct, a_last = plan.after_tax_percent or ZERO, plan.last_after_tax_percent or ZERO
    pays = paychecks_to_come(s, larger_last)
    d_sum = a_sum = m_sum = ZERO
    for i, pay in enumerate(pays):
        last = i == len(pays) - 1
        d = withheld(plan.last_deferral_percent if last else plan.deferral_percent, pay)
        at = withheld(a_last if last else a_pct, pay) if after_tax else ZERO
        assert d + at <= pay, (pay, d, at)
        d_sum, a_sum = d_sum + d, a_sum + at
        if s.match_tiers:
            m_sum += match_in_bands(pay, d, s.match_tiers).quantize(CENT, rounding=ROUND_CEILING)
    after = follow_plan(s, first, (d_sum, a_sum, m_sum))
    second = assess(after)
    assert second.excess_deferrals == ZERO, (d_sum, plan)
    assert second.excess_annual_additions == ZERO, (d_sum, a_sum, m_sum, plan)
    assert not any(x.code is A.excess_contribution for x in second.actions)
    if s.plan.after_tax_cap_percent is not None:
        assert after.after_tax_contributed is not None
        assert after.after_tax_contributed <= yearly_cap(s, limits)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(paid_situations())
def test_following_the_paycheck_plan_breaks_no_limit(s: Situation) -> None:
    first = assess(s)
    plan = first.paycheck_plan
    if first.year_closed:
        assert plan is None
        return
    assert plan is not None
    after = follow_plan(s, first)
    second = assess(after)
    limits = limits_for(s.tax_year)
    assert after.age is not None
    assert after.compensation is not None
    pay, d, at = after.compensation, after.elective_deferrals, after.after_tax_contributed
    assert d is not None
    assert at is not None
    other = after.other_employer_deferrals or ZERO

    # No paycheck overdrawn, no cap passed, the schedule adds up.
    assert plan.schedule is not None or s.compensation_limit_prorated is None
    for check in plan.schedule or ():
        assert check.deferral + check.after_tax <= plan.pay_per_paycheck, check
    cap = s.plan.after_tax_cap_percent
    if cap is not None:
        for percent in (plan.after_tax_percent, plan.last_after_tax_percent):
            assert percent is None or percent <= cap
        # The year's cap in the cents payroll withholds for its percent of each paycheck
        # (a cap of 15% of 200,000 lets 26 x 15% of 7,692.31 = 30,000.10 in).
        assert at <= yearly_cap(s, limits) or A.excess_contribution in first.codes

    # The year's end: nothing over 402(g) or 415(c), however the match was credited.
    assert second.paycheck_plan is None, "no paycheck left to plan"
    assert not any(x.code is A.excess_contribution for x in second.actions), first.actions
    assert second.excess_deferrals in (ZERO, None)
    assert second.excess_annual_additions in (ZERO, None)
    if A.excess_contribution in first.codes:
        return  # the correction changes the state the plan was priced on
    assert second.excess_deferrals == ZERO
    assert d + other <= limits.elective_deferral + catch_up_limit(limits, after.age)
    if s.match_tiers is None:
        credited = ZERO
    elif s.match_true_up is False:
        credited = after.match_so_far  # type: ignore[assignment]
    else:  # a true-up pays the formula on the year's deferrals
        credited = match_on_deferrals(limits, pay, d, s.match_tiers)
    employer = after.employer_contributions
    assert employer is not None
    if credited is not None:
        # Deferrals over 402(g) or 415(c) are catch-ups up to the catch-up limit, and
        # catch-ups are not annual additions (Reg. 1.414(v)-1(b)(1)(i)).
        cap415 = min(limits.annual_additions, pay)
        catch_up = catch_up_limit(limits, after.age)
        overflow = max(d - limits.elective_deferral, d + employer + credited + at - cap415, ZERO)
        counted = d - min(catch_up, d, overflow)
        left_415 = cap415 - counted - employer - credited - at
        assert left_415 >= 0, "over 415(c)"
        # What 415(c) still allows is what the plan said it would leave: the shortfall,
        # the rounding left after the catch-up, and the slack of deferring and being
        # matched a little less than priced.
        if s.plan.after_tax_contributions and plan.after_tax_shortfall and credited:
            assert first.deferral_headroom is not None
            assert s.elective_deferrals is not None
            advised = s.elective_deferrals + first.deferral_headroom
            priced = first.employer_match_advised
            assert priced is not None
            assert plan.after_tax_reachable is not None
            assert plan.after_tax_to_come is not None
            slack = counted_deferrals(limits, advised) - counted
            slack += priced - credited
            unreached = plan.after_tax_reachable - plan.after_tax_to_come
            assert left_415 == plan.after_tax_shortfall + unreached + slack

    # Nothing left to do again: payroll is closed, and no step has an amount to repeat.
    assert second.deferral_headroom == ZERO
    assert second.after_tax_room == ZERO
    repeated = [x for x in second.actions if x.code in ONE_OFF and x.amount]
    repeated += [x for x in second.actions if x.code is A.max_elective_deferrals]
    # Deferring a little less than advised (the rounding) leaves that much more pay in
    # income: an IRA limit bound by includible compensation (219(b)(1)(B)) grows by it.
    assert first.deferral_headroom is not None
    assert s.elective_deferrals is not None
    residue = s.elective_deferrals + first.deferral_headroom - d
    ira = [x for x in repeated if x.code in (A.contribute_roth_ira, A.backdoor_roth)]
    if first.ira_maximum is not None:  # else the IRA steps were not known yet (219(c))
        assert sum((x.amount or ZERO for x in ira), ZERO) <= residue, ira
    repeated = [x for x in repeated if x not in ira]
    if any(x.code is A.backdoor_roth for x in ira):  # its warning comes with it
        repeated = [x for x in repeated if x.code is not A.pro_rata_warning]
    assert not repeated, f"steps to do again: {[x.code for x in repeated]}"

    # The steps say what the plan does.
    steps = {x.code: x for x in first.actions}
    if A.contribute_after_tax in steps:
        assert steps[A.contribute_after_tax].amount == plan.after_tax_reachable
        assert steps[A.contribute_after_tax].per_paycheck == plan.after_tax_per_paycheck


PLAN_FIGURES = tuple(
    f.name
    for f in fields(PaycheckPlan)
    if f.name not in ("paychecks_per_year", "paychecks_left", "step", "binding", "schedule")
)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(paid_situations(), st.sets(st.sampled_from((*PARTIAL_FIELDS, "deferrals_so_far")),
                                  min_size=1))  # fmt: skip
def test_a_plan_figure_stated_with_answers_missing_holds_for_the_full_answer(
    s: Situation, missing: set[str]
) -> None:
    """The paycheck plan, like every figure: what the core states with answers missing is
    what every complete answer gives (the safe-side inputs, match_true_up, match_so_far
    and compensation_limit_prorated, are priced, not left open, so stay given)."""
    partial = Situation.model_validate({**s.model_dump(), **dict.fromkeys(missing)})
    some, every = assess(partial), assess(s)
    for name in FIGURES:
        stated = getattr(some, name)
        if stated is not None:
            assert stated == getattr(every, name), (name, stated, getattr(every, name))
    if some.paycheck_plan is None:
        assert every.paycheck_plan is None
        return
    assert every.paycheck_plan is not None
    for name in PLAN_FIGURES:
        stated = getattr(some.paycheck_plan, name)
        if stated is not None:
            full = getattr(every.paycheck_plan, name)
            assert stated == full, (name, stated, full)
    if some.paycheck_plan.binding is not None:
        assert some.paycheck_plan.binding == every.paycheck_plan.binding
