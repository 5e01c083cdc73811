"""Invariants of the assessment, checked with hypothesis over generated situations."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rules import (
    Assessment,
    FilingStatus,
    PlanFeatures,
    Situation,
    assess,
    limits_for,
    supported_years,
    tiered_match,
)
from rules.contributions import counted_deferrals, deferrals_within_415c, match_on_deferrals
from rules.conversions import backdoor_taxable
from rules.paychecks import floor_step
from rules.roth_ira import roth_ira_limit
from tests.rules.plan_checks import (
    cents,
    check_plan_invariants,
    paychecks_paid,
    share,
    yearly_cap,
)

money = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False)
small_money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)
years = st.sampled_from(supported_years())
ages = st.integers(min_value=18, max_value=120)
tristate = st.sampled_from([True, False, None])


@st.composite
def situations(draw: st.DrawFn) -> Situation:
    return Situation(
        tax_year=draw(years),
        age=draw(ages),
        compensation=draw(money),
        elective_deferrals=draw(small_money),
        employer_contributions=draw(small_money),
        after_tax_contributed=draw(small_money),
        plan=PlanFeatures(
            after_tax_contributions=draw(tristate),
            in_plan_roth_conversion=draw(tristate),
            in_service_withdrawal=draw(tristate),
            automatic_conversion=draw(tristate),
            after_tax_cap_percent=draw(
                st.none() | st.decimals(min_value="0.5", max_value=100, places=1)
            ),
        ),
        after_tax_balance=draw(st.none() | small_money),
        after_tax_basis=draw(st.none() | small_money),
        filing_status=draw(st.none() | st.sampled_from(FilingStatus)),
        magi=draw(st.none() | money),
        pretax_ira_balance=draw(st.none() | money),
        prior_year_compensation=draw(st.none() | money),
        marginal_tax_rate=draw(st.none() | st.decimals(min_value=0, max_value=1, places=2)),
        remaining_paychecks=draw(st.none() | st.integers(min_value=1, max_value=26)),
        # The room needs every payroll answer (issue 11 d, h): a known other-employer
        # figure; the match formula, the Roth split and the rest may be anything.
        other_employer_deferrals=draw(st.just(Decimal(0)) | small_money),
        match_tiers=draw(
            st.none()
            | st.just(((Decimal(100), Decimal(6)),))
            | st.just(((Decimal(100), Decimal(3)), (Decimal(50), Decimal(2))))
        ),
        ira_basis=draw(st.none() | small_money),
        spouse_compensation=draw(st.none() | money),
    )


@settings(max_examples=400, deadline=None)
@given(situations())
def test_room_is_within_bounds(s: Situation) -> None:
    a = assess(s)
    assert a.after_tax_room is not None
    limits = limits_for(s.tax_year)
    assert s.compensation is not None
    assert s.elective_deferrals is not None
    ceiling = min(limits.annual_additions, s.compensation) - counted_deferrals(
        limits, s.elective_deferrals
    )
    assert Decimal(0) <= a.after_tax_room <= max(Decimal(0), ceiling)
    assert a.after_tax_room <= max(Decimal(0), s.compensation - s.elective_deferrals)


@settings(max_examples=300, deadline=None)
@given(situations())
def test_per_paycheck_never_overshoots_the_room(s: Situation) -> None:
    a = assess(s)
    if a.after_tax_per_paycheck is not None:
        assert s.remaining_paychecks is not None
        assert a.after_tax_room is not None
        assert a.after_tax_per_paycheck * s.remaining_paychecks <= a.after_tax_room
        assert a.after_tax_room - a.after_tax_per_paycheck * s.remaining_paychecks < (
            s.remaining_paychecks
        )


@settings(max_examples=300, deadline=None)
@given(situations(), small_money)
def test_more_employer_money_never_raises_the_room(s: Situation, extra: Decimal) -> None:
    assert s.employer_contributions is not None
    more = s.model_copy(update={"employer_contributions": s.employer_contributions + extra})
    room, room_after = assess(s).after_tax_room, assess(more).after_tax_room
    assert room is not None
    assert room_after is not None
    assert room_after <= room


@settings(max_examples=300, deadline=None)
@given(years, st.sampled_from(FilingStatus), money, money, ages, money)
def test_higher_magi_never_raises_the_roth_ira_amount(
    year: int, status: FilingStatus, magi: Decimal, extra: Decimal, age: int, pay: Decimal
) -> None:
    limits = limits_for(year)
    low = roth_ira_limit(limits, status, magi, age, pay)
    high = roth_ira_limit(limits, status, magi + extra, age, pay)
    assert high <= low
    assert Decimal(0) <= high


@settings(max_examples=300, deadline=None)
@given(years, st.sampled_from(FilingStatus), money, ages, money)
def test_roth_ira_amount_is_a_multiple_of_ten_or_the_maximum(
    year: int, status: FilingStatus, magi: Decimal, age: int, pay: Decimal
) -> None:
    limits = limits_for(year)
    allowed = roth_ira_limit(limits, status, magi, age, pay)
    maximum = min(limits.ira + (limits.ira_catch_up if age >= 50 else 0), pay)
    assert allowed <= maximum
    assert allowed == maximum or allowed % 10 == 0
    assert allowed == 0 or allowed >= min(Decimal(200), maximum)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value="0.01", max_value=100_000, places=2),
    st.decimals(min_value=0, max_value=10_000_000, places=2),
)
def test_pro_rata_fraction_stays_within_zero_and_one(
    contribution: Decimal, pretax: Decimal
) -> None:
    result = backdoor_taxable(contribution, pretax)
    assert result is not None
    fraction, taxable = result
    assert Decimal(0) <= fraction <= Decimal(1)
    assert Decimal(0) <= taxable <= contribution
    # Never more tax-free than the basis: the nontaxable part is at most the contribution.
    assert contribution - taxable <= contribution


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value="0.01", max_value=100_000, places=2),
    st.decimals(min_value=0, max_value=10_000_000, places=2),
    st.decimals(min_value=0, max_value=1_000_000, places=2),
)
def test_earlier_basis_only_lowers_the_taxable_part(
    contribution: Decimal, pretax: Decimal, basis: Decimal
) -> None:
    without = backdoor_taxable(contribution, pretax)
    with_basis = backdoor_taxable(contribution, pretax, basis)
    assert without is not None
    assert with_basis is not None
    assert with_basis[1] <= without[1]
    assert Decimal(0) <= with_basis[0] <= without[0]


def test_a_zero_conversion_has_no_fraction() -> None:
    """Issue 11 h: converting nothing has no taxable fraction (not 0%)."""
    assert backdoor_taxable(Decimal(0), Decimal(63000)) is None


@settings(max_examples=300, deadline=None)
@given(
    years,
    money,
    st.decimals(min_value=0, max_value=100_000, places=2),
    st.sampled_from(
        [((Decimal(100), Decimal(6)),), ((Decimal(50), Decimal(6)),),
         ((Decimal(100), Decimal(3)), (Decimal(50), Decimal(2))), ((Decimal(200), Decimal(4)),)]
    ),
)  # fmt: skip
def test_match_on_deferrals_is_tiered_match_on_plan_pay(
    year: int, pay: Decimal, deferrals: Decimal, tiers: tuple[tuple[Decimal, Decimal], ...]
) -> None:
    limits = limits_for(year)
    plan_pay = min(pay, limits.compensation)
    if plan_pay == 0:
        return
    percent = deferrals * 100 / plan_pay
    expected = tiered_match(limits, pay, percent, tiers)
    assert abs(match_on_deferrals(limits, pay, deferrals, tiers) - expected) <= Decimal("0.01")


@settings(max_examples=300, deadline=None)
@given(
    years,
    money,
    st.decimals(min_value=-1000, max_value=200_000, places=2),
    st.sampled_from(
        [((Decimal(100), Decimal(6)),), ((Decimal(100), Decimal(3)), (Decimal(50), Decimal(2))),
         ((Decimal(200), Decimal(4)),)]
    ),
)  # fmt: skip
def test_deferrals_within_415c_is_the_most_that_fits(
    year: int, pay: Decimal, budget: Decimal, tiers: tuple[tuple[Decimal, Decimal], ...]
) -> None:
    limits = limits_for(year)
    d = deferrals_within_415c(limits, pay, tiers, budget)
    if budget < 0:
        assert d == budget
        return
    assert d >= 0
    assert d + match_on_deferrals(limits, pay, d, tiers) <= budget
    more = d + Decimal("0.02")  # two cents more never fits (one may, by rounding)
    assert more + match_on_deferrals(limits, pay, more, tiers) > budget


@settings(max_examples=200, deadline=None)
@given(situations())
def test_actions_are_ordered_and_sourced(s: Situation) -> None:
    a = assess(s)
    codes = [x.value for x in a.codes]
    excess = [i for i, c in enumerate(codes) if c == "excess_contribution"]
    assert excess == list(range(len(excess))), "corrections come first"
    for action in a.actions:
        assert action.sources, action.code
        assert action.amount is None or action.amount >= 0


# --- Issue 14: the paychecks that are left ------------------------------------------

TIER_CHOICES = [
    None,
    (),
    ((Decimal(100), Decimal(6)),),
    ((Decimal(50), Decimal(6)),),
    ((Decimal(100), Decimal(3)), (Decimal(50), Decimal(2))),
    ((Decimal(200), Decimal(4)),),
]


@st.composite
def paycheck_situations(draw: st.DrawFn, complete: bool = False) -> Situation:
    """Situations with the paychecks known; `complete`: every payroll answer known."""
    year = draw(years)
    per_year = draw(st.sampled_from([12, 24, 26, 27, 52, 53]))
    left = draw(st.integers(min_value=1, max_value=per_year))
    pay = draw(st.one_of(dollars_(45_000), dollars_(400_000), dollars_(900_000)))
    deferrals = draw(st.one_of(st.just(Decimal(0)), dollars_(40_000), cents_(30_000)))
    nothing_paid = left == per_year
    so_far = Decimal(0) if nothing_paid else draw(st.decimals(0, deferrals, places=2))
    maybe = (lambda x: x) if complete else (lambda x: st.one_of(st.none(), x))
    cap = draw(st.sampled_from([None, Decimal(10), Decimal("15.5"), Decimal(100)]))
    return Situation(
        tax_year=year,
        age=draw(st.integers(min_value=18, max_value=80)),
        compensation=pay,
        elective_deferrals=deferrals,
        deferrals_so_far=draw(st.one_of(st.none(), st.just(so_far))) if not complete else so_far,
        roth_deferrals=Decimal(0),
        other_employer_deferrals=draw(maybe(st.one_of(st.just(Decimal(0)), dollars_(30_000)))),
        employer_contributions=draw(maybe(st.one_of(st.just(Decimal(0)), dollars_(20_000)))),
        match_tiers=draw(st.sampled_from(TIER_CHOICES)),
        match_true_up=draw(tristate),
        match_so_far=draw(st.one_of(st.none(), dollars_(15_000))),
        compensation_limit_prorated=draw(tristate),
        after_tax_contributed=draw(maybe(st.one_of(st.just(Decimal(0)), dollars_(40_000)))),
        election_step_percent=draw(
            st.sampled_from([None, Decimal(1), Decimal("0.5"), Decimal("0.1")])
        ),
        paychecks_per_year=per_year,
        remaining_paychecks=left,
        plan=PlanFeatures(
            after_tax_contributions=draw(st.sampled_from([True, True, None, False])),
            in_plan_roth_conversion=True,
            after_tax_cap_percent=cap,
        ),
    )


def dollars_(top: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=top, places=0)


def cents_(top: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=top, places=2)


def elections_within_limits(s: Situation, a: Assessment) -> None:
    """The elected percents x pay per paycheck x paychecks left never exceed the 415(c)
    room, the plan's cap or the pay; deferral % + after-tax % <= 100; the catch-up never
    overshoots. Worked out here from the assessment's own annual figures."""
    plan = a.paycheck_plan
    assert plan is not None
    check_plan_invariants(s, plan)
    limits = a.limits
    pay, left, ppc = s.compensation, plan.paychecks_left, plan.pay_per_paycheck
    assert pay is not None
    most = max(paychecks_paid(s))
    if a.deferral_headroom is None or s.elective_deferrals is None:
        return
    advised = s.elective_deferrals + a.deferral_headroom
    so_far = s.deferrals_so_far
    d, d_last = plan.deferral_percent, plan.last_deferral_percent
    if d is not None and d_last is not None and so_far is not None:
        for money in (
            share(s, d * left),
            share(s, d * (left - 1) + d_last),
            cents(d, most) * left,
            cents(d, most) * (left - 1) + cents(d_last, most),
        ):
            assert money <= advised - so_far, "deferrals past the year's target"
    a_pct, a_last = plan.after_tax_percent, plan.last_after_tax_percent
    if a_pct is None or a_last is None or s.after_tax_contributed is None:
        return
    employer = s.employer_contributions
    match = a.employer_match_advised if s.match_tiers is not None else Decimal(0)
    if employer is None or match is None:
        return
    room_415 = (
        min(limits.annual_additions, pay)
        - counted_deferrals(limits, advised)
        - employer
        - match
        - s.after_tax_contributed
    )
    # Exactly, as a share of the year's pay, and in the cents of the largest paycheck.
    exact = (share(s, a_pct * left), share(s, a_pct * (left - 1) + a_last))
    withheld = (cents(a_pct, most) * left, cents(a_pct, most) * (left - 1) + cents(a_last, most))
    for money in (*exact, *withheld):
        assert money <= max(Decimal(0), room_415), "past the 415(c) room"
        assert money <= max(Decimal(0), pay - advised - s.after_tax_contributed), "past pay"
        if s.plan.after_tax_cap_percent is not None:
            yearly = yearly_cap(s, limits) - s.after_tax_contributed
            assert money <= max(Decimal(0), yearly), "past the plan's yearly cap"
    if d is not None and d_last is not None:
        assert (d + a_pct) * ppc / 100 * left <= plan.pay_to_come
        assert d_last + a_last <= 100


@settings(max_examples=600, deadline=None)
@given(paycheck_situations())
def test_paycheck_elections_stay_within_the_room_the_cap_and_the_pay(s: Situation) -> None:
    a = assess(s)
    assert a.paycheck_plan is not None
    elections_within_limits(s, a)
    assert a.after_tax_room == a.paycheck_plan.after_tax_reachable or (
        s.plan.after_tax_contributions is not True
    )


@settings(max_examples=300, deadline=None)
@given(paycheck_situations(complete=True))
def test_a_complete_answer_fixes_every_plan_figure(s: Situation) -> None:
    """With every payroll answer known only the safe-side inputs may leave a figure open."""
    plan = assess(s).paycheck_plan
    assert plan is not None
    assert plan.deferral_percent is not None
    assert plan.last_deferral_percent is not None
    if s.plan.after_tax_contributions:
        assert plan.after_tax_percent is not None
        assert plan.last_after_tax_percent is not None
        assert plan.binding is not None


def test_the_checks_catch_elections_rounded_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deliberately wrong core (percents rounded up, not down, unchecked) fails them."""
    import rules.paychecks as paychecks

    def round_up(
        budget: Decimal,
        pay: Decimal,
        count: int,
        top: Decimal,
        step: Decimal,
        *_: object,
        **__: object,
    ) -> Decimal:
        if budget <= 0 or pay <= 0:
            return Decimal(0)
        exact = budget * 100 / (pay * count) / step
        return min(exact.to_integral_value(rounding=ROUND_CEILING) * step, top)

    s = Situation(
        tax_year=2026, age=35, compensation=Decimal(150000), elective_deferrals=Decimal(24500),
        other_employer_deferrals=Decimal(0), employer_contributions=Decimal(0),
        match_tiers=((Decimal(50), Decimal(6)),), after_tax_contributed=Decimal(0),
        paychecks_per_year=26, remaining_paychecks=26,
        plan=PlanFeatures(after_tax_contributions=True, in_plan_roth_conversion=True),
    )  # fmt: skip
    elections_within_limits(s, assess(s))  # the real core passes
    monkeypatch.setattr(paychecks, "elect", round_up)
    with pytest.raises(AssertionError):
        elections_within_limits(s, assess(s))


def test_the_checks_catch_a_cap_not_applied_per_paycheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deliberately wrong core (the after-tax cap left out per paycheck) fails them."""
    import rules.paychecks as paychecks

    real = paychecks.paid_payroll_figures

    def no_cap(*args: object) -> object:
        args_ = list(args)
        args_[4] = None  # cap_percent
        return real(*args_)  # type: ignore[arg-type]

    s = Situation(
        tax_year=2026, age=35, compensation=Decimal(150000), elective_deferrals=Decimal(24500),
        other_employer_deferrals=Decimal(0), employer_contributions=Decimal(0),
        after_tax_contributed=Decimal(0), paychecks_per_year=26, remaining_paychecks=26,
        plan=PlanFeatures(after_tax_contributions=True, in_plan_roth_conversion=True,
                          after_tax_cap_percent=Decimal(10)),
    )  # fmt: skip
    elections_within_limits(s, assess(s))
    monkeypatch.setattr(paychecks, "paid_payroll_figures", no_cap)
    import rules.assessment as assessment

    monkeypatch.setattr(assessment, "paid_payroll_figures", no_cap)
    with pytest.raises(AssertionError):
        elections_within_limits(s, assess(s))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([12, 24, 26, 27, 52, 53]),
    st.data(),
    st.decimals(min_value=1, max_value=2_000_000, places=0),
    st.sampled_from([None, True, False]),
)
def test_counted_pay_in_runs_is_counted_pay_paycheck_by_paycheck(
    per_year: int, data: st.DataObject, pay: Decimal, prorated: bool | None
) -> None:
    """401(a)(17): the runs the match is summed by are the paychecks left, in order."""
    from rules.paychecks import PayContext, pay_per_paycheck

    left = data.draw(st.integers(min_value=1, max_value=per_year))
    ctx = PayContext(
        per_year=per_year, left=left, pay=pay_per_paycheck(pay, per_year), step=Decimal(1),
        compensation=pay, pay_limit=Decimal(360000), true_up=False, prorated=prorated,
        match_so_far=None,
    )  # fmt: skip
    for method in ctx.methods():
        expanded = [c for count, c in ctx.runs(method) for _ in range(count)]
        assert expanded == list(ctx.counted_rest(method))
        counted = sum(ctx.counted_rest(method), Decimal(0)) + ctx.counted_past(method)
        if method is not None:  # above the limit: the year counts the limit, at most
            assert counted <= Decimal(360000) + Decimal("0.01") * per_year


# --- Percents that meet the year's limits exactly -----------------------------------
# A limit that is k% of the year's pay is met by k% of every paycheck: the elections are
# checked as shares of the exact pay per paycheck (the year's pay / paychecks a year),
# and in the cents payroll withholds. Of the pay rounded to the cent, 15% of the 26
# paychecks of 205,000 (7,884.62) came to 30,750.018, "over" a cap of 15% of 205,000,
# and 14% was elected; a 415(c) room or a 402(g) target of k% of the pay lost a step the
# same way.

PERCENTS = st.sampled_from([Decimal(5), Decimal(10), Decimal("12.5"), Decimal(15), Decimal(20)])
STEPS = st.sampled_from([None, Decimal("0.5"), Decimal("0.1")])


def _open_year(pay: Decimal, per_year: int, left: int, **answers: object) -> Situation:
    """2026, age 35, the paychecks known, no match formula, after-tax allowed."""
    given_: dict[str, object] = {
        "tax_year": 2026,
        "age": 35,
        "compensation": pay,
        "elective_deferrals": Decimal(24500),
        "deferrals_so_far": Decimal(0),
        "roth_deferrals": Decimal(0),
        "other_employer_deferrals": Decimal(0),
        "employer_contributions": Decimal(0),
        "after_tax_contributed": Decimal(0),
        "paychecks_per_year": per_year,
        "remaining_paychecks": left,
        "plan": PlanFeatures(after_tax_contributions=True, in_plan_roth_conversion=True),
    }
    return Situation.model_validate({**given_, **answers})


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=100_000, max_value=300_000, places=2),
    st.sampled_from([12, 24, 26, 27, 52, 53]),
    st.data(),
    PERCENTS,
    STEPS,
)
def test_a_cap_of_k_percent_of_pay_is_reached_by_electing_k_percent(
    pay: Decimal, per_year: int, data: st.DataObject, cap: Decimal, step: Decimal | None
) -> None:
    """A cap that is a percent of each paycheck is never passed by electing that percent:
    with nothing after-tax in yet, or with that percent of every paycheck paid so far."""
    left = data.draw(st.integers(min_value=1, max_value=per_year))
    paid = per_year - left
    probe = _open_year(pay, per_year, left)
    withheld = cents(cap, data.draw(st.sampled_from(sorted(paychecks_paid(probe)))))
    s = _open_year(
        pay,
        per_year,
        left,
        deferrals_so_far=(Decimal(24500) * paid / per_year).quantize(Decimal("0.01")),
        after_tax_contributed=withheld * paid,
        election_step_percent=step,
        plan=PlanFeatures(
            after_tax_contributions=True, in_plan_roth_conversion=True, after_tax_cap_percent=cap
        ),
    )
    most = max(paychecks_paid(s))
    assume(cents(cap, most) * per_year <= 72_000 - 24_500)  # 415(c) does not bind
    plan = assess(s).paycheck_plan
    assert plan is not None
    elections_within_limits(s, assess(s))
    assert plan.deferral_percent is not None
    assert plan.last_deferral_percent is not None
    assume(plan.last_deferral_percent + cap <= 100)  # the deferrals leave the cap's room
    elected = floor_step(cap, plan.step)
    assert plan.after_tax_percent == elected, (plan.after_tax_percent, cap)
    assert plan.last_after_tax_percent == elected
    assert plan.binding == "plan_cap"


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=60_000, max_value=300_000, places=2),
    st.sampled_from([12, 24, 26, 27, 52, 53]),
    PERCENTS,
    STEPS,
)
def test_a_415c_room_of_k_percent_of_pay_is_reached_by_electing_k_percent(
    pay: Decimal, per_year: int, k: Decimal, step: Decimal | None
) -> None:
    """Employer money leaving a 415(c) room of exactly k% of the year's pay: k% of every
    paycheck is elected whenever payroll's cents for it fit the room (when they don't,
    k% would really put in more than 415(c) allows)."""
    room = pay * k / 100
    employer = min(Decimal(72000), pay) - 24_500 - room
    assume(employer >= 0)
    s = _open_year(pay, per_year, per_year, employer_contributions=employer,
                   election_step_percent=step)  # fmt: skip
    a = assess(s)
    plan = a.paycheck_plan
    assert plan is not None
    elections_within_limits(s, a)
    assert plan.deferral_percent is not None
    assert plan.last_deferral_percent is not None
    assume(plan.last_deferral_percent + k <= 100)
    elected = floor_step(k, plan.step)
    fits = cents(elected, max(paychecks_paid(s))) * per_year <= room
    assert (plan.after_tax_percent == elected) is fits, (plan.after_tax_percent, k, fits)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=60_000, max_value=300_000, places=2),
    st.sampled_from([12, 24, 26, 27, 52, 53]),
    st.sampled_from([Decimal(5), Decimal(8), Decimal("9.5"), Decimal(10), Decimal("12.5")]),
    STEPS,
)
def test_a_402g_target_of_k_percent_of_pay_is_reached_by_deferring_k_percent(
    pay: Decimal, per_year: int, k: Decimal, step: Decimal | None
) -> None:
    """Other employers' deferrals leaving 402(g) room of exactly k% of the year's pay: k%
    of every paycheck is deferred whenever payroll's cents for it fit."""
    target = pay * k / 100
    assume(target <= 24_500)
    other = 24_500 - target
    s = _open_year(pay, per_year, per_year, elective_deferrals=Decimal(0),
                   other_employer_deferrals=other, election_step_percent=step)  # fmt: skip
    a = assess(s)
    plan = a.paycheck_plan
    assert plan is not None
    elections_within_limits(s, a)
    assert plan.deferral_target == target
    elected = floor_step(k, plan.step)
    fits = cents(elected, max(paychecks_paid(s))) * per_year <= target
    assert (plan.deferral_percent == elected) is fits, (plan.deferral_percent, k, fits)
