"""What the answers mean for the rules core: ages from birth years, "the maximum" in
dollars, planned deferrals kept to what the year allows, and which questions change
the result (the skip predicates that need the IRS figures).

`catalog.to_situation` assembles the Situation from these.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dialogs.session import Answers, Born
from rules import (
    FilingStatus,
    Limits,
    PlanFeatures,
    Situation,
    assess,
    catch_up_limit,
    limits_for,
)

ZERO = Decimal(0)
MIN_AGE, MAX_AGE = 18, 120

# Married filing separately, not living together all year: single for the Roth IRA.
FILING_STATUS = {
    "single": FilingStatus.single,
    "married_joint": FilingStatus.married_joint,
    "married_separate": FilingStatus.married_separate,
    "married_separate_apart": FilingStatus.single,
    "head_of_household": FilingStatus.head_of_household,
}


def age_in(a: Answers, year: int) -> int | None:
    """The age on December 31 of `year`: a birth year counts for the year planned."""
    if isinstance(a.age, Born):
        age = year - a.age.year
        return age if MIN_AGE <= age <= MAX_AGE else None
    return a.age


def _ira_dollar_limit(limits: Limits, age: int | None) -> Decimal:
    """219(b)(5): the IRA limit, with the catch-up where the age may reach 50."""
    catch_up = age is None or age >= limits.catch_up_age
    return limits.ira + (limits.ira_catch_up if catch_up else ZERO)


def plan_features(
    a: Answers, conversion: str | None, auto: str | None, cap: object
) -> PlanFeatures:
    known_route = conversion not in (None, "unsure")
    return PlanFeatures(
        after_tax_contributions=_tri(a.after_tax),
        in_plan_roth_conversion=conversion in ("in_plan", "both") if known_route else None,
        in_service_withdrawal=conversion in ("in_service", "both") if known_route else None,
        automatic_conversion=_tri(auto),
        after_tax_cap_percent=cap if isinstance(cap, Decimal) else None,
    )


def _tri(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def employer_money(
    a: Answers, limits: Limits
) -> tuple[Decimal | None, tuple[tuple[Decimal, Decimal], ...] | None]:
    """(employer money that doesn't depend on deferrals, the match formula's tiers).

    A formula reaches the core as its tiers, so the core prices the match at the
    deferrals its advice leads to; only a nonelective percent is turned into dollars
    here. A dollar answer is all employer money, with no formula.
    """
    formula = a.employer
    if formula is None or isinstance(formula, Decimal):
        return formula, None
    tiers = formula.tiers or None
    if not formula.nonelective:
        return ZERO, tiers
    if a.pay is None:
        return None, tiers
    nonelective = min(a.pay, limits.compensation) * formula.nonelective / 100
    return nonelective.quantize(Decimal("0.01")), tiers


def dollar_max(a: Answers, year: int) -> Decimal | None:
    """'The maximum' by the dollar limits alone: 402(g) with the catch-up for the age,
    less what other employers took, never above pay (catalog.to_situation then keeps it
    within 415(c) with the core)."""
    age = age_in(a, year)
    if age is None:
        return None
    limits = limits_for(year)
    limit = limits.elective_deferral + catch_up_limit(limits, age) - (a.other_deferrals or ZERO)
    limit = max(ZERO, limit)
    return limit if a.pay is None else min(limit, a.pay)


def core_max(base: Situation) -> Decimal | None:
    """The most this person can defer here this year, as the core works it out: its
    raise from nothing (402(g) per person, pay left, 415(c) with the match drawn)."""
    return assess(
        base.model_copy(update={"elective_deferrals": ZERO, "as_of": None})
    ).deferral_headroom


def year_open(year: int, as_of: dt.date | None) -> bool:
    return as_of is None or as_of.year <= year


# ---------------------------------------------------------------- when questions matter
# Skip predicates that need the year's figures. Each may look only at earlier answers.


def _year(a: Answers) -> int | None:
    return a.tax_year


def _deferrals_known(a: Answers) -> Decimal | None:
    """The deferral answer in dollars when it is a number (the maximum: its dollar cap)."""
    if a.deferrals == "max":
        year = _year(a)
        if year is None:
            return None
        return dollar_max(a, year)
    return a.deferrals


def split_moot(a: Answers) -> bool:
    """Whether deferrals are pre-tax or Roth changes nothing: there are none, or the
    income the IRA rules use is past (or short of) the phase-out either way and pay
    less all deferrals still covers the IRA limit."""
    year, deferrals = _year(a), _deferrals_known(a)
    if year is None or deferrals is None or a.pay is None:
        return False
    if deferrals == ZERO:
        return True
    limits = limits_for(year)
    most = max(deferrals, dollar_max(a, year) or deferrals)  # the advice may raise them
    if a.pay - most < _ira_dollar_limit(limits, age_in(a, year)):
        return False  # pre-tax deferrals would cap the IRA (219(b)(1)(B))
    if a.magi != "pay":
        return True  # MAGI was typed: the split only matters for the IRA cap
    status = FILING_STATUS.get(a.filing_status or "")
    if status is None:
        return False
    start, end = limits.roth_ira_phaseout[status]
    return a.pay - deferrals >= end or a.pay <= start


def not_a_spousal_ira(a: Answers) -> bool:
    """A spouse's pay only counts for a joint return whose own pay (less pre-tax
    deferrals, the advised raise included) falls short of the IRA limit (219(c))."""
    year, deferrals = _year(a), _deferrals_known(a)
    if a.filing_status != "married_joint":
        return True
    if year is None or deferrals is None or a.pay is None:
        return False
    roth = deferrals if a.roth_part == "all" else a.roth_part
    most = max(deferrals, dollar_max(a, year) or deferrals)  # a raise is taken as pre-tax
    pretax = most if roth is None else max(ZERO, most - roth)
    limits = limits_for(year)
    return a.pay - pretax >= _ira_dollar_limit(limits, age_in(a, year))


def no_ira_balance(a: Answers) -> bool:
    """Earlier nondeductible basis only matters beside a traditional IRA balance."""
    return not a.ira_balance
