"""Assessment -> words, in the person's language: the headline, the actions, the chart.

Everything a person reads about their numbers is written here. Amounts are formatted
by Babel for the locale; anything that comes from data or from a person is escaped.
"""

from __future__ import annotations

import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from html import escape

from dialogs.charts import BucketChart, Segment
from dialogs.i18n import N_, Translator
from rules import (
    Action,
    ActionCode,
    Assessment,
    Citation,
    FilingStatus,
    MegaBackdoor,
    Situation,
    after_tax_cap,
    limits_for,
)

ZERO = Decimal(0)

DISCLAIMER = N_(
    "<i>Educational information, not tax advice. With large sums or a tax bill at stake, "
    "check with a tax professional.</i>"
)


# A source's kind and number, read from its title (the data files keep the full English
# title): each becomes a short name in the person's language.
_SOURCE_NAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"IRS Notice (?P<n>\d{4}-\d+)"), N_("IRS Notice {n}")),
    (re.compile(r"IRS Publication (?P<n>[\w-]+)"), N_("IRS Publication {n}")),
    (re.compile(r"IRS Instructions for Form (?P<n>\w+)"), N_("Instructions for Form {n}")),
    (re.compile(r"26 U\.S\. Code (?P<n>§ [^\s:]+(?: and § \d+)?)"), N_("26 U.S. Code {n}")),
    (re.compile(r"26 CFR (?P<n>§ [^\s:]+)"), N_("26 CFR {n}")),
    (re.compile(r"SECURE 2\.0 Act of 2022 (?P<n>§ \d+)"), N_("SECURE 2.0 Act of 2022, {n}")),
    (re.compile(r"Treasury Decision (?P<n>\d+)"), N_("Treasury Decision {n}")),
)


def source_name(t: Translator, citation: Citation) -> str:
    """A source's name short enough for a phone line, in the person's language:
    'IRS Notice 2025-67 (IR-2025-111): 2026 ...' -> 'IRS Notice 2025-67' / 'Aviso del
    IRS 2025-67'; '26 U.S. Code § 415(c) - Limitation ...' -> '26 U.S. Code § 415(c)'.
    An IRS web page keeps its (English) title in English; in Spanish it is named as an
    IRS page in English."""
    for pattern, name in _SOURCE_NAMES:
        found = pattern.match(citation.title)
        if found is not None:
            return t(name, n=found["n"])
    if t.lang != "en":
        return t("IRS web page")
    return citation.title.split(" - ")[0]


def links(t: Translator, sources: tuple[Citation, ...]) -> str:
    unique = dict.fromkeys(sources)  # one link per source, in order
    return ", ".join(
        f'<a href="{escape(s.href, quote=True)}">{escape(source_name(t, s))}</a>' for s in unique
    )


def sources_block(t: Translator, steps: list[tuple[Citation, ...]]) -> str:
    """Every step's sources, numbered like the steps, folded away (Telegram's expandable
    blockquote): one tap shows them, and the advice fits a phone screen without them."""
    lines = [
        f"{number}. {links(t, sources)}" for number, sources in enumerate(steps, 1) if sources
    ]
    return (
        "<blockquote expandable><b>" + t("Sources") + "</b>\n" + "\n".join(lines) + "</blockquote>"
    )


def hr_question(t: Translator, after_tax: bool, conversion: bool, cap: bool = False) -> str:
    """The message to copy and send to HR, asking exactly what is unknown; in Spanish,
    the English one too (many US benefits teams work in English)."""
    message = _hr_message(t, after_tax, conversion, cap)
    if t.lang == "en":
        return message
    english = _hr_message(Translator("en"), after_tax, conversion, cap)
    return message + "\n" + t("Or in English:") + "\n" + english


def _hr_message(t: Translator, after_tax: bool, conversion: bool, cap: bool) -> str:
    lines = [t("Hi! I'm reviewing my 401(k) options. Could you tell me:")]
    if after_tax:
        lines.append(
            t(
                "- Does our 401(k) plan accept after-tax (non-Roth) employee contributions "
                "above the regular pre-tax/Roth limit? Is there a cap as a percent of pay?"
            )
        )
    elif cap:
        lines.append(
            t(
                "- Is there a cap on after-tax (non-Roth) contributions, as a percent of pay "
                "per paycheck?"
            )
        )
    if conversion:
        lines.append(
            t(
                "- Can after-tax money be converted to Roth inside the plan (an in-plan Roth "
                "rollover), or withdrawn while I'm employed (an in-service withdrawal) to roll "
                "to a Roth IRA? Can conversions happen automatically?"
            )
        )
    lines.append(t("Thank you!"))
    return "<code>" + escape("\n".join(lines)) + "</code>"


def figure(t: Translator, a: Assessment, amount: Decimal) -> str:
    """A limit as shown: on a floor, labelled as the floor year's figure (which the
    year planned can only match or pass: the result says so at the top)."""
    if not a.on_floor:
        return t.money(amount)
    return t("{amount} ({year}'s figure)", amount=t.money(amount), year=a.limits.year)


def deadline_text(t: Translator, action: Action, a: Assessment, s: Situation) -> str:
    """An IRA step's deadline: the core's date, never a floor year's (a year early)."""
    if action.deadline is not None:
        return t.date(action.deadline)
    if a.on_floor:
        return t("the tax-filing deadline in April {year}", year=s.tax_year + 1)
    return t.date(a.limits.ira_contribution_deadline)


def amount_text(t: Translator, action: Action) -> str:
    """An action's amount; "at least $X" while an unknown answer could raise it; "" when
    no figure is known (the wording then says what to do without one)."""
    exact = action.code is ActionCode.excess_contribution  # a correction: to the cent
    if action.amount is not None:
        return t.money(action.amount) if exact else whole(t, action.amount)
    if action.at_least is not None:
        return t("at least {amount}", amount=whole(t, action.at_least))
    return ""


def year_closed_text(
    t: Translator, action: Action, a: Assessment, s: Situation
) -> tuple[str, str]:
    """An ended tax year: payroll is closed; say what is still possible."""
    year = a.limits.year
    what = t("{year} is over: its payroll is closed", year=year)
    deadline = action.deadline or a.limits.ira_contribution_deadline
    if s.as_of is not None and s.as_of <= deadline:
        why = t(
            "No more 401(k) deferrals or after-tax contributions can count for {year}. IRA "
            "contributions for {year} are still possible until {date}.",
            year=year,
            date=t.date(deadline),
        )
    else:
        why = t(
            "No more contributions can count for {year}: 401(k) payroll closed on December "
            "31, and IRA contributions for {year} on {date}. What is already in the plan can "
            "still be converted.",
            year=year,
            date=t.date(deadline),
        )
    return what, why


def _per(t: Translator, action: Action, a: Assessment, percent: Decimal | None = None) -> str:
    """The step per paycheck: the percent to elect when the paychecks are planned."""
    if percent is not None and percent > 0:
        if a.paycheck_plan is not None and a.paycheck_plan.paychecks_left == 1:
            return " " + t("(elect {percent} of your last paycheck)", percent=t.election(percent))
        return " " + t("(elect {percent} of each paycheck)", percent=t.election(percent))
    if action.per_paycheck is None:
        return ""
    return " " + t("({amount} a paycheck)", amount=whole(t, action.per_paycheck))


def action_text(t: Translator, action: Action, a: Assessment, s: Situation) -> tuple[str, str]:
    """(what to do, why) for one action."""
    lim = a.limits
    code = action.code
    amount = amount_text(t, action)
    if code is ActionCode.excess_contribution:
        if action.rule == "402(g)":
            deadline = action.deadline or lim.excess_deferral_deadline
            if s.as_of is not None and s.as_of > deadline:
                why = t(
                    "The deadline for a refund that keeps it taxed once was {date}: now the "
                    "excess is taxed for {year} and again when it comes out. Ask the plan to "
                    "pay it out anyway, and a tax professional about amending {year}.",
                    date=t.date(deadline),
                    year=lim.year,
                )
            else:
                why = t(
                    "Ask the plan to refund the excess and its earnings by {date}; otherwise "
                    "it is taxed twice.",
                    date=t.date(deadline),
                )
            return (
                t("Fix an excess: {amount} of deferrals over your limit", amount=amount),
                why,
            )
        return (
            t("Fix an excess: {amount} over the 415(c) total limit", amount=amount),
            t(
                "Ask the plan to correct it now: contributions above the total limit must "
                "come out, and the plan's payroll may not stop them by itself."
            ),
        )
    if code is ActionCode.year_closed:
        return year_closed_text(t, action, a, s)
    if code is ActionCode.max_elective_deferrals:
        what = (
            t("Raise your 401(k) deferrals by {amount}", amount=amount)
            if amount
            else t("Raise your 401(k) deferrals to your limit")
        )
        plan = a.paycheck_plan
        return (
            what + _per(t, action, a, None if plan is None else plan.deferral_percent),
            t(
                "Pre-tax or Roth deferrals come first: they have their own limit "
                "({limit} for you in {year}), which after-tax money can't use.",
                limit=figure(t, a, a.deferral_limit or lim.elective_deferral),
                year=s.tax_year,
            ),
        )
    if code is ActionCode.roth_catch_up_required:
        return (
            t("Make your {amount} catch-up as Roth, not pre-tax", amount=amount),
            t(
                "Your pay from this employer last year was over {threshold}, so from 2026 "
                "catch-up contributions must be Roth.",
                threshold=figure(t, a, lim.roth_catch_up_wage_threshold or ZERO),
            ),
        )
    if code is ActionCode.contribute_roth_ira:
        status = s.filing_status or FilingStatus.single
        start, end = lim.roth_ira_phaseout[status]
        what = (
            t("Contribute {amount} directly to a Roth IRA", amount=amount)
            if amount
            else t("Contribute directly to a Roth IRA, up to your limit")
        )
        return (
            what,
            t(
                "Your income allows it: for your filing status the limit phases out between "
                "{start} and {end} of modified AGI. The deadline is {date}.",
                start=figure(t, a, start),
                end=t.money(end),
                date=deadline_text(t, action, a, s),
            ),
        )
    if code is ActionCode.backdoor_roth:
        why = t(
            "Your income is over the Roth IRA limit, but a conversion has no income limit. "
            "Report both on Form 8606."
        )
        if action.fraction == ZERO:
            why += " " + t("With no pre-tax IRA money, the conversion is tax-free.")
        what = (
            t(
                "Backdoor Roth: put {amount} in a traditional IRA (nondeductible), then convert "
                "it to Roth",
                amount=amount,
            )
            if amount
            else t(
                "Backdoor Roth: put what your IRA limit allows in a traditional IRA "
                "(nondeductible), then convert it to Roth"
            )
        )
        return what, why
    if code is ActionCode.pro_rata_warning:
        if action.fraction is None or action.taxable is None:
            what = t("Your pre-tax IRA would make part of a backdoor conversion taxable")
        elif action.tax is not None:
            what = t(
                "Your pre-tax IRA makes {percent} of a backdoor conversion taxable (about "
                "{taxable}, so about {tax} of tax at your rate)",
                percent=t.percent(action.fraction),
                taxable=about(t, action.taxable),
                tax=about(t, action.tax),
            )
        else:
            what = t(
                "Your pre-tax IRA makes {percent} of a backdoor conversion taxable (about "
                "{taxable})",
                percent=t.percent(action.fraction),
                taxable=about(t, action.taxable),
            )
        return (
            what,
            t(
                "All your traditional, SEP and SIMPLE IRAs count as one on December 31. Roll "
                "the {amount} into your 401(k) first (if the plan accepts roll-ins), then "
                "convert: it becomes tax-free.",
                amount=amount,
            ),
        )
    if code is ActionCode.ask_hr_after_tax:
        return (
            t("Ask HR whether the plan accepts after-tax contributions"),
            t("Without them there is no mega backdoor; the message below asks exactly that.")
            + at_stake(t, action, amount, a, s.tax_year),
        )
    if code is ActionCode.ask_hr_conversion:
        return (
            t("Ask HR how after-tax money can reach Roth while you work there"),
            t(
                "An in-plan conversion or an in-service withdrawal is what makes after-tax "
                "money worth it; the message below asks."
            )
            + at_stake(t, action, amount, a, s.tax_year),
        )
    if code is ActionCode.contribute_after_tax:
        if not amount:
            so_far_open = s.deferrals_so_far is None and s.remaining_paychecks is not None
            return (
                t("Contribute after-tax, up to your remaining room"),
                t(
                    "The amount depends on what you have deferred so far this year (the "
                    "year-to-date figure on your pay stub); /summary adds it."
                )
                if so_far_open and s.elective_deferrals is not None
                else t("Answer the pay and contribution questions and I'll work out the amount."),
            )
        plan = a.paycheck_plan
        percent = None if plan is None else plan.after_tax_percent
        if plan is not None and plan.after_tax_percent == 0 and not plan.last_after_tax_percent:
            return (
                t(
                    "{amount} of after-tax room is left: less than {step} of a paycheck",
                    amount=amount,
                    step=t.election(plan.step),
                ),
                t(
                    "Payroll elections come in steps of {step} of a paycheck, so this can't "
                    "go in as one; if your plan takes an election in dollars, it can.",
                    step=t.election(plan.step),
                ),
            )
        what = (
            t("Contribute {amount} after-tax this year", amount=amount)
            if s.as_of is None or s.as_of.year == s.tax_year
            else t("Contribute {amount} after-tax in {year}", amount=amount, year=s.tax_year)
        )
        return (what + _per(t, action, a, percent), after_tax_why(t, a, s))
    if code is ActionCode.convert_in_plan:
        why = t("Only earnings are taxed when converted, so convert before they grow.")
        if action.amount is None:
            return (t("Convert each after-tax contribution to Roth in-plan right away"), why)
        what = t("Convert the {amount} after-tax balance to Roth in-plan now", amount=amount)
        if action.taxable:
            why = t(
                "The {taxable} of earnings in it is taxable this year.",
                taxable=about(t, action.taxable),
            )
            if action.tax is not None:
                why += " " + t(
                    "At your rate that is about {tax} of tax.", tax=about(t, action.tax)
                )
        return what, why
    if code is ActionCode.in_service_rollover_split:
        caution = t(
            "Careful: a traditional IRA balance on December 31 makes a backdoor Roth in the "
            "same year partly taxable; converting the earnings too (and paying their tax) "
            "avoids that."
        )
        if action.amount is None:
            return (
                t(
                    "After each contribution, take an in-service withdrawal: contributions to a "
                    "Roth IRA, any earnings to a traditional IRA"
                ),
                t("IRS Notice 2014-54 lets one withdrawal be split this way.") + " " + caution,
            )
        taxable = action.taxable or ZERO
        return (
            t(
                "Roll out the {amount} after-tax balance: {basis} to a Roth IRA, {earnings} of "
                "earnings to a traditional IRA",
                amount=amount,
                basis=whole(t, action.amount - taxable),
                earnings=about(t, taxable),
            ),
            t("IRS Notice 2014-54 lets one withdrawal be split so nothing is taxed now.")
            + " "
            + caution,
        )
    if code is ActionCode.enable_auto_conversion:
        return (
            t("Turn on automatic Roth conversion in your plan"),
            t("Each contribution then converts before it earns anything, so nothing is taxed."),
        )
    if code is ActionCode.wait_until_separation:
        return (
            t("After-tax money can't reach Roth until you leave this employer"),
            t(
                "You have {amount} of after-tax room, but it would wait in the plan and its "
                "earnings would be taxed when converted later. Usually worth it only after "
                "everything above.",
                amount=amount or t("unknown"),
            ),
        )
    if code is ActionCode.mega_backdoor_unavailable:
        return (
            t("The mega backdoor Roth isn't open in this plan"),
            t(
                "It needs after-tax contributions, which your plan doesn't accept. If the plan "
                "adds them, or a new employer offers them, check again."
            ),
        )
    if code is ActionCode.no_room_left:
        plan = a.paycheck_plan
        if plan is not None and plan.binding in ("pay", "402(g)") and plan.after_tax_shortfall:
            values = {
                "limit": figure(t, a, a.annual_additions_limit or lim.annual_additions),
                "short": whole(t, plan.after_tax_shortfall),
            }
            why = (
                t(
                    "The {limit} total limit (415(c)) would allow {short} more, but your "
                    "deferrals, which come first, take the pay left.",
                    **values,
                )
                if plan.binding == "402(g)"
                else t(
                    "The {limit} total limit (415(c)) would allow {short} more, but the pay "
                    "left can't carry it.",
                    **values,
                )
            )
            return (t("No after-tax money fits in your paychecks left"), why)
        if s.remaining_paychecks == 0:
            return (
                t("No paychecks left in {year}", year=s.tax_year),
                t(
                    "After-tax contributions go in only through payroll, and the last "
                    "paycheck of {year} is paid: nothing more goes in this year.",
                    year=s.tax_year,
                ),
            )
        cap = s.plan.after_tax_cap_percent
        if cap is not None and cap_reached(a, s, cap):
            reached: dict[str, object] = {"cap": t.election(cap), "year": s.tax_year}
            short = plan.after_tax_shortfall if plan is not None else None
            return (
                t("Your plan's after-tax cap is reached"),
                t(
                    "Your plan's cap of {cap} of pay on after-tax contributions is reached "
                    "for {year}; the {limit} total limit (415(c)) would allow {short} more.",
                    limit=figure(t, a, a.annual_additions_limit or lim.annual_additions),
                    short=whole(t, short),
                    **reached,
                )
                if short and short >= 1
                else t(
                    "Your plan's cap of {cap} of pay on after-tax contributions is reached "
                    "for {year}.",
                    **reached,
                ),
            )
        return (
            t("No after-tax room left this year"),
            t(
                "Your deferrals, employer money and after-tax contributions already reach the "
                "{limit} total limit.",
                limit=figure(t, a, a.annual_additions_limit or lim.annual_additions),
            ),
        )
    if code is ActionCode.hce_refund_risk:
        return (
            t("As a highly paid employee, after-tax money may be refunded"),
            t(
                "Your pay last year was over {threshold}. If the plan fails its "
                "nondiscrimination (ACP) test, after-tax contributions come back. Ask HR "
                "whether it passed last year and whether it limits highly paid employees.",
                threshold=t.money(a.hce_threshold or ZERO),
            ),
        )
    raise ValueError(f"no wording for action {code}")  # pragma: no cover - every code above


def cap_reached(a: Assessment, s: Situation, cap: Decimal) -> bool:
    """The plan's own after-tax cap, not 415(c), is what leaves no room."""
    plan = a.paycheck_plan
    if plan is not None and plan.binding is not None:
        return plan.binding == "plan_cap"
    made, pay = s.after_tax_contributed, s.compensation
    return made is not None and pay is not None and made >= after_tax_cap(a.limits, pay, cap)


def after_tax_why(t: Translator, a: Assessment, s: Situation) -> str:
    """Why the after-tax step is that amount: the 415(c) room, or the limit that stops the
    paychecks left short of it (the plan's cap, the pay left)."""
    limit = figure(t, a, a.annual_additions_limit or a.limits.annual_additions)
    plan = a.paycheck_plan
    short = plan.after_tax_shortfall if plan is not None else None
    cap = s.plan.after_tax_cap_percent
    if plan is not None and short and plan.binding == "plan_cap" and cap is not None:
        return t(
            "That is what your plan's cap of {cap} of pay allows on your paychecks left; the "
            "{limit} total limit (415(c)) would allow more. Set it as a payroll election.",
            cap=t.election(cap),
            limit=limit,
        )
    if plan is not None and short and plan.binding in ("pay", "402(g)"):
        return t(
            "That is what your paychecks left can carry after your deferrals; the {limit} "
            "total limit (415(c)) would allow more. Set it as a payroll election.",
            limit=limit,
        )
    return t(
        "That is your room under the {limit} total limit (415(c)) after your deferrals "
        "and employer money. Set it as a payroll election with your plan.",
        limit=limit,
    )


def at_stake(t: Translator, action: Action, amount: str, a: Assessment, year: int) -> str:
    """What HR's answer is worth: the after-tax room if the answer is yes (at least that,
    on a floor year's figures)."""
    if not amount or action.amount == 0:
        return ""
    if a.on_floor:  # about: with deferrals at "the maximum" under a 415(c) capped at
        # pay, a higher 402(g) next year leaves less after-tax room, not more
        return " " + t(
            "If HR says yes, you could add about {amount} in {year}.", amount=amount, year=year
        )
    return " " + t("If HR says yes, you could add {amount} in {year}.", amount=amount, year=year)


def roth_total(a: Assessment) -> tuple[Decimal, Decimal]:
    """(after-tax into Roth via the 401(k), IRA into Roth) that the actions add up to."""
    mega = ira = ZERO
    for action in a.actions:
        if action.amount is None:
            continue
        if action.code is ActionCode.contribute_after_tax:
            mega += action.amount
        elif action.code in (ActionCode.contribute_roth_ira, ActionCode.backdoor_roth):
            ira += action.amount
    return mega, ira


def headline(t: Translator, a: Assessment, year: int) -> str:
    if any(x.code is ActionCode.excess_contribution for x in a.actions):
        return t("Act now: you are over a {year} limit.", year=year)
    mega, ira = roth_total(a)
    if (mega or ira) and a.on_floor:
        return t(
            "You can put at least {total} more into Roth accounts in {year}.",
            total=whole(t, mega + ira),
            year=year,
        )
    if mega and ira:
        return t(
            "You can put {total} more into Roth accounts in {year}: {mega} through your 401(k) "
            "and {ira} through an IRA.",
            total=whole(t, mega + ira),
            year=year,
            mega=whole(t, mega),
            ira=whole(t, ira),
        )
    if mega or ira:
        return t(
            "You can put {total} more into your Roth in {year}.",
            total=whole(t, mega + ira),
            year=year,
        )
    if a.mega_backdoor is MegaBackdoor.unknown:
        return t("First, two answers from HR decide whether the mega backdoor is open to you.")
    return t("Here is what you can do in {year}.", year=year)


def floor_note(t: Translator, a: Assessment, year: int) -> str:
    return t(
        "Planned on {floor}'s IRS figures: {year}'s are not loaded yet. The limits have "
        "never gone down from one year to the next, so each figure here may be a little "
        "low, never too high.",
        floor=a.limits.year,
        year=year,
    )


def result_text(
    t: Translator,
    a: Assessment,
    s: Situation,
    first: tuple[str, str] | None = None,
    notes: tuple[str, ...] = (),
    paychecks: str | None = None,
    cap_unknown: bool = False,
) -> str:
    """The full answer: headline, numbered actions with why and source, the paychecks,
    the HR message.

    `first` is a step of the dialog's own before the core's (a plan to lower); `notes`
    are cautions of the dialog's own, after the steps; `paychecks` the paycheck plan in
    words; `cap_unknown`: the plan's after-tax cap is not known (HR is asked).
    """
    parts = [f"<b>{escape(headline(t, a, s.tax_year))}</b>"]
    if a.on_floor:
        parts.append(f"<i>{floor_note(t, a, s.tax_year)}</i>")
    steps = [(*action_text(t, action, a, s), action.sources) for action in a.actions]
    if first is not None:
        steps.insert(0, (*first, (a.limits.sources["elective_deferral_limit"],)))
    for number, (what, why, _) in enumerate(steps, 1):
        parts.append(f"<b>{number}. {what}</b>\n{why}")
    if paychecks:
        parts.append(paychecks)
    asks_after_tax = ActionCode.ask_hr_after_tax in a.codes
    asks_conversion = ActionCode.ask_hr_conversion in a.codes
    if asks_after_tax or asks_conversion or cap_unknown:
        parts.append(
            t("Copy this to HR or your plan's administrator:")
            + "\n"
            + hr_question(t, asks_after_tax, asks_conversion, cap_unknown)
        )
    parts += [f"<i>{note}</i>" for note in notes]
    if steps:
        parts.append(sources_block(t, [sources for _, _, sources in steps]))
    parts.append(t(DISCLAIMER))
    return "\n\n".join(parts)


def verdict_text(t: Translator, status: MegaBackdoor, s: Situation) -> str:
    """The first useful answer, right after the plan questions."""
    if status is MegaBackdoor.available:
        return t(
            "<b>Good news: the mega backdoor Roth is open to you.</b> Your plan takes after-tax "
            "money and lets you move it to Roth while you work there. A few numbers now, and "
            "I'll tell you how much and how."
        )
    if status is MegaBackdoor.unavailable:
        return t(
            "<b>The mega backdoor isn't open in your plan</b>: it needs after-tax "
            "contributions. You can still max your 401(k) and use a Roth IRA or a backdoor "
            "Roth; a few numbers and I'll show you how much."
        )
    if status is MegaBackdoor.at_separation:
        return t(
            "<b>Not while you work there.</b> Your plan takes after-tax money, but it can't "
            "be moved to Roth until you leave this job: it would sit in the plan meanwhile, "
            "and what it earns there is taxed when it moves. Let's see your other options "
            "and your numbers."
        )
    plan = s.plan
    return (
        t(
            "<b>It depends on your plan.</b> Send this to HR, and meanwhile let's work out "
            "your numbers:"
        )
        + "\n"
        + hr_question(
            t,
            plan.after_tax_contributions is None,
            not plan.in_plan_roth_conversion and not plan.in_service_withdrawal,
        )
    )


def room_text(t: Translator, a: Assessment, year: int, paychecks: int | None) -> str | None:
    """The numbers so far: the after-tax room, once it can be computed, and the percent
    of each paycheck it takes when the paychecks are planned."""
    if a.after_tax_room is None:
        return None
    room = t(
        "So far: <b>{room}</b> of after-tax room in {year}.",
        room=whole(t, a.after_tax_room),
        year=year,
    )
    plan = a.paycheck_plan
    if a.after_tax_room > 0 and plan is not None and plan.after_tax_percent:
        return (
            room
            + " "
            + t.plural(
                "Your {n} paycheck left can carry it: about {percent} of it.",
                "Your {n} paychecks left can carry it: about {percent} of each.",
                plan.paychecks_left,
                percent=t.election(plan.after_tax_percent),
            )
        )
    if a.after_tax_per_paycheck is not None and a.after_tax_room > 0 and paychecks:
        per = whole(t, a.after_tax_per_paycheck)  # not inside t.plural(): Babel's
        # extractor loses a plural whose arguments name `t`
        spread = t.plural(
            "That is about {per} on the {n} paycheck left.",
            "That is about {per} a paycheck over the {n} paychecks left.",
            paychecks,
            per=per,
        )
        return room + " " + spread
    return room


def chart_for(t: Translator, a: Assessment, s: Situation) -> BucketChart | None:
    """The 415(c) bucket: deferrals, employer, after-tax in, room; above the line the
    catch-up, and any excess in a warning colour ("$X over")."""
    if a.annual_additions_limit is None or s.elective_deferrals is None:
        return None
    if a.annual_additions_limit <= 0:  # no pay, so no 415(c) room to draw
        return None
    lim = a.limits
    counted, catch_up = a.counted_deferrals or ZERO, a.catch_up_used or ZERO
    # The raise the advice asks for, and the match it draws: the room assumes both.
    raised = a.deferral_headroom if ActionCode.max_elective_deferrals in a.codes else None
    raise_counted = min(raised or ZERO, max(ZERO, lim.elective_deferral - counted))
    catch_up += (raised or ZERO) - raise_counted
    match = a.employer_match_advised if raised else a.employer_match
    employer = (s.employer_contributions or ZERO) + (match or ZERO)
    after_tax_in = s.after_tax_contributed or ZERO
    over = a.excess_annual_additions or ZERO
    below = [
        ("deferrals", counted),
        ("raise", raise_counted),
        ("employer", employer),
        ("after_tax_in", after_tax_in),
    ]
    names = {
        "deferrals": t("Your deferrals"),
        "raise": t("Deferrals to add"),
        "employer": t("Employer money"),
        "after_tax_in": t("After-tax so far"),
        "after_tax_room": t("After-tax room"),
        "catch_up": t("Catch-up"),
        "excess": t("Over the limit"),
    }
    pieces = [*_under_the_line(below, over), ("after_tax_room", a.after_tax_room or ZERO)]
    pieces += [("catch_up", catch_up), ("excess", over)]
    segments = tuple(
        Segment(
            label=names[kind],
            amount=amount,
            amount_text=t("{amount} over", amount=whole(t, amount))
            if kind == "excess"
            else whole(t, amount),
            kind=kind,
        )
        for kind, amount in pieces
        if amount > 0
    )
    if not segments:
        return None
    limit = a.annual_additions_limit
    if limit < lim.annual_additions:  # 415(c)(1)(B): the lesser of the dollars and pay
        limit_text = t("Limit: 100% of your pay, {amount}", amount=whole(t, limit))
    elif a.on_floor:
        limit_text = t(
            "Total limit {amount} ({year}'s figure)",
            amount=whole(t, limit),
            year=lim.year,
        )
    else:
        limit_text = t("Total limit {amount}", amount=whole(t, limit))
    return BucketChart(
        title=t("Your {year} 401(k)", year=s.tax_year),
        segments=segments,
        limit=limit,
        limit_text=limit_text,
        footer=t("Source: {source}", source=source_name(t, lim.sources["annual_additions_limit"])),
    )


def _under_the_line(below: list[tuple[str, Decimal]], over: Decimal) -> list[tuple[str, Decimal]]:
    """The money under the 415(c) line: what is in, less the excess taken off the top
    (after-tax first, then employer money, then deferrals)."""
    kept: list[tuple[str, Decimal]] = []
    for kind, amount in reversed(below):
        cut = min(amount, over)
        over -= cut
        kept.append((kind, amount - cut))
    return list(reversed(kept))


def whole(t: Translator, amount: Decimal) -> str:
    """Dollars without cents, rounded down: what can go in never shows more than it is."""
    return t.money(amount.to_integral_value(rounding=ROUND_FLOOR))


def about(t: Translator, amount: Decimal) -> str:
    """An estimate (a tax, a taxable part) in whole dollars, rounded to the nearest."""
    return t.money(amount.to_integral_value(rounding=ROUND_HALF_UP))


def limits_text(t: Translator, year: int) -> str:
    """A year's IRS figures with their sources, in the person's language."""
    lim = limits_for(year)
    src = lim.sources

    def row(label: str, value: str, key: str) -> str:
        source = src[key]
        link = f'<a href="{escape(source.href, quote=True)}">{escape(source_name(t, source))}</a>'
        return f"{label}: <b>{value}</b> ({link})"

    single = lim.roth_ira_phaseout[FilingStatus.single]
    joint = lim.roth_ira_phaseout[FilingStatus.married_joint]
    rows = [
        "<b>" + t("IRS figures for {year}", year=year) + "</b>",
        row(t("401(k) deferral limit"), t.money(lim.elective_deferral), "elective_deferral_limit"),
        row(t("Catch-up at 50+"), t.money(lim.catch_up_50), "catch_up_limit"),
        row(
            t("Catch-up at 60-63"),
            t("none this year") if lim.catch_up_60_63 is None else t.money(lim.catch_up_60_63),
            "catch_up_60_63_limit",
        ),
        row(
            t("Total 401(k) limit (415(c))"),
            t.money(lim.annual_additions),
            "annual_additions_limit",
        ),
        row(t("Pay a plan can count"), t.money(lim.compensation), "compensation_limit"),
        row(
            t("Highly paid threshold"), t.money(lim.hce_compensation), "hce_compensation_threshold"
        ),
        row(t("IRA limit"), t.money(lim.ira), "ira_contribution_limit"),
        row(t("IRA catch-up at 50+"), t.money(lim.ira_catch_up), "ira_catch_up_limit"),
        row(
            t("Roth IRA phase-out, single"),
            f"{t.money(single[0])}-{t.money(single[1])}",
            "roth_ira_phaseout_single",
        ),
        row(
            t("Roth IRA phase-out, married jointly"),
            f"{t.money(joint[0])}-{t.money(joint[1])}",
            "roth_ira_phaseout_married_joint",
        ),
        row(
            t("Roth catch-up above last year's wages of"),
            t("not enforced this year")
            if lim.roth_catch_up_wage_threshold is None
            else t.money(lim.roth_catch_up_wage_threshold),
            "roth_catch_up_wage_threshold",
        ),
    ]
    return "\n".join(rows)
