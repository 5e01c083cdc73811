"""One event in, replies out: the check's flow, commands, taps and typed answers.

`handle(session, event, today, services)` is the dialog's whole surface for a carrier
(Telegram or the terminal). It changes the session (which the carrier then saves) and
returns an `Outcome`, whose effects the carrier applies with the session. Nothing a
person types or taps raises out of it: bad input gets a re-ask with an example and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from decimal import ROUND_FLOOR, Decimal
from html import escape

from dialogs import flow as engine
from dialogs import parsing, plan_setup, plans
from dialogs.carrier_texts import APOLOGY, help_text, privacy_text
from dialogs.catalog import (
    CHECK,
    PLAN_QUESTIONS,
    QUESTIONS,
    Question,
    planned_deferrals,
    to_situation,
)
from dialogs.flow import Flow, Invalid, Rows, Turn, is_active, tax_year_of
from dialogs.i18n import N_, Translator, negotiate
from dialogs.machine import DONE, DialogMachine
from dialogs.paycheck_picture import paycheck_chart_for
from dialogs.paycheck_words import plan_text
from dialogs.plans import CountStart, DeletePlan, Services
from dialogs.render import chart_for, limits_text, result_text, room_text, verdict_text
from dialogs.replies import (
    Button,
    Choice,
    Command,
    Event,
    Outcome,
    Reply,
    button_data,
    read_button,
)
from dialogs.session import Answers, Profile, Session
from dialogs.situation import (
    CENT,
    MAX_AGE,
    MIN_AGE,
    ZERO,
    dollar_max,
    estimated_paychecks,
    figures_for,
    floor_of,
    most_paychecks,
    paychecks_per_year,
    plannable_years,
    year_ahead,
)
from rules import (
    ActionCode,
    Assessment,
    Situation,
    assess,
    mega_backdoor_status,
    supported_years,
)

_LOGGER = logging.getLogger(__name__)

COMMANDS = (
    "start", "help", "summary", "restart", "language", "limits", "privacy", "forget",
    "newplan", "myplans", "cancel",
)  # fmt: skip
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
FREQUENCY_WORDS = {
    "weekly": N_("weekly"),
    "biweekly": N_("biweekly"),
    "semimonthly": N_("twice-monthly"),
    "monthly": N_("monthly"),
}


# ---------------------------------------------------------------- sessions and the core


def new_session(language_code: str | None = None) -> Session:
    """A fresh conversation at the first question, in the person's language."""
    return Session(lang=negotiate(language_code))


def assessment_of(session: Session, today: dt.date) -> tuple[Situation, Assessment]:
    """The Situation as of `today` (the person's day, in US time) and its assessment."""
    situation = to_situation(session.answers, tax_year_of(session, today), as_of=today)
    return situation, assess(situation)


# ---------------------------------------------------------------- the check's hooks


def result_reply(turn: Turn, prefix: str = "") -> Reply:
    """The full answer, with the chart and the ways to change it."""
    t = turn.t
    situation, assessment = assessment_of(turn.session, turn.today)
    text = result_text(
        t,
        assessment,
        situation,
        planned_step(turn, situation),
        match_caution(turn, assessment),
        paychecks=plan_text(t, assessment, situation),
        cap_unknown=turn.session.answers.after_tax_cap == "unsure"
        and is_active(QUESTIONS["after_tax_cap"], turn.session.answers),
    )
    rows: list[tuple[Button, ...]] = [
        (
            Button(t("Change an answer"), button_data("nav", "summary")),
            Button(t("Start over"), button_data("nav", "restart")),
        )
    ]
    later = next_year_offer(turn, situation.tax_year)
    if later is not None:
        rows.insert(0, (later,))
    return Reply(
        text=prefix + text,
        buttons=tuple(rows),
        chart=chart_for(t, assessment, situation),
        plan_chart=paycheck_chart_for(t, assessment, situation),
        asks=True,
    )


def next_year_offer(turn: Turn, year: int) -> Button | None:
    """From November, a result for this year offers next year's January elections (the
    tax year question again, with next year among its buttons)."""
    today = turn.today
    if year != today.year or today.year + 1 not in plannable_years(today):
        return None
    return Button(
        turn.t("Plan {year}'s January elections", year=today.year + 1),
        button_data("edit", "tax_year"),
    )


def planned_step(turn: Turn, situation: Situation) -> tuple[str, str] | None:
    """A plan to defer more than the year allows (a typed amount, or "the maximum" whose
    button showed the dollar limits alone): the first step lowers it (the core was given
    the most that can be deferred), saying which bound it meets: the pay the paychecks
    left carry, 402(g), the year's pay beside the after-tax money, or 415(c)."""
    a = turn.session.answers
    year = situation.tax_year
    limit = dollar_max(a, year)  # 402(g) with the catch-up, less other jobs; at most pay
    if isinstance(a.deferrals, Decimal):
        planned = planned_deferrals(a, year)
    elif a.deferrals == "max":
        planned = limit  # what its button said
    else:
        return None
    kept = situation.elective_deferrals
    if planned is None or kept is None or planned <= kept:
        return None
    t = turn.t
    values = {"year": year, "amount": t.money(kept), "planned": t.money(planned)}
    left, so_far = situation.remaining_paychecks, situation.deferrals_so_far
    per_year, pay = situation.paychecks_per_year, situation.compensation
    if left and so_far is not None and per_year and pay is not None:
        pay_left = pay * left / per_year
        if kept >= so_far + pay_left - CENT * left:  # all the paychecks left carry
            return (
                t.plural(
                    "Defer all your last paycheck can carry: {amount} in total for {year}",
                    "Defer all your paychecks left can carry: {amount} in total for {year}",
                    left,
                    **values,
                ),
                t.plural(
                    "Your last paycheck can't carry {planned} for the year: elect as much "
                    "of it as shown below.",
                    "Your paychecks left can't carry {planned} for the year: elect as much "
                    "of each as shown below.",
                    left,
                    planned=values["planned"],
                ),
            )
    after_tax = situation.after_tax_contributed or ZERO
    if limit is not None and kept >= limit:
        why = t(
            "That is the most you can defer this year; more would be an excess deferral, "
            "taxed twice. Lower your payroll election before it goes in."
        )
        if so_far is None and situation.remaining_paychecks is not None:
            why += " " + t(
                "If more than {amount} is in already, ask the plan to refund the excess by "
                "{date}.",
                amount=values["amount"],
                date=t.date(figures_for(year).excess_deferral_deadline),
            )
    elif pay is not None and (situation.age or 0) >= 50 and kept >= pay - after_tax - CENT:
        # (under 50 415(c), 100% of pay at most, binds first: an excess, refunded)
        why = t(
            "That is all your pay for the year leaves beside your after-tax contributions: "
            "payroll can't withhold more. Lower your payroll election to it."
        )
    else:
        why = t(
            "That is the most the total limit (415(c)) leaves for deferrals beside your "
            "employer money and after-tax contributions; more would be an excess, refunded. "
            "Lower your payroll election before it goes in."
        )
    return (
        t("Set your 401(k) deferrals for {year} to {amount} in total, not {planned}", **values),
        why,
    )


def match_caution(turn: Turn, assessment: Assessment) -> tuple[str, ...]:
    """Employer money given in dollars beside a raise: if it is a match, the raise draws
    more of it than the room counts, so the person is told how to let the core price it."""
    employer = turn.session.answers.employer
    raising = ActionCode.max_elective_deferrals in assessment.codes
    if not (isinstance(employer, Decimal) and employer > 0 and raising):
        return ()
    t = turn.t
    return (
        t(
            "This counts {amount} from your employer whatever you defer. If it is a match "
            "that grows when you raise your deferrals, give its formula instead (/summary, "
            "then the employer's money): the room then allows for the larger match.",
            amount=t.money(employer),
        ),
    )


def arrive(turn: Turn) -> None:
    turn.session.milestones.add("result")  # counted once per check, however often edited
    turn.say(result_reply(turn, turn.take_prefix()))


def typed_at_result(turn: Turn) -> list[Reply]:
    text = turn.t(
        "That's everything I need. Tap <i>Change an answer</i> or send /summary to change "
        "something, or /restart to start over."
    )
    return [Reply(text=text)]


def milestones(turn: Turn) -> list[Reply]:
    """The early answers: the verdict after the plan questions, then the room."""
    t, session = turn.t, turn.session
    answers = session.answers
    replies: list[Reply] = []
    plan_known = all(
        getattr(answers, q) is not None or not is_active(QUESTIONS[q], answers)
        for q in PLAN_QUESTIONS
    )
    if plan_known and "plan" not in session.milestones:
        session.milestones.add("plan")
        situation = to_situation(answers, tax_year_of(session, turn.today))
        status = mega_backdoor_status(situation.plan)
        replies.append(Reply(text=verdict_text(t, status, situation)))
    room_due = (
        "room" not in session.milestones
        and answers.after_tax == "yes"
        and answers.pay is not None  # 415(c) caps at 100% of pay: no room without it
        and (answers.paychecks is not None or not is_active(QUESTIONS["paychecks"], answers))
    )
    if room_due:  # (one core call per step until the room shows, none before)
        _, assessment = assessment_of(session, turn.today)
        text = room_text(t, assessment, tax_year_of(session, turn.today), answers.paychecks)
        if text is not None:
            session.milestones.add("room")
            replies.append(Reply(text=text))
    return replies


def answer_rows(turn: Turn, question: Question) -> Rows:
    """Buttons worked out from earlier answers: the paychecks left by the calendar, and
    the deferrals so far if they went in evenly."""
    t, a = turn.t, turn.session.answers
    if question.id == "paychecks":
        count, frequency = estimated_paychecks(a), a.pay_frequency
        if count is None or frequency is None:
            return []
        if year_ahead(a):
            label = t("{count} (all of {year})", count=count, year=a.tax_year)
        else:
            label = t(
                "{count} ({frequency} pay, from today)",
                count=count,
                frequency=t(FREQUENCY_WORDS[frequency]),
            )
        return [[Button(label, button_data("a", question.id, str(count)))]]
    if question.id == "deferrals_so_far":
        rows = engine.option_rows(turn, question)
        even = even_so_far(a)
        if even is not None:
            label = t("About {amount} (the same each paycheck)", amount=t.money(even))
            rows.insert(0, [Button(label, button_data("a", question.id, str(even)))])
        return rows
    return []


def even_so_far(a: Answers) -> Decimal | None:
    """The year's planned deferrals spread evenly, for the paychecks already paid (whole
    dollars, rounded down): a guess the person may tap, never one made for them."""
    per_year = paychecks_per_year(a)
    if not isinstance(a.deferrals, Decimal) or per_year is None or a.paychecks is None:
        return None
    paid = per_year - a.paychecks
    if paid <= 0 or a.deferrals <= 0:
        return None
    return (a.deferrals * paid / per_year).to_integral_value(rounding=ROUND_FLOOR)


def year_note(turn: Turn, question: Question) -> str:
    """At the tax year: which years are planned on an earlier year's figures, and why
    that is safe."""
    if question.id != "tax_year":
        return ""
    t = turn.t
    notes = [
        t(
            "I don't have the IRS's {year} figures yet, so {year} is planned on {floor}'s as "
            "a floor: the limits have never gone down from one year to the next, so what I "
            "show for {year} may be a little low, never too high.",
            year=year,
            floor=floor,
        )
        for year in plannable_years(turn.today)
        if (floor := floor_of(year)) is not None
    ]
    return "".join("\n" + note for note in notes)


def reconcile(turn: Turn, question: Question, value: object) -> None:
    """Answers that are valid alone but contradict another answer."""
    a, t = turn.session.answers, turn.t
    if question.id == "paychecks" and isinstance(value, int):
        most = most_paychecks(a)
        if most is not None and value > most:
            raise Invalid(
                N_("There's room for at most {count} {frequency} paychecks in {year} from today."),
                count=most,
                frequency=t(FREQUENCY_WORDS[a.pay_frequency or "monthly"]),
                year=a.tax_year,
            )
    if question.id == "pay_frequency" and value != a.pay_frequency:
        a.paychecks = None  # counted for another frequency: asked again
    if question.id == "tax_year" and isinstance(value, int):
        change_year(a, value)
    if not isinstance(value, Decimal):
        return
    if (
        question.id == "deferrals_so_far"
        and isinstance(a.deferrals, Decimal)
        and value > a.deferrals
    ):
        raise Invalid(
            N_(
                "That's more than the {amount} you plan to defer for the whole year; "
                "/summary changes that answer."
            ),
            amount=t.money(a.deferrals),
        )
    if (
        question.id == "deferrals"
        and isinstance(a.deferrals_so_far, Decimal)
        and value < a.deferrals_so_far
    ):
        a.deferrals_so_far = None  # more in already than the new plan: asked again
    if question.id == "earnings" and a.balance is not None and value > a.balance:
        raise Invalid(
            N_("Earnings can't be more than the balance of {balance}."), balance=t.money(a.balance)
        )
    so_far = question.id == "deferrals_so_far"
    if (question.id == "deferrals" or so_far) and a.pay is not None and value > a.pay:
        raise Invalid(N_("Deferrals can't be more than your pay of {pay}."), pay=t.money(a.pay))
    if question.id == "ira_basis" and a.ira_balance is not None and value > a.ira_balance:
        raise Invalid(
            N_("The basis can't be more than the balance of {balance}."),
            balance=t.money(a.ira_balance),
        )
    if question.id == "roth_part":
        deferrals = planned_deferrals(a, tax_year_of(turn.session, turn.today))
        if deferrals is not None and value > deferrals:
            raise Invalid(
                N_("The Roth part can't be more than your deferrals of {amount}."),
                amount=t.money(deferrals),
            )
    if question.id == "balance" and (
        value == 0 or (a.earnings is not None and value < a.earnings)
    ):
        a.earnings = None  # none left, or fewer than kept: asked again if they count
    if question.id == "ira_balance" and a.ira_basis is not None and value < a.ira_basis:
        a.ira_basis = None  # a basis over the new balance can't stand: asked again
    deferred = a.deferrals_so_far if isinstance(a.deferrals_so_far, Decimal) else Decimal(0)
    if question.id == "pay":  # money over the new pay can't stand: asked again
        if isinstance(a.deferrals, Decimal) and value < a.deferrals:
            a.deferrals = None
        if value < deferred + (a.after_tax_in or 0):  # both came out of the pay so far
            a.deferrals_so_far = a.after_tax_in = None
    if (
        question.id == "deferrals_so_far"
        and a.pay is not None
        and value + (a.after_tax_in or 0) > a.pay
    ):
        a.after_tax_in = None  # both can't have come out of the pay: asked again
    if question.id == "after_tax_in" and a.pay is not None and value + deferred > a.pay:
        raise Invalid(
            N_(
                "With your deferrals so far, that's more than your pay of {pay}; /summary "
                "changes that answer."
            ),
            pay=t.money(a.pay),
        )


def change_year(a: Answers, year: int) -> None:
    """Another tax year: the answers about that year's money are asked again (this
    year's pay becomes next year's "last year"); an age follows the year."""
    old = a.tax_year
    if old is None or old == year:
        return
    if isinstance(a.age, int):
        a.age = min(MAX_AGE, max(MIN_AGE, a.age + year - old))
    prior = a.pay if year == old + 1 and a.pay is not None else None
    for name in ("pay", "deferrals_so_far", "other_deferrals", "after_tax_in", "paychecks"):
        setattr(a, name, None)
    for name in ("deferrals", "employer", "magi", "roth_part", "spouse_pay", "prior_pay"):
        if isinstance(getattr(a, name), Decimal):
            setattr(a, name, None)  # a dollar figure of the old year; a formula or a
            # symbol ("the maximum", "about my pay") means the same in the new one
    if prior is not None:
        a.prior_pay = prior


def summary_head(turn: Turn) -> list[str]:
    t, profile = turn.t, turn.session.profile
    lines = ["<b>" + t("Your answers") + "</b>"]
    if profile is not None:
        lines.append(
            t(
                "Plan answers from {plan}, as set up on {date}.",
                plan=escape(profile.name),
                date=t.date(profile.as_of),
            )
        )
    return lines


def summary_foot(turn: Turn) -> tuple[Button, ...]:
    return (Button(turn.t("Show my result"), button_data("nav", "result")),)


CHECK_FLOW = Flow(
    name="check",
    questions=CHECK,
    end=DONE,
    answers=lambda session: session.answers,
    edit_kind="edit",
    end_reply=result_reply,
    arrive=arrive,
    typed_at_end=typed_at_result,
    overview_head=summary_head,
    overview_foot=summary_foot,
    between=milestones,
    rows=answer_rows,
    note=year_note,
    reconcile=reconcile,
)
MACHINE = DialogMachine(CHECK_FLOW, plan_setup.SETUP_FLOW, save=plan_setup.store)


# ---------------------------------------------------------------- starting


def plan_greeting(t: Translator, profile: Profile) -> str:
    """Who answered the plan questions, and when: so the person knows what they rely on."""
    if profile.verified:  # curated by the bot's operator: the only profiles vouched for
        text = t(
            "Checking with <b>{plan}</b>'s settings, as set up by its benefits team and "
            "checked by this bot's operator on {date}.",
            plan=escape(profile.name),
            date=t.date(profile.as_of),
        )
    else:
        text = t(
            "Checking with <b>{plan}</b>'s settings, as set up on {date} by the person who "
            "shared this link (not checked by anyone else).",
            plan=escape(profile.name),
            date=t.date(profile.as_of),
        )
    text += " " + t(
        "I'll skip the plan questions; /summary shows those answers, and you can change "
        "any of them if your plan has changed."
    )
    if profile.contact:
        text += "\n" + t("Questions about the plan: {contact}", contact=escape(profile.contact))
    return text


def welcome_text(t: Translator, profile: Profile | None) -> str:
    text = t(
        "Hi! I'll tell you whether you can do a <b>mega backdoor Roth</b>: extra after-tax "
        "money in your 401(k), moved to Roth. Then what to do next, with the IRS's figures "
        "and sources. It takes about 20 questions, most of them a tap, five minutes or so."
    )
    text += "\n\n" + t(
        "Good to have at hand: your pay, what you defer into the 401(k), your employer's "
        "match, your IRA balances and last year's W-2."
    )
    text += "\n\n" + t(
        "This is educational information, not tax advice; where a lot is at stake, a tax "
        "professional can help. Your answers stay private, and /forget erases them."
    )
    return text if profile is None else plan_greeting(t, profile) + "\n\n" + text


def start(turn: Turn, prefix: str = "") -> None:
    session = turn.session
    if session.history or session.state != engine.first_needed(CHECK_FLOW, session.answers):
        turn.say(engine.ask(turn, prefix + turn.t("Welcome back!") + "\n\n"))
        return
    turn.say(Reply(text=prefix + welcome_text(turn.t, session.profile)), engine.ask(turn))


def start_from_link(turn: Turn, args: tuple[str, ...]) -> None:
    """`/start <code>` from an HR plan link: the plan's answers, then the questions left.

    A bad, unknown or deleted code says so in one line and goes on as a plain start.
    The person's own answers so far are kept; only the plan's are replaced.
    """
    t, session, services = turn.t, turn.session, turn.services
    if session.setup is not None:
        turn.fire("leave_setup")  # a plan link starts a check: the draft is dropped
    payload = args[0] if len(args) == 1 else ""
    found = services.plans.get_plan(payload) if plans.looks_like_code(payload) else None
    if found is None:
        line = t(
            "That plan link doesn't work: it may be old, deleted or mistyped. I'll ask "
            "about your plan instead."
        )
        start(turn, line + "\n\n")
        return
    if session.profile is None or session.profile.code != found.code:
        turn.outcome.effects.append(CountStart(found.code))
    profile = plans.snapshot(found)
    turn.say(Reply(text=welcome_text(t, profile)))
    turn.fire("start_from_link", profile=profile, keep=True)


def restart(turn: Turn) -> None:
    """Start over, keeping the language and the plan profile: a new check picks up the
    profile's current answers (or asks the plan questions if it was deleted)."""
    profile = turn.session.profile
    if profile is not None:
        current = turn.services.plans.get_plan(profile.code)
        if current is None:
            turn.prefix = (
                turn.t(
                    "{plan}'s settings are no longer shared, so I'll ask about your plan.",
                    plan=escape(profile.name),
                )
                + "\n\n"
            )
            profile = None
        else:
            profile = plans.snapshot(current)
    turn.fire("restart", profile=profile)


def forget(turn: Turn) -> None:
    """Erase the person's plan profiles here; the carrier erases the session."""
    t, services = turn.t, turn.services
    text = t("Done: everything I stored about you is erased. /start begins again.")
    if services.user_id is not None:
        owned = services.plans.plans_of(services.user_id)
        turn.outcome.effects += [DeletePlan(p.code, services.user_id) for p in owned]
        if owned:
            text += " " + t.plural(
                "That includes {count} plan profile you set up; its link no longer works.",
                "That includes {count} plan profiles you set up; their links no longer work.",
                len(owned),
                count=len(owned),
            )
    turn.say(Reply(text=text))
    turn.outcome.forget = True


def set_language(turn: Turn, lang: str) -> None:
    turn.session.lang = lang
    turn.session.lang_chosen = True
    turn.say(Reply(text=turn.t("I'll speak English from now on.")), engine.ask(turn))


def language_menu(turn: Turn) -> Reply:
    return Reply(
        text=turn.t("Choose your language:"),
        buttons=(
            tuple(
                Button(name, button_data("lang", code)) for code, name in LANGUAGE_NAMES.items()
            ),
        ),
    )


def limits_reply(turn: Turn, args: tuple[str, ...]) -> Reply:
    """A year's IRS figures: the one asked for, or the year being planned (a year
    planned on a floor shows the floor's, saying so)."""
    t, years = turn.t, supported_years()
    year = tax_year_of(turn.session, turn.today)
    line = ""
    if args:
        try:
            year = parsing.parse_year(args[0])
        except parsing.ParseError:
            year = -1
    elif year not in years:
        floor = floor_of(year) or years[-1]
        line = t(
            "I don't have the IRS's {year} figures yet; these are {floor}'s.",
            year=year,
            floor=floor,
        )
        year = floor
    if year in years:
        return Reply(text=(line + "\n\n" if line else "") + limits_text(t, year))
    return Reply(
        text=t(
            "I only have the IRS's figures for {first} to {last}; for example /limits {last}.",
            first=years[0],
            last=years[-1],
        )
    )


# ---------------------------------------------------------------- commands and taps


def command(turn: Turn, cmd: Command) -> None:
    t, name, setting_up = turn.t, cmd.name.lower(), turn.session.setup is not None
    if setting_up and (name in ("newplan", "summary") or (name == "start" and not cmd.args)):
        turn.say(engine.ask(turn, t("We're setting up a plan profile; /cancel stops.") + "\n\n"))
    elif setting_up and name == "cancel":
        plan_setup.cancel(turn)
    elif name == "start":
        if cmd.args:
            start_from_link(turn, cmd.args)
        else:
            start(turn)
    elif name == "restart":
        restart(turn)
    elif name == "newplan":
        plan_setup.begin(turn)
    elif name == "myplans":
        plan_setup.my_plans(turn)
    elif name == "cancel":
        nothing = t("There's nothing to cancel.")
        if turn.session.state == DONE:
            turn.say(Reply(text=nothing))
        else:
            turn.say(engine.ask(turn, nothing + "\n\n"))
    elif name == "help":
        turn.say(Reply(text=help_text(t)), engine.ask(turn))
    elif name == "summary":
        turn.fire("show_summary")
    elif name == "language":
        turn.say(language_menu(turn))
    elif name == "privacy":
        turn.say(
            Reply(text=privacy_text(t, turn.services.retention_days, turn.services.backup_days))
        )
    elif name == "forget":
        forget(turn)
    elif name == "back":
        engine.go_back(turn)
    elif name == "limits":
        turn.say(limits_reply(turn, cmd.args))
    else:
        turn.say(Reply(text=t("I don't know that command.") + "\n\n" + help_text(t)))
        turn.say(engine.ask(turn))


def choice(turn: Turn, data: str) -> None:
    button = read_button(data)
    if button is None:
        engine.stale(turn)
        return
    kind, args, state = button.kind, button.args, turn.session.state
    if kind == "a":
        engine.tapped(turn, *args)
    elif kind == "plan":
        plan_setup.plan_action(turn, args)
    elif kind == "nav" and args == ("back", state):
        engine.go_back(turn)
    elif kind == "nav" and args in (("summary",), ("restart",), ("result",)):
        if turn.session.setup is not None:
            engine.stale(turn)
        elif args == ("summary",):
            turn.fire("show_summary")
        elif args == ("restart",):
            restart(turn)
        else:
            turn.fire("show_result")
    elif kind == "edit" and turn.session.setup is None:
        engine.edit(turn, args[0])
    elif kind == "pe":
        plan_setup.edit_answer(turn, args[0])
    elif kind == "lang" and args[0] in LANGUAGE_NAMES:
        set_language(turn, args[0])
    else:
        engine.stale(turn)


def private_only(language_code: str | None) -> str:
    """The one line a group chat gets: the bot only talks one to one."""
    t = Translator(negotiate(language_code))
    return t(
        "I only talk in private chats, so your numbers stay private: open a chat with me "
        "and send /start."
    )


def handle(
    session: Session, event: Event, today: dt.date, services: Services | None = None
) -> Outcome:
    """Apply one event to the session and say what to reply.

    `services` is what the carrier lends for this event (plan profiles, who is asking).
    """
    turn = MACHINE.turn(session, today, services or Services())
    if isinstance(event, Command):
        command(turn, event)
    elif isinstance(event, Choice):
        choice(turn, event.data)
    else:
        engine.typed(turn, event.text)
    outcome = turn.outcome
    started = session.history or session.state != engine.first_needed(CHECK_FLOW, session.answers)
    left = turn.left_setup and session.setup is None
    if left and started and not any(r.asks for r in outcome.replies):
        # Out of the setup, back to a check under way: show it again, so a typed answer
        # answers a question they can see. (Someone who only set up a plan is not put
        # into a check they never started.)
        t = turn.t
        if session.state == DONE:
            line = t("Your own check's result is still here: /summary shows your answers.")
            turn.say(Reply(text=line))
        else:
            turn.say(engine.ask(turn, t("Back to your own check:") + "\n\n"))
    return outcome


def handle_safely(
    session: Session, event: Event, today: dt.date, services: Services | None = None
) -> Outcome:
    """`handle`, with a last-resort apology: a bug must not take the conversation down.

    The session is restored to what it was before the event, and the outcome has no
    effects, so nothing half-applied is saved. The log names only the error class and
    the place, never the person's input.
    """
    snapshot = session.to_json()
    try:
        return handle(session, event, today, services)
    except Exception as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        _LOGGER.error(  # the class and the place only: a message may quote the input
            "dialog error %s at %s:%s", type(error).__name__, frame.filename, frame.lineno
        )
        restored = Session.from_json(snapshot)
        for name in Session.model_fields:
            setattr(session, name, getattr(restored, name))
        return Outcome(replies=[Reply(text=Translator(session.lang)(APOLOGY))])
