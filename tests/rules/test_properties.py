"""Invariants of the assessment, checked with hypothesis over generated situations."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import (
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
from rules.roth_ira import roth_ira_limit

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
