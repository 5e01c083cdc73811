"""The questions, as data: id, kind, buttons, when to skip, and where the answer goes.

The state machine is built from this list (dialogs/machine.py), the summary lists it,
and `to_situation` turns the answers of the questions that count into the rules core's
input. Order matters: the plan questions
come first, because they decide whether the rest matters. A skip condition may only
look at answers to questions before it, so "the next question" is always forward.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from dialogs.i18n import N_
from dialogs.session import Answers, MatchFormula
from dialogs.situation import (
    FILING_STATUS,
    age_in,
    core_max,
    dollar_max,
    employer_money,
    figures_for,
    floor_of,
    no_ira_balance,
    none_paid_yet,
    not_a_spousal_ira,
    paychecks_per_year,
    payroll_closed,
    plan_features,
    split_moot,
    year_ahead,
    year_open,
    year_over,
)
from rules import Situation


class Kind(StrEnum):
    """How an answer is given and parsed."""

    yes_no = "yes_no"  # Yes / No / Not sure
    choice = "choice"  # buttons only (typed text must match a button)
    year = "year"
    age = "age"
    money = "money"
    money_or_match = "money_or_match"
    match = "match"  # a match formula only
    number = "number"
    rate = "rate"
    percent = "percent"
    text = "text"
    contact = "contact"  # an email address or an https:// web address


@dataclass(frozen=True, slots=True)
class Option:
    """A button: `value` goes in the callback data (short ASCII), `label` is a msgid."""

    value: str
    label: str


YES_NO_UNSURE = (
    Option("yes", N_("Yes")),
    Option("no", N_("No")),
    Option("unsure", N_("Not sure")),
)
FREQUENCIES = {
    "weekly": N_("Weekly (52 a year)"),
    "biweekly": N_("Every two weeks (26)"),
    "semimonthly": N_("Twice a month (24)"),
    "monthly": N_("Monthly (12)"),
}
FREQUENCY_OPTIONS = tuple(Option(value, label) for value, label in FREQUENCIES.items())

Skip = Callable[[Any], bool]  # takes the catalog's answers model


def never(_: Answers) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a catalog."""

    id: str
    kind: Kind
    prompt: str  # msgid; may use {year} and {pay}
    example: str  # msgid shown when an answer is not understood
    summary_label: str  # msgid: the short name in the summary
    options: tuple[Option, ...] = ()
    skip: Skip = never
    plan: bool = False  # a plan-feature question (an HR profile answers these)
    extra: dict[str, Any] = field(default_factory=dict)


# Skip conditions: named functions, so the drawn graph says why a question is skipped.
def no_after_tax(a: Answers) -> bool:
    """The plan takes no after-tax money: no mega backdoor questions."""
    return a.after_tax == "no"


def no_after_tax_yet(a: Answers) -> bool:
    """A cap on after-tax money only matters once the plan is known to take it."""
    return a.after_tax != "yes"


def no_in_plan_conversion(a: Answers) -> bool:
    """Automatic conversion only matters for a plan that converts in-plan."""
    return a.after_tax == "no" or a.conversion not in ("in_plan", "both")


def nothing_deferred_so_far(a: Answers) -> bool:
    """No paycheck paid yet, payroll closed, or no deferrals at all this year."""
    return none_paid_yet(a) or payroll_closed(a) or a.deferrals == 0


def no_match_formula(a: Answers) -> bool:
    """A true-up only matters for a match formula, while paychecks are still to come."""
    formula = a.employer
    return not isinstance(formula, MatchFormula) or not formula.tiers or payroll_closed(a)


def match_limit_moot(a: Answers) -> bool:
    """How a paycheck's match counts pay above 401(a)(17) matters only for a match formula
    on pay above that limit (without a true-up it changes the year's match; with one,
    what each paycheck credits)."""
    if no_match_formula(a) or a.pay is None or a.tax_year is None:
        return True
    if floor_of(a.tax_year) is not None:
        return True  # planned on a floor, the match counts all pay: the most it can be
    return a.pay <= figures_for(a.tax_year).compensation


def no_after_tax_so_far(a: Answers) -> bool:
    """No after-tax money, or no paycheck of the year paid yet (none of it in yet)."""
    return no_after_tax(a) or none_paid_yet(a)


def nothing_to_convert(a: Answers) -> bool:
    """No after-tax bucket to convert, or no way to convert it while employed."""
    return a.after_tax != "yes" or a.conversion == "neither"


def no_balance(a: Answers) -> bool:
    """Nothing sits unconverted, so there are no earnings to ask about."""
    return nothing_to_convert(a) or not a.balance


def nothing_taxable(a: Answers) -> bool:
    """A tax rate only prices what a conversion makes taxable: earnings in the plan's
    after-tax money, or the pre-tax part of a traditional IRA beside a backdoor."""
    pretax_ira = (a.ira_balance or 0) > (a.ira_basis or 0)
    return (no_balance(a) or not a.earnings) and not pretax_ira


CHECK: tuple[Question, ...] = (
    Question(
        "after_tax",
        Kind.yes_no,
        N_(
            "Does your 401(k) plan accept <b>after-tax</b> contributions? These are not "
            "Roth contributions: they are a separate kind of money that goes in on top of "
            "the regular limit. Your plan's summary (SPD) or benefits site says so."
        ),
        N_("Tap a button, or answer yes, no or not sure."),
        N_("After-tax contributions"),
        YES_NO_UNSURE,
        plan=True,
    ),
    Question(
        "conversion",
        Kind.choice,
        N_(
            "While you still work there, how can after-tax money leave the after-tax "
            "bucket? An <b>in-plan Roth conversion</b> moves it to the Roth 401(k); an "
            "<b>in-service withdrawal</b> lets you roll it to a Roth IRA."
        ),
        N_("Tap one of the buttons."),
        N_("Way to Roth while employed"),
        (
            Option("in_plan", N_("In-plan conversion")),
            Option("in_service", N_("In-service withdrawal")),
            Option("both", N_("Both")),
            Option("neither", N_("Neither")),
            Option("unsure", N_("Not sure")),
        ),
        skip=no_after_tax,
        plan=True,
    ),
    Question(
        "auto_convert",
        Kind.yes_no,
        N_(
            "Can the plan convert after-tax contributions to Roth <b>automatically</b>, "
            "as each paycheck comes in?"
        ),
        N_("Tap a button, or answer yes, no or not sure."),
        N_("Automatic conversion"),
        YES_NO_UNSURE,
        skip=no_in_plan_conversion,
        plan=True,
    ),
    Question(
        "after_tax_cap",
        Kind.percent,
        N_(
            "Does the plan cap after-tax contributions at a percent of each paycheck? Your "
            "plan's summary (SPD) or the payroll election page shows the most you can elect."
        ),
        N_("Type a percent of pay, like 15%, or tap No cap or Not sure."),
        N_("After-tax cap"),
        (Option("none", N_("No cap")), Option("unsure", N_("Not sure"))),
        skip=no_after_tax_yet,
        plan=True,
    ),
    Question(
        "tax_year",
        Kind.year,
        N_("Which tax year are we planning?"),
        N_("Tap a year, or type one like {year}."),
        N_("Tax year"),
    ),
    Question(
        "age",
        Kind.age,
        N_("How old will you be on December 31, {year}? (Or type your birth year.)"),
        N_("Type your age, like 42, or your birth year, like 1984."),
        N_("Age on Dec 31"),
    ),
    Question(
        "pay",
        Kind.money,
        N_("What is your pay from this employer in {year}, before taxes (salary and bonus)?"),
        N_("Type an amount, like $150,000 or 150k."),
        N_("Pay"),
    ),
    Question(
        "pay_frequency",
        Kind.choice,
        N_("How often are you paid?"),
        N_("Tap one of the buttons."),
        N_("Pay frequency"),
        FREQUENCY_OPTIONS,
        skip=year_over,
    ),
    Question(
        "paychecks",
        Kind.number,
        N_("How many paychecks are still to come in {year}, counting the next one?"),
        N_("Type a number from 0 to 53, like 12, or tap the button."),
        N_("Paychecks left"),
        skip=year_over,
        extra={"low": 0, "high": 53},
    ),
    Question(
        "deferrals",
        Kind.money,
        N_(
            "How much will you defer into the 401(k) in {year}, pre-tax and Roth together "
            "(not after-tax)?"
        ),
        N_("Type an amount, like $24,500 or 24.5k, or tap a button."),
        N_("Pre-tax + Roth deferrals"),
        (Option("max", N_("The maximum")), Option("0", N_("Nothing"))),
    ),
    Question(
        "deferrals_so_far",
        Kind.money,
        N_(
            "How much have you deferred so far in {year}, pre-tax and Roth (the year-to-date "
            "figure on your latest pay stub)?"
        ),
        N_("Type an amount, like $18,000 or 18k, or tap a button."),
        N_("Deferred so far"),
        (Option("0", N_("Nothing yet")), Option("unsure", N_("Not sure"))),
        skip=nothing_deferred_so_far,
    ),
    Question(
        "other_deferrals",
        Kind.money,
        N_(
            "Did you also defer into another employer's 401(k) or 403(b) in {year}, at a "
            "job you left? The deferral limit counts both; type how much, or tap None."
        ),
        N_("Type an amount, like $6,000, or tap None."),
        N_("Deferrals at other jobs"),
        (Option("0", N_("None")),),
    ),
    Question(
        "employer",
        Kind.money_or_match,
        N_(
            "How much will your employer put in for {year} (match and any profit sharing)? "
            "Type a dollar amount or the match formula, like <i>50% of the first 6%</i>."
        ),
        N_("Type an amount like $6,000, or a formula like 50% of the first 6%."),
        N_("Employer contributions"),
        (Option("0", N_("None")),),
    ),
    Question(
        "true_up",
        Kind.yes_no,
        N_(
            "Does your employer <b>true up</b> the match after the year ends? Without a "
            "true-up, the match is paid only on paychecks that have deferrals, so reaching "
            "the deferral limit early loses the match on the paychecks after."
        ),
        N_("Tap a button, or answer yes, no or not sure."),
        N_("Year-end true-up"),
        YES_NO_UNSURE,
        skip=no_match_formula,
    ),
    Question(
        "match_limit",
        Kind.choice,
        N_(
            "Your pay is above the {limit} a plan can count for the match. On each paycheck, "
            "does the plan count at most {limit} spread over the year's paychecks, or each "
            "paycheck in full until your pay so far reaches {limit}, and then nothing?"
        ),
        N_("Tap one of the buttons."),
        N_("Pay counted past the limit"),
        (
            Option("spread", N_("Spread over the year")),
            Option("stops", N_("In full, then stops")),
            Option("unsure", N_("Not sure")),
        ),
        skip=match_limit_moot,
    ),
    Question(
        "after_tax_in",
        Kind.money,
        N_("How much have you already contributed <b>after-tax</b> in {year}?"),
        N_("Type an amount, like $2,000 or 2k, or tap None yet."),
        N_("After-tax so far"),
        (Option("0", N_("None yet")),),
        skip=no_after_tax_so_far,
    ),
    Question(
        "balance",
        Kind.money,
        N_("How much after-tax money sits in the plan <b>not yet converted</b> to Roth?"),
        N_("Type an amount, like $5,300, or tap Nothing."),
        N_("Unconverted after-tax balance"),
        (Option("0", N_("Nothing")),),
        skip=nothing_to_convert,
    ),
    Question(
        "earnings",
        Kind.money,
        N_("Of that {balance}, how much is <b>earnings</b> (growth), not your contributions?"),
        N_("Type an amount no more than the balance, like $120."),
        N_("Earnings in it"),
        (Option("0", N_("None")),),
        skip=no_balance,
    ),
    Question(
        "filing_status",
        Kind.choice,
        N_("How will you file your {year} federal tax return?"),
        N_("Tap one of the buttons."),
        N_("Filing status"),
        (
            Option("single", N_("Single")),
            Option("married_joint", N_("Married, jointly")),
            Option("married_separate", N_("Married, separately (lived together)")),
            Option("married_separate_apart", N_("Married, separately (lived apart all year)")),
            Option("head_of_household", N_("Head of household")),
        ),
    ),
    Question(
        "magi",
        Kind.money,
        N_(
            "Roughly what will your <b>modified AGI</b> be for {year}? For most people it is "
            "pay minus pre-tax deductions, plus other income (and a spouse's if joint)."
        ),
        N_("Type an amount, like $180,000, or tap About my pay."),
        N_("Modified AGI"),
        (Option("pay", N_("About my pay")),),
    ),
    Question(
        "roth_part",
        Kind.money,
        N_(
            "How much of your 401(k) deferrals is <b>Roth</b>, not pre-tax? Pre-tax "
            "deferrals lower the income the IRA rules look at."
        ),
        N_("Type the Roth part, like $10,000, or tap a button."),
        N_("Roth part of deferrals"),
        (Option("0", N_("All pre-tax")), Option("all", N_("All Roth"))),
        skip=split_moot,
    ),
    Question(
        "spouse_pay",
        Kind.money,
        N_(
            "What will your spouse earn in {year} (wages or self-employment), less any IRA "
            "contributions of their own? On a joint return your IRA limit can count it."
        ),
        N_("Type an amount, like $90,000, or tap Nothing."),
        N_("Spouse's pay"),
        (Option("0", N_("Nothing")),),
        skip=not_a_spousal_ira,
    ),
    Question(
        "ira_balance",
        Kind.money,
        N_(
            "What is in your traditional, SEP and SIMPLE IRAs in total (not Roth IRAs, not "
            "the 401(k))?"
        ),
        N_("Type an amount, like $63,000, or tap None."),
        N_("Traditional IRA balances"),
        (Option("0", N_("None")),),
    ),
    Question(
        "ira_basis",
        Kind.money,
        N_(
            "Of that, how much is <b>basis</b>: nondeductible contributions from earlier "
            "years, already taxed (line 14 of your last Form 8606)? It is what a conversion "
            "of it leaves untaxed."
        ),
        N_("Type an amount, like $6,000, or tap None."),
        N_("Basis in those IRAs"),
        (Option("0", N_("None")),),
        skip=no_ira_balance,
    ),
    Question(
        "prior_pay",
        Kind.money,
        N_(
            "What did this employer pay you in {prior} (W-2 box 3)? It decides the "
            "highly-paid rules for {year}."
        ),
        N_("Type an amount, like $160,000, or tap About the same."),
        N_("Last year's pay"),
        (Option("pay", N_("About the same")),),
    ),
    Question(
        "tax_rate",
        Kind.rate,
        N_(
            "Optional: what is your federal marginal tax rate? It prices the tax on "
            "converting earnings."
        ),
        N_("Type a rate like 24% or tap one; Skip is fine."),
        N_("Marginal tax rate"),
        (
            Option("0.22", "22%"),
            Option("0.24", "24%"),
            Option("0.32", "32%"),
            Option("0.35", "35%"),
            Option("skip", N_("Skip")),
        ),
        skip=nothing_taxable,
    ),
)

QUESTIONS: dict[str, Question] = {q.id: q for q in CHECK}
PLAN_QUESTIONS = tuple(q.id for q in CHECK if q.plan)


def on_day(a: Answers, as_of: dt.date | None) -> Answers:
    """The answers as read on `as_of` (the skip predicates look at the day): a stored
    session's answers carry no day."""
    if as_of is None or a.today == as_of:
        return a
    return a.model_copy(update={"today": as_of})


def base_situation(a: Answers, year: int, as_of: dt.date | None = None) -> Situation:
    """The Situation of every answer but the deferrals and what follows from them (the
    Roth part, MAGI from pay): `to_situation` adds those, once "the maximum" is known.

    A skipped question's answer, kept from before an edit, does not count. A year not
    begun has nothing in yet; a year without its own IRS figures is planned on its
    floor's (`floor_of`).
    """
    a = on_day(a, as_of)
    counts = {q.id: not q.skip(a) for q in CHECK}

    def given(name: str) -> Any:
        return getattr(a, name) if counts[name] else None

    floor = floor_of(year)
    employer, tiers = employer_money(a, figures_for(year), on_floor=floor is not None)
    balance, earnings = given("balance"), given("earnings")
    basis = None
    if balance == 0:
        basis = Decimal(0)
    elif balance is not None and earnings is not None:
        basis = max(Decimal(0), balance - earnings)
    ira_basis = given("ira_basis")
    pretax_ira = a.ira_balance
    if pretax_ira is not None and ira_basis is not None:
        pretax_ira = max(Decimal(0), pretax_ira - ira_basis)
    rate = given("tax_rate")
    ahead = year_ahead(a)
    so_far = given("deferrals_so_far")
    if not counts["deferrals_so_far"] and (ahead or none_paid_yet(a) or a.deferrals == 0):
        so_far = Decimal(0)
    elif not counts["deferrals_so_far"] and payroll_closed(a) and isinstance(a.deferrals, Decimal):
        so_far = a.deferrals  # the last paycheck is paid: the year's deferrals are in
    step = a.election_step
    return Situation(
        floor_of=floor,
        tax_year=year,
        age=age_in(a, year),
        compensation=a.pay,
        other_employer_deferrals=a.other_deferrals,
        employer_contributions=employer,
        match_tiers=tiers,
        after_tax_contributed=Decimal(0) if none_paid_yet(a) else given("after_tax_in"),
        plan=plan_features(a, given("conversion"), given("auto_convert"), given("after_tax_cap")),
        after_tax_balance=balance,
        after_tax_basis=basis,
        filing_status=FILING_STATUS.get(a.filing_status or ""),
        spouse_compensation=given("spouse_pay"),
        pretax_ira_balance=pretax_ira,
        ira_basis=ira_basis if a.ira_balance else (Decimal(0) if a.ira_balance == 0 else None),
        prior_year_compensation=a.pay if a.prior_pay == "pay" else a.prior_pay,
        marginal_tax_rate=None if rate in (None, "skip") else rate,
        paychecks_per_year=paychecks_per_year(a) if counts["paychecks"] else None,
        remaining_paychecks=given("paychecks"),
        deferrals_so_far=so_far if isinstance(so_far, Decimal) else None,
        election_step_percent=None if step is None else Decimal(step),
        match_true_up={"yes": True, "no": False}.get(given("true_up") or ""),
        compensation_limit_prorated={"spread": True, "stops": False}.get(
            given("match_limit") or ""
        ),
        as_of=as_of,
    )


def to_situation(a: Answers, year: int, as_of: dt.date | None = None) -> Situation:
    """The rules core's input, from the answers of the questions that count.

    A match formula goes as its tiers; "the maximum" is what the core says can be
    deferred; in a year still open the deferral answer is a plan, so a plan above what
    the year allows is kept to it (`planned_deferrals` tells the difference), and never
    below what is deferred already.
    """
    a = on_day(a, as_of)
    base = base_situation(a, year, as_of)
    limits = figures_for(year)
    wanted = a.deferrals == "max" or (a.deferrals is not None and year_open(year, as_of))
    most = core_max(base) if wanted else None  # one core call, reused below
    deferrals = planned_deferrals(a, year, most)
    if deferrals is not None and a.pay is not None:
        deferrals = min(deferrals, a.pay)  # no one defers more than they are paid
    if deferrals is not None and year_open(year, as_of) and most is not None:
        deferrals = min(deferrals, most)  # a plan over the limit: the advice sets it to it
    if deferrals is not None and base.deferrals_so_far is not None:
        deferrals = max(deferrals, base.deferrals_so_far)  # what is in is in
    roth = None
    if deferrals is not None:
        part = a.roth_part if not QUESTIONS["roth_part"].skip(a) else Decimal(0)  # moot
        roth = deferrals if part == "all" else None if part is None else min(part, deferrals)
        if roth is not None and roth_catch_up(a, year):  # 414(v)(7): the catch-up is Roth
            roth = max(roth, min(deferrals, max(Decimal(0), deferrals - limits.elective_deferral)))
    magi = a.magi
    if magi == "pay":  # AGI leaves out pre-tax deferrals
        known = roth is not None and deferrals is not None and a.pay is not None
        magi = max(Decimal(0), a.pay - (deferrals - roth)) if known else None  # type: ignore[operator]
    return Situation(
        **{**dict(base), "elective_deferrals": deferrals, "roth_deferrals": roth, "magi": magi}
    )


def roth_catch_up(a: Answers, year: int) -> bool:
    """414(v)(7): last year's pay over the year's threshold makes catch-ups Roth."""
    limits = figures_for(year)
    threshold = limits.roth_catch_up_wage_threshold
    prior = a.pay if a.prior_pay == "pay" else a.prior_pay
    age = age_in(a, year)
    if threshold is None or prior is None or age is None or age < limits.catch_up_age:
        return False
    return prior > threshold


def planned_deferrals(a: Answers, year: int, most: Decimal | None = None) -> Decimal | None:
    """The deferral answer in dollars: "the maximum" is `most`, what the core says can go
    in (worked out here when not given), or the dollar limits while it can't say."""
    if a.deferrals != "max":
        return a.deferrals
    if most is None:
        most = core_max(base_situation(a, year, a.today))
    return most if most is not None else dollar_max(a, year)
