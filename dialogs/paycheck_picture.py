"""The paycheck plan's picture in the person's language: `Assessment.paycheck_plan` ->
`PaycheckChart` (what goes into each paycheck left, drawn by `dialogs.paycheck_chart`).

Amounts are whole dollars rounded down (`render.whole`), like the bucket chart's: what
goes in never shows more than it is. The year is the one planned (`Situation.tax_year`);
planned on an earlier year's figures (`Assessment.on_floor`), the title says so.
"""

from __future__ import annotations

from decimal import Decimal

from dialogs.i18n import N_, Translator
from dialogs.paycheck_chart import MAX_BARS, PaycheckBar, PaycheckChart, PayPart, paycheck_runs
from dialogs.render import whole
from rules import Assessment, Paycheck, Situation

NAMES = {  # the kinds, bottom to top of a bar
    "deferral": N_("Deferral"),
    "after_tax": N_("After-tax"),
    "rest": N_("Rest of the paycheck (taxes, take-home)"),
    "match": N_("Employer match"),
}


def paycheck_chart_for(t: Translator, a: Assessment, s: Situation) -> PaycheckChart | None:
    """What goes into each paycheck left, by kind; None without a plan for them, when a
    part of a paycheck is not known (no `schedule`), when nothing goes in, or when the
    paychecks would take more than MAX_BARS bars (`dialogs.paycheck_chart`'s rule)."""
    plan = a.paycheck_plan
    if plan is None or plan.schedule is None:
        return None
    schedule, pay = plan.schedule, plan.pay_per_paycheck
    if not any(p.deferral or p.after_tax or p.match for p in schedule) or pay <= 0:
        return None
    if any(p.deferral + p.after_tax > pay for p in schedule):
        return None  # never drawn: a paycheck can't carry more than it pays (the rules check)
    runs = paycheck_runs(schedule)
    if len(runs) > MAX_BARS:
        return None
    left = plan.paychecks_left
    bars = tuple(
        PaycheckBar(label="" if left == 1 else _paychecks(t, first, last), parts=_parts(t, pay, p))
        for first, last, p in runs
    )
    has_match = any(p.match for p in schedule)
    if a.on_floor:
        title = t(
            "Your {year} paychecks, planned on {floor}'s figures as a floor",
            year=s.tax_year,
            floor=a.limits.year,
        )
    else:
        title = t("Your {year} paychecks", year=s.tax_year)
    each = whole(t, pay)  # outside t.plural(): Babel's extractor loses a plural naming `t`
    return PaycheckChart(
        title=title,
        subtitle=t.plural(
            "{n} paycheck left, {pay}", "{n} paychecks left, {pay} each", left, pay=each
        ),
        pay=pay,
        pay_text=t("Paycheck {pay}", pay=each),
        bars=bars,
        names=tuple((kind, t(name)) for kind, name in NAMES.items()),
        heading="" if left == 1 else t("Paychecks"),
        footer=t("Your employer's match comes on top of your pay, not out of it.")
        if has_match
        else "",
    )


def _paychecks(t: Translator, first: int, last: int) -> str:
    """Which paychecks a bar stands for, counted from the next one: "26" or "1–25"."""
    return str(first) if first == last else t("{first}–{last}", first=first, last=last)


def _parts(t: Translator, pay: Decimal, paycheck: Paycheck) -> tuple[PayPart, ...]:
    """A paycheck's parts; the match only with a match formula (None: yearly money)."""
    amounts = {
        "deferral": paycheck.deferral,
        "after_tax": paycheck.after_tax,
        "rest": pay - paycheck.deferral - paycheck.after_tax,
        "match": paycheck.match,
    }
    return tuple(
        PayPart(kind, amount, whole(t, amount))
        for kind, amount in amounts.items()
        if amount is not None
    )
