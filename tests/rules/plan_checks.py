"""What every paycheck plan must satisfy: the YAML cases and the properties check it."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

from rules import PaycheckPlan, Situation
from rules.figures import Limits

CENT = Decimal("0.01")


def cents(percent: Decimal, pay: Decimal) -> Decimal:
    """What payroll withholds for `percent` of `pay`: to the cent, half up."""
    return (pay * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def paychecks_paid(s: Situation) -> set[Decimal]:
    """The paychecks a payroll paying the year's pay evenly to the cent pays."""
    assert s.compensation is not None
    assert s.paychecks_per_year is not None
    share = s.compensation / s.paychecks_per_year
    return {share.quantize(CENT, rounding=r) for r in (ROUND_FLOOR, ROUND_CEILING)}


def share(s: Situation, percent_paychecks: Decimal) -> Fraction:
    """Exactly: percents x paychecks of the exact pay per paycheck (the year's pay /
    paychecks a year, unrounded), the terms the year's limits are in."""
    assert s.compensation is not None
    assert s.paychecks_per_year is not None
    return Fraction(s.compensation) * Fraction(percent_paychecks) / (s.paychecks_per_year * 100)


def yearly_cap(s: Situation, limits: Limits) -> Decimal:
    """The plan's after-tax cap for the year: its percent of the pay it counts (up to
    401(a)(17)), and, on pay within that limit, never less than what the percent of
    every paycheck of the year withholds (of the largest): payroll's rounding of the
    cap's percent on each paycheck is within the cap (`rules.paychecks.yearly_cap`)."""
    cap, pay = s.plan.after_tax_cap_percent, s.compensation
    assert cap is not None
    assert pay is not None
    assert s.paychecks_per_year is not None
    plan_pay = min(pay, limits.compensation)
    yearly = plan_pay * cap / 100
    if plan_pay == pay:
        yearly = max(yearly, cents(cap, max(paychecks_paid(s))) * s.paychecks_per_year)
    return yearly


def check_plan_invariants(s: Situation, plan: PaycheckPlan) -> None:
    """What every paycheck plan must satisfy (also used by the property tests)."""
    left, pay, step = plan.paychecks_left, plan.pay_per_paycheck, plan.step
    assert left == s.remaining_paychecks
    assert plan.pay_to_come == pay * left
    cap = s.plan.after_tax_cap_percent
    pairs = [
        (plan.deferral_percent, plan.after_tax_percent),
        (plan.last_deferral_percent, plan.last_after_tax_percent),
    ]
    for d, a in pairs:
        for pct in (d, a):
            assert pct is None or (0 <= pct <= 100 and pct % step == 0), pct
        if d is not None and a is not None:
            assert d + a <= 100, f"{d}% + {a}% is more than the paycheck"
            # In the cents payroll withholds for each (half up), on any paycheck an even
            # split of the year's pay to the cent pays (`pay` is one of them).
            for paid in paychecks_paid(s):
                money = cents(d, paid) + cents(a, paid)
                assert money <= paid, f"{d}% + {a}% of {paid} = {money}"
        if a is not None and cap is not None:
            assert a <= cap, f"{a}% passes the plan's {cap}% cap"
    # (kind, what the limits allow, what the paychecks reach of it)
    kinds: list[tuple[str, Decimal | None, Decimal | None]] = [
        ("deferral", plan.deferral_target, None),
        ("after_tax", None, plan.after_tax_reachable),
    ]
    if plan.deferral_target is not None and plan.deferral_shortfall is not None:
        kinds[0] = (
            "deferral",
            plan.deferral_target,
            plan.deferral_target - plan.deferral_shortfall,
        )
    if plan.after_tax_reachable is not None and plan.after_tax_shortfall is not None:
        kinds[1] = ("after_tax", plan.after_tax_reachable + plan.after_tax_shortfall,
                    plan.after_tax_reachable)  # fmt: skip
    for kind, allowed, reach in kinds:
        pct = getattr(plan, f"{kind}_percent")
        per = getattr(plan, f"{kind}_per_paycheck")
        left_over = getattr(plan, f"{kind}_left_over")
        last = getattr(plan, f"last_{kind}_percent")
        to_come = getattr(plan, f"{kind}_to_come")
        if allowed is None or reach is None or pct is None or per is None or left_over is None:
            continue
        # Exactly, as a share of the year's pay; and in the cents of the largest paycheck
        # (what payroll withholds, however it splits the year's pay to the cent).
        assert share(s, pct * left) <= allowed, f"{kind}: {pct}% x {left} > {allowed}"
        most = max(paychecks_paid(s))
        assert cents(pct, most) * left <= allowed, f"{kind}: {pct}% of {most} x {left}"
        assert per * left <= reach, f"{kind}: {per} x {left} > {reach}"
        assert per * left + left_over == reach, kind
        assert left_over >= 0, kind
        if last is None or to_come is None:  # the catch-up turns on an unknown
            continue
        if kind == "deferral":  # after-tax may make way for the deferral catch-up
            assert last >= pct, f"{kind}: the catch-up lowers the election"
        assert to_come <= reach, f"{kind}: the catch-up overshoots"
        assert to_come == per * (left - 1) + (last * pay / 100).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        assert share(s, pct * (left - 1) + last) <= allowed, kind
        assert cents(pct, most) * (left - 1) + cents(last, most) <= allowed, kind
    if s.plan.after_tax_contributions is not True:
        assert plan.binding is None
        zero = s.plan.after_tax_contributions is False
        assert plan.after_tax_percent == (0 if zero else None)
    elif plan.after_tax_reachable is not None and plan.after_tax_shortfall is not None:
        assert plan.after_tax_shortfall >= 0
        # The binding limit may be unknown when the answers left open disagree on it.
        if plan.binding is not None:
            assert plan.binding in ("415(c)", "plan_cap", "pay", "402(g)")
            assert (plan.binding == "415(c)") == (plan.after_tax_shortfall == 0), plan.binding
