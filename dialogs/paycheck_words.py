"""The paycheck plan in words: the elections to make on each paycheck left, what the
rounding leaves, what limits the after-tax money, and what the match does.

`rules.PaycheckPlan` holds the figures; this module only words them. Percents are
shown exactly as elected (`Translator.election`); dollars in whole dollars rounded
down (what goes in never shows more than it is).
"""

from __future__ import annotations

from decimal import Decimal

from dialogs.i18n import Translator
from dialogs.render import whole
from rules import Assessment, PaycheckPlan, Situation

ZERO = Decimal(0)
ONE_DOLLAR = Decimal(1)
MOST_OF_A_PAYCHECK = Decimal(90)  # elections this high may leave too little for taxes


def plan_text(t: Translator, a: Assessment, s: Situation) -> str | None:
    """The paychecks block of the result, or None without a plan (or nothing to elect)."""
    plan = a.paycheck_plan
    if plan is None or plan.paychecks_left == 0:
        return None
    n = plan.paychecks_left
    pay = whole(t, plan.pay_per_paycheck)  # outside t.plural(), for Babel's extractor
    lines = [
        t.plural(
            "<b>Your {n} paycheck left in {year}</b> (about {pay} before taxes):",
            "<b>Your {n} paychecks left in {year}</b> (about {pay} each before taxes):",
            n,
            year=s.tax_year,
            pay=pay,
        )
    ]
    deferral = deferral_line(t, plan, s.tax_year)
    if deferral:
        lines.append("• " + deferral)
    after_tax = after_tax_line(t, plan, s.tax_year)
    if after_tax:
        lines.append("• " + after_tax)
    if plan.match_per_paycheck and plan.match_to_come:
        amount, total = whole(t, plan.match_per_paycheck), whole(t, plan.match_to_come)
        if n == 1:
            match = t("Your employer's match: about {total} on it.", total=total)
        else:
            match = t(
                "Your employer's match: about {amount} a paycheck, {total} in all.",
                amount=amount,
                total=total,
            )
        lines.append("• " + match)
    share = share_line(t, plan)
    if share:
        lines.append(share)
    lines += [line for line in notes(t, plan, s) if line]
    return "\n".join(lines) if len(lines) > 1 else None


def _elections(
    t: Translator, plan: PaycheckPlan, percent: Decimal, per: Decimal, last: Decimal
) -> str:
    """ "elect 19% of each paycheck ($1,461), 20% on the last one" (or of this one)."""
    if plan.paychecks_left == 1:
        return t("elect <b>{percent}</b> of this paycheck", percent=t.election(percent))
    if last == percent:
        return t(
            "elect <b>{percent}</b> of each paycheck ({amount})",
            percent=t.election(percent),
            amount=whole(t, per),
        )
    return t(
        "elect <b>{percent}</b> of each paycheck ({amount}), <b>{last}</b> on the last one",
        percent=t.election(percent),
        amount=whole(t, per),
        last=t.election(last),
    )


def deferral_line(t: Translator, plan: PaycheckPlan, year: int) -> str:
    target, percent, per = plan.deferral_target, plan.deferral_percent, plan.deferral_per_paycheck
    if target is None or percent is None or per is None:
        return t(
            "Deferrals: the percent to elect depends on what you have deferred so far this "
            "year (the year-to-date figure on your pay stub); /summary adds it."
        )
    if target == 0:
        return t(
            "Deferrals: nothing more this year; set them to <b>0%</b> for the paychecks left, "
            "or they go over your limit."
        )
    last = plan.last_deferral_percent if plan.last_deferral_percent is not None else percent
    total = plan.deferral_to_come if plan.deferral_to_come is not None else target
    return t(
        "Deferrals (pre-tax or Roth): {elections}: {total} more in {year}.",
        elections=_elections(t, plan, percent, per, last),
        total=whole(t, total),
        year=year,
    )


def after_tax_line(t: Translator, plan: PaycheckPlan, year: int) -> str:
    percent, per = plan.after_tax_percent, plan.after_tax_per_paycheck
    if percent is None or per is None:
        return ""
    last = plan.last_after_tax_percent if plan.last_after_tax_percent is not None else percent
    if percent == 0 and not last:
        return ""  # (0% of each and of the last: nothing to elect; a later note says why)
    elections = _elections(t, plan, percent, per, last)
    if plan.after_tax_to_come is None:  # waits on an answer left open
        return t("After-tax: {elections}.", elections=elections)
    total = whole(t, plan.after_tax_to_come)
    return t(
        "After-tax: {elections}: {total} more in {year}.",
        elections=elections,
        total=total,
        year=year,
    )


def share_line(t: Translator, plan: PaycheckPlan) -> str:
    """How much of each paycheck the elections take: taxes come out of the same check.
    Nothing while the deferral percent waits on an answer left open."""
    if plan.deferral_percent is None:
        return ""
    percent = plan.deferral_percent + (plan.after_tax_percent or ZERO)
    last = (plan.last_deferral_percent or plan.deferral_percent or ZERO) + (
        plan.last_after_tax_percent or plan.after_tax_percent or ZERO
    )
    if percent == 0 and last == 0:
        return ""
    if plan.paychecks_left == 1 or last == percent:
        taken = t.plural(
            "That is {percent} of the paycheck.",
            "That is {percent} of each paycheck.",
            plan.paychecks_left,
            percent=t.election(percent),
        )
    else:
        taken = t(
            "That is {percent} of each paycheck ({last} of the last).",
            percent=t.election(percent),
            last=t.election(last),
        )
    if max(percent, last) >= MOST_OF_A_PAYCHECK:
        taxes = t(
            "Payroll also withholds Social Security and Medicare taxes from the same "
            "paycheck, so it may not be able to put in this much: ask payroll for the most "
            "you can elect, and elect that."
        )
    else:
        taxes = t("Taxes come out of the same paycheck, so check that what is left covers them.")
    return taken + " " + taxes


def notes(t: Translator, plan: PaycheckPlan, s: Situation) -> list[str]:
    """What the rounding leaves, what can't be reached and why, and the match lost."""
    lines = [rounding_note(t, plan)]
    target, to_come = plan.deferral_target, plan.deferral_to_come
    if plan.deferral_shortfall and plan.deferral_shortfall >= ONE_DOLLAR and target:
        lines.append(
            t(
                "The paychecks left can carry only {reach} of the {target} of deferrals: "
                "{short} of the deferral limit can't be reached.",
                reach=whole(t, to_come or ZERO),
                target=whole(t, target),
                short=whole(t, plan.deferral_shortfall),
            )
        )
    lines.append(shortfall_note(t, plan, s))
    if plan.match_lost and plan.match_lost >= ONE_DOLLAR:
        lines.append(
            t(
                "Without a true-up the match is paid paycheck by paycheck: these elections "
                "get {amount} less match than the formula gives for the year.",
                amount=whole(t, plan.match_lost),
            )
        )
    return lines


def rounding_note(t: Translator, plan: PaycheckPlan) -> str:
    """Elections are rounded down to the plan's step; the last paycheck catches up."""
    left_over = (plan.deferral_left_over or ZERO) + (plan.after_tax_left_over or ZERO)
    if left_over < ONE_DOLLAR or plan.paychecks_left == 1:
        return ""
    pairs = (
        (plan.deferral_percent, plan.last_deferral_percent),
        (plan.after_tax_percent, plan.last_after_tax_percent),
    )
    caught_up = any(last is not None and each is not None and last > each for each, last in pairs)
    step = t.election(plan.step)
    text = (
        t(
            "Each election is rounded down to steps of {step}, so it never goes over; the last "
            "paycheck's higher election catches up what that leaves.",
            step=step,
        )
        if caught_up
        else t(
            "Each election is rounded down to steps of {step}, so it never goes over.",
            step=step,
        )
    )
    unused = ZERO
    if plan.deferral_target is not None and plan.deferral_to_come is not None:
        unused += plan.deferral_target - plan.deferral_to_come
    if plan.after_tax_reachable is not None and plan.after_tax_to_come is not None:
        unused += plan.after_tax_reachable - plan.after_tax_to_come
    if unused >= ONE_DOLLAR:
        text += " " + t("That still leaves {amount} unused.", amount=whole(t, unused))
    return text


def shortfall_note(t: Translator, plan: PaycheckPlan, s: Situation) -> str:
    """The 415(c) room the paychecks can't reach, and the limit that stops it."""
    short = plan.after_tax_shortfall
    if short is None or short < ONE_DOLLAR or plan.binding in (None, "415(c)"):
        return ""
    values: dict[str, object] = {"short": whole(t, short), "year": s.tax_year}
    cap = s.plan.after_tax_cap_percent
    if plan.binding == "plan_cap" and cap is not None:
        return t(
            "Your plan's cap of {cap} of pay on after-tax contributions is what limits this: "
            "the 415(c) total limit would allow {short} more in {year}.",
            cap=t.election(cap),
            **values,
        )
    if plan.binding == "402(g)":
        return t(
            "Deferrals come first and take part of the pay left: the 415(c) total limit "
            "would allow {short} more after-tax in {year} than the paychecks can carry.",
            **values,
        )
    return t(
        "That is all the pay left can carry: the 415(c) total limit would allow {short} "
        "more in {year}.",
        **values,
    )
