"""`python -m rules`: the year's figures with their sources, or an assessment.

    python -m rules limits 2026
    python -m rules assess --year 2026 --age 40 --compensation 200000 \\
        --deferrals 24500 --employer 6000 --after-tax-contributed 0 \\
        --after-tax yes --in-plan-conversion yes --remaining-paychecks 24
    python -m rules assess --year 2026 --age 40 --compensation 200000 \\
        --deferrals 5000 --roth-deferrals 0 --other-employer-deferrals 0 \\
        --employer 0 --match '100% of the first 6%' --after-tax-contributed 0 \\
        --after-tax yes --in-plan-conversion yes --as-of 2026-12-01
    python -m rules assess --year 2026 --age 35 --compensation 200000 \\
        --deferrals 24500 --deferrals-so-far 24500 --employer 6000 \\
        --after-tax-contributed 0 --after-tax yes --in-plan-conversion yes \\
        --pay-frequency biweekly --remaining-paychecks 2 --as-of 2026-12-01
    python -m rules assess --year 2027 --floor-of 2026 --as-of 2026-11-20 ...

Bad arguments get one clear line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import NoReturn

from pydantic import ValidationError

from rules import (
    PAYCHECKS_PER_YEAR,
    Assessment,
    FilingStatus,
    PaycheckPlan,
    PlanFeatures,
    Situation,
    UnsupportedTaxYear,
    assess,
    limits_for,
    paychecks_left,
    supported_years,
)

TRISTATE = {"yes": True, "no": False, "unknown": None}

# Who each Roth IRA phase-out range is for (408A(c)(3)): "single" also covers heads of
# household and married people filing separately who lived apart all year.
PHASEOUT_WHO = {
    FilingStatus.single: "single, head of household, or married filing separately and "
    "lived apart all year",
    FilingStatus.married_joint: "married filing jointly",
    FilingStatus.married_separate: "married filing separately and lived together",
}


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("$", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


TIER = re.compile(
    r"^\s*(?P<rate>\d+(?:\.\d+)?)\s*%\s*(?:of|on|up to)?\s*(?:the\s+)?"
    r"(?:(?:first|next)\s+)?(?P<width>\d+(?:\.\d+)?)\s*%(?:\s+of\s+pay)?\s*$",
    re.IGNORECASE,
)
TIER_SEPARATOR = re.compile(r"\s*(?:,|;|\band\b|\bthen\b|\bplus\b)\s*", re.IGNORECASE)


def _match_tiers(text: str) -> tuple[tuple[Decimal, Decimal], ...]:
    """A match formula in words: '100% of the first 3% and 50% of the next 2%'."""
    example = "e.g. '100% of the first 6%' or '100% of the first 3% and 50% of the next 2%'"
    tiers = []
    for part in TIER_SEPARATOR.split(text.strip()):
        found = TIER.match(part)
        if part and not found:
            raise argparse.ArgumentTypeError(f"not a match formula: {text!r} ({example})")
        if found:
            tiers.append((Decimal(found["rate"]), Decimal(found["width"])))
    if not tiers:
        raise argparse.ArgumentTypeError(f"not a match formula: {text!r} ({example})")
    return tuple(tiers)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None


def _money(value: Decimal | None) -> str:
    return "unknown" if value is None else f"${value:,.2f}".replace(".00", "")


def format_limits(year: int) -> str:
    """The year's figures, one per line, each followed by its source."""
    lim = limits_for(year)
    src = lim.sources
    rows: list[tuple[str, str, str]] = [
        (
            "Elective deferral limit (402(g))",
            _money(lim.elective_deferral),
            "elective_deferral_limit",
        ),
        ("Catch-up, age 50+ (414(v))", _money(lim.catch_up_50), "catch_up_limit"),
        (
            "Catch-up, ages 60-63 (414(v)(2)(E))",
            "does not apply" if lim.catch_up_60_63 is None else _money(lim.catch_up_60_63),
            "catch_up_60_63_limit",
        ),
        (
            "Annual additions limit (415(c))",
            _money(lim.annual_additions),
            "annual_additions_limit",
        ),
        ("Compensation limit (401(a)(17))", _money(lim.compensation), "compensation_limit"),
        (
            "HCE pay threshold (414(q)), this year's pay",
            _money(lim.hce_compensation),
            "hce_compensation_threshold",
        ),
        ("IRA contribution limit", _money(lim.ira), "ira_contribution_limit"),
        ("IRA catch-up, age 50+", _money(lim.ira_catch_up), "ira_catch_up_limit"),
    ]
    for status, name in (
        (FilingStatus.single, "roth_ira_phaseout_single"),
        (FilingStatus.married_joint, "roth_ira_phaseout_married_joint"),
        (FilingStatus.married_separate, "roth_ira_phaseout_married_separate"),
    ):
        start, end = lim.roth_ira_phaseout[status]
        label = f"Roth IRA phase-out, {PHASEOUT_WHO[status]}"
        rows.append((label, f"{_money(start)}-{_money(end)}", name))
    threshold = lim.roth_catch_up_wage_threshold
    rows.append(
        (
            "Roth catch-up wage threshold (prior-year wages)",
            "not enforced this year" if threshold is None else _money(threshold),
            "roth_catch_up_wage_threshold",
        )
    )
    lines = [f"IRS figures for tax year {year}:"]
    for label, value, key in rows:
        lines.append(f"  {label}: {value}")
        lines.append(f"      source: {src[key].title} <{src[key].href}>")
    return "\n".join(lines)


def _yes_no(flag: bool | None) -> str:
    return "unknown" if flag is None else "yes" if flag else "no"


def _pct(value: Decimal | None) -> str:
    return "unknown" if value is None else f"{value.normalize():f}%"


def format_plan(plan: PaycheckPlan) -> list[str]:
    """The paycheck plan's lines (issue 14)."""
    return [
        f"Paycheck plan: {plan.paychecks_left} of {plan.paychecks_per_year} paychecks left, "
        f"{_money(plan.pay_per_paycheck)} each ({_money(plan.pay_to_come)} to come), "
        f"elections in steps of {_pct(plan.step)}",
        f"  Deferrals: {_pct(plan.deferral_percent)} a paycheck "
        f"({_money(plan.deferral_per_paycheck)}), the last {_pct(plan.last_deferral_percent)}"
        f"; {_money(plan.deferral_to_come)} of {_money(plan.deferral_target)} to come",
        f"  After-tax: {_pct(plan.after_tax_percent)} a paycheck "
        f"({_money(plan.after_tax_per_paycheck)}), the last "
        f"{_pct(plan.last_after_tax_percent)}; {_money(plan.after_tax_to_come)} of "
        f"{_money(plan.after_tax_reachable)} reachable, short of 415(c) by "
        f"{_money(plan.after_tax_shortfall)} (limited by: {plan.binding or 'unknown'})",
        f"  Match: {_money(plan.match_per_paycheck)} next paycheck, "
        f"{_money(plan.match_to_come)} to come, lost without a true-up: "
        f"{_money(plan.match_lost)}",
        "  (taxes come out of the same paychecks)",
    ]


def format_assessment(a: Assessment) -> str:
    """The assessment's figures and its ordered actions, with sources."""
    pct = a.backdoor_taxable_fraction
    lines = [
        f"Tax year {a.limits.year}",
        f"  Deferral limit (with catch-up): {_money(a.deferral_limit)}",
        f"  Annual additions limit (415(c)): {_money(a.annual_additions_limit)}",
        f"  Deferrals still possible: {_money(a.deferral_headroom)}",
        f"  Employer match now / once deferrals are raised: {_money(a.employer_match)}"
        f" / {_money(a.employer_match_advised)}",
        f"  After-tax room: {_money(a.after_tax_room)}",
        f"  After-tax per paycheck: {_money(a.after_tax_per_paycheck)}",
        f"  IRA limit (219(b)/(c)): {_money(a.ira_maximum)}",
        f"  Roth IRA direct contribution allowed: {_money(a.roth_ira_contribution_limit)}",
        f"  Backdoor conversion taxable: {'unknown' if pct is None else f'{pct:.1%}'}",
        f"  Taxable earnings on conversion: {_money(a.conversion_taxable_earnings)}",
        f"  Estimated tax on those earnings: {_money(a.estimated_conversion_tax)}",
        f"  Highly compensated employee: {_yes_no(a.hce)}",
        f"  Mega backdoor: {a.mega_backdoor.value}",
        f"  Tax year ended: {_yes_no(a.year_closed)}",
    ]
    if a.on_floor:
        lines.insert(1, f"  Planned on {a.limits.year}'s figures as a floor (not loaded yet)")
    if a.paycheck_plan is not None:
        lines += format_plan(a.paycheck_plan)
    lines += ["Actions, most important first:"]
    for number, action in enumerate(a.actions, 1):
        amount = "" if action.amount is None else f" {_money(action.amount)}"
        if action.amount is None and action.at_least is not None:
            amount = f" at least {_money(action.at_least)}"
        per = "" if action.per_paycheck is None else f" ({_money(action.per_paycheck)}/paycheck)"
        rule = "" if action.rule is None else f" over {action.rule}"
        due = "" if action.deadline is None else f", by {action.deadline.isoformat()}"
        lines.append(f"  {number}. {action.code.value}{amount}{per}{rule}{due}")
        lines.extend(f"      source: {s.title} <{s.href}>" for s in action.sources)
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m rules", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    lim = sub.add_parser("limits", help="print a year's IRS figures with their sources")
    lim.add_argument("year", type=_year)
    a = sub.add_parser("assess", help="assess one situation")
    a.add_argument("--year", type=_year, required=True)
    a.add_argument("--age", type=int)
    for flag in (
        "compensation",
        "deferrals",
        "employer",
        "after-tax-contributed",
        "after-tax-balance",
        "after-tax-basis",
        "magi",
        "pretax-ira-balance",
        "prior-year-compensation",
        "after-tax-cap-percent",
        "roth-deferrals",
        "other-employer-deferrals",
        "spouse-compensation",
        "ira-basis",
        "roth-ira-contributed",
        "traditional-ira-contributed",
        "deferrals-so-far",
        "match-so-far",
        "election-step",
    ):
        a.add_argument(f"--{flag}", type=_decimal)
    a.add_argument(
        "--match",
        type=_match_tiers,
        help="the match formula, e.g. '100%% of the first 6%%'; --employer is then the "
        "employer money that does not depend on deferrals",
    )
    a.add_argument("--as-of", type=_date, help="the day of the plan, YYYY-MM-DD")
    a.add_argument("--marginal-rate", type=_decimal, help="e.g. 0.32 for 32%%")
    a.add_argument("--filing-status", choices=[s.value for s in FilingStatus])
    for flag in (
        "after-tax",
        "in-plan-conversion",
        "in-service-withdrawal",
        "auto-conversion",
        "match-true-up",
        "compensation-limit-prorated",
    ):
        a.add_argument(f"--{flag}", choices=list(TRISTATE), default="unknown")
    a.add_argument("--remaining-paychecks", type=int)
    a.add_argument("--paychecks-per-year", type=int)
    a.add_argument(
        "--pay-frequency",
        choices=list(PAYCHECKS_PER_YEAR),
        help="sets the paychecks a year, and with --as-of the paychecks left (an estimate)",
    )
    a.add_argument("--floor-of", type=_year, help="plan --year on this earlier year's figures")
    return parser


def _paychecks(ns: argparse.Namespace) -> tuple[int | None, int | None]:
    """(paychecks a year, paychecks left): as given, else from the pay frequency."""
    per_year, left = ns.paychecks_per_year, ns.remaining_paychecks
    if ns.pay_frequency is not None:
        if per_year is None:
            per_year = PAYCHECKS_PER_YEAR[ns.pay_frequency]
        if left is None and ns.as_of is not None:
            left = min(per_year, paychecks_left(ns.pay_frequency, ns.year, ns.as_of))
    return per_year, left


def _situation(ns: argparse.Namespace) -> Situation:
    per_year, left = _paychecks(ns)
    return Situation(
        tax_year=ns.year,
        age=ns.age,
        compensation=ns.compensation,
        elective_deferrals=ns.deferrals,
        employer_contributions=ns.employer,
        after_tax_contributed=ns.after_tax_contributed,
        plan=PlanFeatures(
            after_tax_contributions=TRISTATE[ns.after_tax],
            in_plan_roth_conversion=TRISTATE[ns.in_plan_conversion],
            in_service_withdrawal=TRISTATE[ns.in_service_withdrawal],
            automatic_conversion=TRISTATE[ns.auto_conversion],
            after_tax_cap_percent=ns.after_tax_cap_percent,
        ),
        after_tax_balance=ns.after_tax_balance,
        after_tax_basis=ns.after_tax_basis,
        filing_status=ns.filing_status,
        magi=ns.magi,
        pretax_ira_balance=ns.pretax_ira_balance,
        prior_year_compensation=ns.prior_year_compensation,
        marginal_tax_rate=ns.marginal_rate,
        remaining_paychecks=left,
        paychecks_per_year=per_year,
        match_tiers=ns.match,
        roth_deferrals=ns.roth_deferrals,
        other_employer_deferrals=ns.other_employer_deferrals,
        spouse_compensation=ns.spouse_compensation,
        ira_basis=ns.ira_basis,
        roth_ira_contributed=ns.roth_ira_contributed,
        traditional_ira_contributed=ns.traditional_ira_contributed,
        as_of=ns.as_of,
        deferrals_so_far=ns.deferrals_so_far,
        election_step_percent=ns.election_step,
        match_true_up=TRISTATE[ns.match_true_up],
        match_so_far=ns.match_so_far,
        compensation_limit_prorated=TRISTATE[ns.compensation_limit_prorated],
        floor_of=ns.floor_of,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    ns = parser.parse_args(argv)
    try:
        if ns.command == "limits":
            print(format_limits(ns.year))
        else:
            print(format_assessment(assess(_situation(ns))))
    except UnsupportedTaxYear as error:
        years = supported_years()
        print(f"error: {error}; try one of {', '.join(map(str, years))}", file=sys.stderr)
        return 2
    except ValidationError as error:
        for problem in error.errors():
            field = ".".join(str(p) for p in problem["loc"]) or "situation"
            message = problem["msg"].removeprefix("Value error, ")
            print(f"error: {field}: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
