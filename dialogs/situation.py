"""What the answers mean for the rules core: ages from birth years, "the maximum" in
dollars, planned deferrals kept to what the year allows, the years that can be planned
(next year on this year's figures as a floor), the paychecks, and which questions change
the result (the skip predicates that need the IRS figures or the date).

`catalog.to_situation` assembles the Situation from these.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dialogs.session import Answers, Born
from rules import (
    PAYCHECKS_PER_YEAR,
    FilingStatus,
    Limits,
    PlanFeatures,
    Situation,
    assess,
    catch_up_limit,
    limits_for,
    paychecks_left,
    supported_years,
)

ZERO = Decimal(0)
CENT = Decimal("0.01")
MIN_AGE, MAX_AGE = 18, 120

# Married filing separately, not living together all year: single for the Roth IRA.
FILING_STATUS = {
    "single": FilingStatus.single,
    "married_joint": FilingStatus.married_joint,
    "married_separate": FilingStatus.married_separate,
    "married_separate_apart": FilingStatus.single,
    "head_of_household": FilingStatus.head_of_household,
}


# ---------------------------------------------------------------- which years, which figures

NEXT_YEAR_FROM_MONTH = 11  # from November on, next year's January elections can be planned


def floor_of(year: int) -> int | None:
    """The loaded year a year without its own IRS figures is planned on, as a floor: the
    year before it, if loaded (`rules.floor`); None when the year's own are loaded."""
    years = supported_years()
    if year in years:
        return None
    return year - 1 if year - 1 in years else None


def figures_for(year: int) -> Limits:
    """The figures a year is planned on: its own, or its floor's (never extrapolated)."""
    floor = floor_of(year)
    return limits_for(year if floor is None else floor)


def plannable_years(today: dt.date) -> tuple[int, ...]:
    """The loaded years, plus this year on last year's figures while this year's are not
    loaded, and from November next year on this year's (a floor, labelled as one)."""
    years = set(supported_years())
    if floor_of(today.year) is not None:
        years.add(today.year)
    if today.month >= NEXT_YEAR_FROM_MONTH and (
        today.year + 1 in years or floor_of(today.year + 1) is not None
    ):
        years.add(today.year + 1)
    return tuple(sorted(years))


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
    a: Answers, limits: Limits, on_floor: bool = False
) -> tuple[Decimal | None, tuple[tuple[Decimal, Decimal], ...] | None]:
    """(employer money that doesn't depend on deferrals, the match formula's tiers).

    A formula reaches the core as its tiers, so the core prices the match at the
    deferrals its advice leads to; only a nonelective percent is turned into dollars
    here, on pay up to 401(a)(17) (on a floor, on the whole pay: next year's limit may
    be higher, and more employer money leaves less room). A dollar answer is all
    employer money, with no formula.
    """
    formula = a.employer
    if formula is None or isinstance(formula, Decimal):
        return formula, None
    tiers = formula.tiers or None
    if not formula.nonelective:
        return ZERO, tiers
    if a.pay is None:
        return None, tiers
    counted = a.pay if on_floor else min(a.pay, limits.compensation)
    nonelective = counted * formula.nonelective / 100
    return nonelective.quantize(CENT), tiers


def dollar_max(a: Answers, year: int) -> Decimal | None:
    """'The maximum' by the dollar limits alone: 402(g) with the catch-up for the age,
    less what other employers took, never above pay (catalog.to_situation then keeps it
    within 415(c) with the core)."""
    age = age_in(a, year)
    if age is None:
        return None
    limits = figures_for(year)
    limit = limits.elective_deferral + catch_up_limit(limits, age) - (a.other_deferrals or ZERO)
    limit = max(ZERO, limit)
    return limit if a.pay is None else min(limit, a.pay)


def core_max(base: Situation) -> Decimal | None:
    """The most this person can defer here this year, as the core works it out: what is
    deferred so far and its raise from there (402(g) per person, the pay and paychecks
    left, 415(c) with the match drawn). While what is deferred so far is unknown and
    paychecks of the year are paid, the pay left is no bound: the year's limits and pay
    are (the core without the paychecks)."""
    paid = (
        base.remaining_paychecks is not None
        and base.paychecks_per_year is not None
        and base.remaining_paychecks < base.paychecks_per_year
    )
    if base.deferrals_so_far is None and paid:
        unpaced = {"elective_deferrals": ZERO, "remaining_paychecks": None, "as_of": None}
        return assess(base.model_copy(update=unpaced)).deferral_headroom
    so_far = base.deferrals_so_far or ZERO
    headroom = assess(
        base.model_copy(update={"elective_deferrals": so_far, "as_of": None})
    ).deferral_headroom
    return None if headroom is None else so_far + headroom


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
    if floor_of(year) is not None:
        return False  # a floor's figures may be lower than the year's: ask
    limits = figures_for(year)
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
    if year is None or deferrals is None or a.pay is None or floor_of(year) is not None:
        return False
    roth = deferrals if a.roth_part == "all" else a.roth_part
    most = max(deferrals, dollar_max(a, year) or deferrals)  # a raise is taken as pre-tax
    pretax = most if roth is None else max(ZERO, most - roth)
    limits = figures_for(year)
    return a.pay - pretax >= _ira_dollar_limit(limits, age_in(a, year))


def no_ira_balance(a: Answers) -> bool:
    """Earlier nondeductible basis only matters beside a traditional IRA balance."""
    return not a.ira_balance


def year_over(a: Answers) -> bool:
    """The tax year has ended: its payroll is closed, so paychecks don't matter."""
    return a.today is not None and a.tax_year is not None and a.tax_year < a.today.year


def year_ahead(a: Answers) -> bool:
    """The tax year has not begun: none of its paychecks is paid."""
    return a.today is not None and a.tax_year is not None and a.tax_year > a.today.year


def paychecks_per_year(a: Answers) -> int | None:
    """The year's paychecks: the frequency's, or one more in a year whose count says so
    (a 27th biweekly or 53rd weekly paycheck)."""
    if a.pay_frequency is None:
        return None
    usual = PAYCHECKS_PER_YEAR[a.pay_frequency]
    return usual + 1 if a.paychecks is not None and a.paychecks > usual else usual


def estimated_paychecks(a: Answers) -> int | None:
    """The paychecks left by the calendar (`rules.paychecks_left`), counting one today."""
    if a.pay_frequency is None or a.tax_year is None or a.today is None:
        return None
    return paychecks_left(a.pay_frequency, a.tax_year, a.today)


def most_paychecks(a: Answers) -> int | None:
    """The most paychecks the rest of the year can hold: the estimate, except that the
    days left may hold a 27th biweekly or 53rd weekly paycheck."""
    frequency, year, today = a.pay_frequency, a.tax_year, a.today
    if frequency is None or year is None or today is None or year < today.year:
        return None
    usual = PAYCHECKS_PER_YEAR[frequency]
    days_apart = {"weekly": 7, "biweekly": 14}.get(frequency)
    if days_apart is None:
        return paychecks_left(frequency, year, today)
    start = max(today, dt.date(year, 1, 1))
    days = (dt.date(year, 12, 31) - start).days + 1
    return min(usual + 1, -(-days // days_apart))


def none_paid_yet(a: Answers) -> bool:
    """No paycheck of the year has been paid: nothing deferred so far."""
    per_year = paychecks_per_year(a)
    return year_ahead(a) or (
        a.paychecks is not None and per_year is not None and a.paychecks >= per_year
    )


def payroll_closed(a: Answers) -> bool:
    """The year is over, or its last paycheck is paid: no election changes anything."""
    return year_over(a) or a.paychecks == 0
