"""Planning a year whose IRS figures are not loaded yet on an earlier year's, as a floor.

In November the IRS may not have published next year's figures (or we have not loaded
them). `Situation.floor_of` plans `tax_year` on the figures of `floor_of`, an earlier,
loaded year: never extrapolated, and each figure taken on the side that never
over-promises. The cost-of-living adjustments have never lowered these limits, so the
earlier year's figure is at most next year's; whether that under-promises depends on
what the figure does in the rules, so each one is decided here (FLOOR_DIRECTIONS), and
a test makes sure every Limits field has a decision:

- a limit on what may go in (402(g), catch-ups, 415(c), IRA limits, the plan's cap as a
  percent of pay up to 401(a)(17)): a lower limit under-promises room; used as it is;
- the 401(a)(17) pay limit for the match: a higher limit next year means a larger match
  above it, hence LESS after-tax room; so above the floor year's limit the match is
  priced on the whole pay (no limit at all): the most any next-year limit gives;
- the Roth IRA phase-out ranges: higher next year means more direct Roth room; the
  floor's range under-promises the direct part and the rest goes to the backdoor
  (which has no income limit), so the IRA total is the floor's IRA limit either way;
- the 414(v)(7) Roth catch-up wage threshold: a higher threshold exempts more people;
  the floor's (lower) one asks Roth catch-ups of everyone the real one could;
- dates (IRA contributions, excess-deferral refunds) are the floor year's, a year early:
  the actions carry no deadline when planning on a floor; the 414(q) HCE threshold is
  the look-back year's, loaded whenever the floor is last year's.

An excess found on a floor is not certain (next year's limit may be higher): it is
reported only as a possibility (`assessment`).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import cache

from rules.figures import Limits
from rules.limits import limits_for, parameters, supported_years

FAR = Decimal("1E+9")  # no 401(a)(17) limit for the match on a floor (models.MAX_MONEY)

# How each Limits field is used on a floor, and why that never over-promises.
FLOOR_DIRECTIONS: dict[str, str] = {
    "year": "the floor year itself: the figures shown are that year's, labelled as a floor",
    "elective_deferral": "402(g)(4) indexes it up only: a lower limit advises less deferral",
    "catch_up_50": "414(v)(2)(C) indexes it up only: a lower catch-up advises less",
    "catch_up_60_63": "414(v)(2)(E) indexes it up only; absent before 2025: the regular, lower"
    " catch-up",
    "annual_additions": "415(d) indexes 415(c) up only: a lower limit leaves less room",
    "compensation": "401(a)(17) rises: more match above it, less room; the match is priced"
    " on the whole pay, the plan's after-tax cap on the floor's (lower) limit",
    "hce_compensation": "414(q) uses the look-back year's threshold (loaded); past the"
    " latest loaded year, its threshold (indexed up only: flags at least as many HCEs)",
    "ira": "219(b)(5)(C) indexes it up only: a lower IRA limit advises less",
    "ira_catch_up": "219(b)(5)(D) indexes it up only: a lower catch-up advises less",
    "roth_ira_phaseout": "408A(c)(3) ranges rise: the floor's range allows less direct Roth,"
    " the rest shows as a backdoor (no income limit), total the floor's IRA limit",
    "roth_catch_up_wage_threshold": "414(v)(7)(A) indexes it up only: the floor's lower"
    " threshold asks Roth catch-ups of everyone the real one could; absent in the floor"
    " year, the lowest enforced threshold loaded",
    "catch_up_age": "414(v)(5) fixes age 50: not indexed",
    "catch_up_60_63_ages": "414(v)(2)(E) fixes ages 60-63: not indexed",
    "ira_contribution_deadline": "a date of the floor year, a year early: actions planned on"
    " a floor carry no deadline",
    "excess_deferral_deadline": "a date of the floor year, a year early: actions planned on"
    " a floor carry no deadline",
    "sources": "the floor year's citations: the figures are that year's",
}


@cache
def planning_limits(tax_year: int, floor_of: int | None) -> tuple[Limits, Limits, bool]:
    """(limits, the limits the match is priced with, whether on a floor) for a plan.

    A year whose figures are loaded uses them (any `floor_of` is then moot). Otherwise
    `floor_of`'s figures, as FLOOR_DIRECTIONS says. The Situation validates both years.
    """
    if tax_year in supported_years() or floor_of is None:
        limits = limits_for(tax_year)
        return limits, limits, False
    limits = limits_for(floor_of)
    if limits.roth_catch_up_wage_threshold is None:
        enforced = [
            limits_for(y).roth_catch_up_wage_threshold
            for y in supported_years()
            if y <= tax_year and limits_for(y).roth_catch_up_wage_threshold is not None
        ]
        if enforced:
            limits = dataclasses.replace(
                limits, roth_catch_up_wage_threshold=min(x for x in enforced if x is not None)
            )
    return limits, dataclasses.replace(limits, compensation=FAR), True


@cache
def lookback_year(tax_year: int) -> int:
    """414(q)(1)(B): the look-back year for HCE status, or the latest loaded before it.

    The look-back year is the year before (its threshold is loaded when the floor is last
    year's); planning further ahead, the latest threshold loaded, which is lower than or
    equal to the real one, so it calls HCE everyone the real one could.
    """
    loaded = sorted(year for year in parameters()["hce_compensation_threshold"].values)
    earlier = [year for year in loaded if year < tax_year]
    return tax_year - 1 if tax_year - 1 in loaded or not earlier else earlier[-1]
