"""One event in, replies out: commands, typed answers, taps, back, edit, summary, result.

`handle(session, event, today)` is the dialog's whole surface for a carrier (Telegram or
the terminal). It mutates the session (which the carrier then saves) and returns an
`Outcome`. Nothing a person types or taps raises out of it: bad input gets a re-ask
with an example and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from decimal import Decimal
from html import escape
from typing import Any

from pydantic import ValidationError

from dialogs import parsing, plan_setup, plans
from dialogs.catalog import CHECK, PLAN_QUESTIONS, QUESTIONS, Kind, Question, is_active
from dialogs.engine import (
    Invalid,
    answer_label,
    option_rows,
    parse_answer,
    prompt_values,
    tapped_value,
    tax_year_of,
)
from dialogs.i18n import N_, Text, negotiate
from dialogs.machine import CHECK_DIALOG, DONE
from dialogs.plans import Services
from dialogs.render import (
    chart_for,
    result_text,
    room_text,
    short_title,
    verdict_text,
)
from dialogs.replies import (
    MAX_CALLBACK_ANSWER,
    Button,
    Choice,
    Command,
    Event,
    Outcome,
    Reply,
    callback,
)
from dialogs.session import Answers, Profile, Session
from rules import (
    Assessment,
    FilingStatus,
    Situation,
    assess,
    limits_for,
    supported_years,
)
from rules.advice import mega_backdoor_status
from rules.models import PlanFeatures

_LOGGER = logging.getLogger(__name__)

COMMANDS = (
    "start",
    "help",
    "summary",
    "restart",
    "language",
    "limits",
    "privacy",
    "forget",
    "newplan",
    "myplans",
    "cancel",
)
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


# ---------------------------------------------------------------- sessions and years


def new_session(language_code: str | None = None) -> Session:
    """A fresh conversation at the first question, in the person's language."""
    return Session(state=CHECK_DIALOG.first, lang=negotiate(language_code))


def situation_from(answers: Answers, year: int) -> Situation:
    """The rules core's input, from the answers of questions not skipped."""
    limits = limits_for(year)
    fields: dict[str, Any] = {"tax_year": year, "plan": {}}
    for question in CHECK:
        if question.apply is not None and is_active(question, answers):
            question.apply(answers, limits, fields)
    fields["plan"] = PlanFeatures(**fields["plan"])
    return Situation(**fields)


def assessment_of(session: Session, today: dt.date) -> tuple[Situation, Assessment]:
    situation = situation_from(session.answers, tax_year_of(session, today))
    return situation, assess(situation)


# ---------------------------------------------------------------- asking


def ask(session: Session, today: dt.date, prefix: str = "") -> Reply:
    """The current question (or the result when done), with its buttons."""
    if session.catalog == "newplan":
        return plan_setup.ask(session, prefix)
    if session.state == DONE:
        return result_reply(session, today)
    question = QUESTIONS[session.state]
    t = Text(session.lang)
    text = t(question.prompt, **prompt_values(session, today))
    if question.kind is Kind.year and today.year not in supported_years():
        text += "\n" + t(
            "The IRS hasn't published the figures for {year} yet, so I can't plan it; "
            "{latest} is the latest year with figures.",
            year=today.year,
            latest=supported_years()[-1],
        )
    current = getattr(session.answers, question.id)
    if current is not None:
        label = answer_label(t, question, current, session.answers, tax_year_of(session, today))
        text += "\n" + t("<i>Current answer: {answer}</i>", answer=label)
    rows = option_rows(session, question, today)
    frequency = session.answers.pay_frequency
    if question.id == "paychecks" and frequency is not None:
        left = paychecks_left(frequency, tax_year_of(session, today), today)
        label = t(
            "{count} ({frequency} pay, from today)",
            count=left,
            frequency=t(FREQUENCY_WORDS[frequency]),
        )
        rows = [[Button(label, callback("a", question.id, str(left)))]]
    if session.history:
        rows.append([Button(t("« Back"), callback("nav", "back", question.id))])
    return Reply(
        text=f"{prefix}{text}" if prefix else text,
        buttons=tuple(tuple(r) for r in rows),
        asks=True,
    )


FREQUENCY_WORDS = {
    "weekly": N_("weekly"),
    "biweekly": N_("biweekly"),
    "semimonthly": N_("twice-monthly"),
    "monthly": N_("monthly"),
}


def paychecks_left(frequency: str, year: int, today: dt.date) -> int:
    """Paychecks from today to the year's end, counting the next one (an estimate: the
    plan's pay dates are not known, only how often they come)."""
    if year != today.year:
        start = dt.date(year, 1, 1)
        if year < today.year:
            return 1
    else:
        start = today
    days = (dt.date(year, 12, 31) - start).days + 1
    if frequency == "weekly":
        return min(53, -(-days // 7))
    if frequency == "biweekly":
        return min(27, -(-days // 14))
    months_after = 12 - start.month
    if frequency == "semimonthly":
        return 2 * months_after + (2 if start.day <= 15 else 1)
    return months_after + 1


def result_reply(session: Session, today: dt.date) -> Reply:
    """The full answer, with the chart and the ways to change it."""
    t = Text(session.lang)
    situation, assessment = assessment_of(session, today)
    return Reply(
        text=result_text(t, assessment, situation),
        buttons=(
            (
                Button(t("Change an answer"), callback("nav", "summary")),
                Button(t("Start over"), callback("nav", "restart")),
            ),
        ),
        chart=chart_for(t, assessment, situation),
        asks=True,
    )


# ---------------------------------------------------------------- answering


def _cross_check(session: Session, question: Question, value: object, today: dt.date) -> None:
    """Answers that are valid alone but contradict another answer."""
    a = session.answers
    if not isinstance(value, Decimal):
        return
    if question.id == "earnings" and a.balance is not None and value > a.balance:
        raise Invalid(
            N_("Earnings can't be more than the balance of {balance}."),
            balance=Text(session.lang).money(a.balance),
        )
    if question.id == "deferrals" and a.pay is not None and value > a.pay:
        raise Invalid(
            N_("Deferrals can't be more than your pay of {pay}."),
            pay=Text(session.lang).money(a.pay),
        )


def accept(session: Session, question: Question, value: object, today: dt.date) -> Outcome:
    """Store an answer, move on, and say what comes next (milestones, question, result)."""
    t = Text(session.lang)
    _cross_check(session, question, value, today)
    setattr(session.answers, question.id, value)
    if question.id == "balance" and value == Decimal(0):
        session.answers.earnings = None
    label = answer_label(t, question, value, session.answers, tax_year_of(session, today))
    prompt = t(question.prompt, **prompt_values(session, today))
    ack = Reply(text=f"{prompt}\n<b>→ {label}</b>")
    if not session.history or session.history[-1] != question.id:
        session.history.append(question.id)
    CHECK_DIALOG.advance(session)
    if session.state == DONE:
        session.milestones.add("result")  # counted once per check, however often edited
    outcome = Outcome(ack=ack)
    outcome.replies.extend(_milestones(session, today))
    outcome.replies.append(ask(session, today))
    return outcome


def _milestones(session: Session, today: dt.date) -> list[Reply]:
    """The early answers: the verdict after the plan questions, then the room."""
    if session.state == DONE:
        return []
    t = Text(session.lang)
    replies: list[Reply] = []
    answers = session.answers
    plan_known = all(
        getattr(answers, q) is not None or not is_active(QUESTIONS[q], answers)
        for q in PLAN_QUESTIONS
    )
    if plan_known and "plan" not in session.milestones:
        session.milestones.add("plan")
        situation = situation_from(answers, tax_year_of(session, today))
        replies.append(
            Reply(text=verdict_text(t, mega_backdoor_status(situation.plan), situation))
        )
    if "room" not in session.milestones and answers.after_tax == "yes":
        _, assessment = assessment_of(session, today)
        text = room_text(t, assessment, answers.paychecks)
        if text is not None and (
            answers.paychecks is not None or not is_active(QUESTIONS["paychecks"], answers)
        ):
            session.milestones.add("room")
            replies.append(Reply(text=text))
    return replies


# ---------------------------------------------------------------- commands and taps


def plan_greeting(t: Text, profile: Profile) -> str:
    """Who answered the plan questions, and when: so the person knows what they rely on."""
    if profile.verified:
        text = t(
            "Checking with <b>{plan}</b>'s settings, as provided by this bot's operator "
            "on {date}.",
            plan=escape(profile.name),
            date=t.date(profile.as_of),
        )
    else:
        text = t(
            "Checking with <b>{plan}</b>'s settings, as set up by its benefits team on {date}.",
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


def welcome(session: Session, today: dt.date, prefix: str = "") -> list[Reply]:
    t = Text(session.lang)
    text = t(
        "Hi! In about two minutes I'll tell you whether you can do a <b>mega backdoor "
        "Roth</b>: extra after-tax money in your 401(k), moved to Roth. Then what to do next, "
        "with the IRS's figures and sources."
    )
    text += "\n\n" + t(
        "This is educational information, not tax advice; where a lot is at stake, a tax "
        "professional can help. Your answers stay private, and /forget erases them."
    )
    if session.profile is not None:
        text = plan_greeting(t, session.profile) + "\n\n" + text
    return [Reply(text=prefix + text), ask(session, today)]


def help_text(t: Text) -> str:
    return t(
        "I ask a few questions about your 401(k) and your numbers, then tell you what to do "
        "next. Tap a button or type an answer like <i>150k</i>.\n\n"
        "/summary: your answers, to change any\n/restart: start over\n"
        "/language: English or Spanish\n/limits 2026: a year's IRS figures with sources\n"
        "/privacy: what I keep\n/forget: erase everything about you"
    )


def privacy_text(t: Text, retention_days: int, backup_days: int = 14) -> str:
    return privacy_kept(t, retention_days) + "\n\n" + privacy_backups(t, backup_days)


def privacy_kept(t: Text, retention_days: int) -> str:
    return t(
        "<b>What I keep:</b> your answers to these questions, where we are in the "
        "conversation, and your language, so you can come back later. Nothing else: no "
        "name lists, no message history, no amounts in logs.\n\n"
        "<b>How long:</b> until you erase them, or {days} days after your last message, "
        "whichever comes first.\n\n"
        "<b>Plan profiles</b> you set up with /newplan are kept, with your Telegram user id "
        "so only you can change them, until you delete them. They count how many checks "
        "started through their link, never who started them.\n\n"
        "<b>Erase:</b> /forget deletes everything stored about you at once, including "
        "the plan profiles you set up.",
        days=retention_days,
    )


def privacy_backups(t: Text, backup_days: int) -> str:
    if not backup_days:
        return t("<b>Backups:</b> none are kept.")
    return t.plural(
        "<b>Backups:</b> the operator's daily copies of the database hold what was stored "
        "when each was taken, erased answers included; /forget can't reach them, and each "
        "copy is deleted after {days} day.",
        "<b>Backups:</b> the operator's daily copies of the database hold what was stored "
        "when each was taken, erased answers included; /forget can't reach them, and each "
        "copy is deleted after {days} days.",
        backup_days,
        days=backup_days,
    )


def limits_text(t: Text, year: int) -> str:
    """A year's IRS figures with their sources, in the person's language."""
    lim = limits_for(year)
    src = lim.sources

    def row(label: str, value: str, key: str) -> str:
        source = src[key]
        link = f'<a href="{escape(source.href, quote=True)}">{escape(short_title(source))}</a>'
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


def summary(session: Session, today: dt.date) -> Reply:
    """Every answer that counts, each with an edit button."""
    t = Text(session.lang)
    year = tax_year_of(session, today)
    lines = ["<b>" + t("Your answers") + "</b>"]
    if session.profile is not None:
        lines.append(
            t(
                "Plan answers from {plan}, as set up on {date}.",
                plan=escape(session.profile.name),
                date=t.date(session.profile.as_of),
            )
        )
    buttons: list[Button] = []
    for question in CHECK:
        if not is_active(question, session.answers):
            continue
        value = getattr(session.answers, question.id)
        shown = "—" if value is None else answer_label(t, question, value, session.answers, year)
        lines.append(f"{t(question.summary_label)}: <b>{shown}</b>")
        buttons.append(Button(t(question.summary_label), callback("edit", question.id)))
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append((Button(t("Show my result"), callback("nav", "result")),))
    return Reply(text="\n".join(lines), buttons=tuple(rows))


def restart(session: Session, today: dt.date, services: Services) -> list[Reply]:
    """Start over, keeping the language and the plan profile: a new check picks up the
    profile's current answers (or asks the plan questions if it was deleted)."""
    t = Text(session.lang)
    prefix = ""
    if session.profile is not None:
        current = services.plans.get_plan(session.profile.code)
        if current is None:
            prefix = t(
                "{plan}'s settings are no longer shared, so I'll ask about your plan.",
                plan=escape(session.profile.name),
            )
            prefix += "\n\n"
            session.profile = None
        else:
            session.profile = plans.snapshot(current)
    session.answers = plans.with_profile(Answers(), session.profile)
    session.history = []
    session.milestones = set()
    session.state = CHECK_DIALOG.first_needed(session)
    return [ask(session, today, prefix)]


def start_from_link(
    session: Session, args: tuple[str, ...], today: dt.date, services: Services
) -> Outcome:
    """`/start <code>` from an HR plan link: the plan's answers, then the questions left.

    A bad, unknown or deleted code says so in one line and goes on as a plain start.
    The person's own answers so far are kept; only the plan's are replaced.
    """
    t = Text(session.lang)
    payload = args[0] if len(args) == 1 else ""
    found = services.plans.get_plan(payload) if plans.looks_like_code(payload) else None
    if found is None:
        line = t(
            "That plan link doesn't work: it may be old, deleted or mistyped. I'll ask "
            "about your plan instead."
        )
        return start(session, today, line + "\n\n")
    if session.profile is None or session.profile.code != found.code:
        services.plans.count_start(found.code)
    session.profile = plans.snapshot(found)
    session.answers = plans.with_profile(session.answers, session.profile)
    session.history = []
    session.milestones = set()
    session.state = CHECK_DIALOG.first_needed(session)
    return Outcome(replies=welcome(session, today))


def start(session: Session, today: dt.date, prefix: str = "") -> Outcome:
    t = Text(session.lang)
    if session.history or session.state != CHECK_DIALOG.first_needed(session):
        return Outcome(replies=[ask(session, today, prefix + t("Welcome back!") + "\n\n")])
    return Outcome(replies=welcome(session, today, prefix))


def forget(session: Session, services: Services) -> Outcome:
    """Erase the person's plan profiles here; the carrier erases the session."""
    t = Text(session.lang)
    text = t("Done: everything I stored about you is erased. /start begins again.")
    if services.user_id is not None:
        owned = services.plans.plans_of(services.user_id)
        for profile in owned:
            services.plans.delete_plan(profile.code, services.user_id)
        if owned:
            text += " " + t.plural(
                "That includes {count} plan profile you set up; its link no longer works.",
                "That includes {count} plan profiles you set up; their links no longer work.",
                len(owned),
                count=len(owned),
            )
    return Outcome(replies=[Reply(text=text)], forget=True)


def go_back(session: Session, today: dt.date) -> Outcome:
    t = Text(session.lang)
    if not session.history:
        return Outcome(replies=[ask(session, today, t("This is the first question.") + "\n\n")])
    session.state = session.history.pop()
    return Outcome(replies=[ask(session, today)])


def edit(session: Session, question_id: str, today: dt.date) -> Outcome:
    question = QUESTIONS.get(question_id)
    if question is None or not is_active(question, session.answers):
        return stale(session, today)
    if session.state != question_id:
        session.history.append(session.state)
    session.state = question_id
    return Outcome(replies=[ask(session, today)])


def stale(session: Session, today: dt.date) -> Outcome:
    """A tap on an old button: say so politely and show where we are now."""
    t = Text(session.lang)
    notice = t("That button is from an earlier question. Here is where we are now.")
    return Outcome(replies=[ask(session, today)], notice=notice[:MAX_CALLBACK_ANSWER])


def set_language(session: Session, lang: str, today: dt.date) -> Outcome:
    session.lang = lang
    session.lang_chosen = True
    t = Text(lang)
    return Outcome(replies=[Reply(text=t("I'll speak English from now on.")), ask(session, today)])


def language_menu(session: Session) -> Reply:
    t = Text(session.lang)
    return Reply(
        text=t("Choose your language:"),
        buttons=(
            tuple(Button(name, callback("lang", code)) for code, name in LANGUAGE_NAMES.items()),
        ),
    )


def command(session: Session, cmd: Command, today: dt.date, services: Services) -> Outcome:
    t = Text(session.lang)
    name = cmd.name.lower()
    if name == "start":
        if cmd.args:
            return start_from_link(session, cmd.args, today, services)
        return start(session, today)
    if name == "restart":
        return Outcome(replies=restart(session, today, services))
    if name == "newplan":
        return plan_setup.begin(session, services)
    if name == "myplans":
        return plan_setup.my_plans(session, services)
    if name == "cancel":
        if session.state == DONE:
            return Outcome(replies=[Reply(text=t("There's nothing to cancel."))])
        return Outcome(replies=[ask(session, today, t("There's nothing to cancel.") + "\n\n")])
    if name == "help":
        return Outcome(replies=[Reply(text=help_text(t)), ask(session, today)])
    if name == "summary":
        return Outcome(replies=[summary(session, today)])
    if name == "language":
        return Outcome(replies=[language_menu(session)])
    if name == "privacy":
        text = privacy_text(t, services.retention_days, services.backup_days)
        return Outcome(replies=[Reply(text=text)])
    if name == "forget":
        return forget(session, services)
    if name == "back":
        return go_back(session, today)
    if name == "limits":
        year = tax_year_of(session, today)
        if cmd.args:
            try:
                year = parsing.parse_year(cmd.args[0])
            except parsing.ParseError:
                year = -1
        if year not in supported_years():
            years = supported_years()
            return Outcome(
                replies=[
                    Reply(
                        text=t(
                            "I only have the IRS's figures for {first} to {last}; for example "
                            "/limits {last}.",
                            first=years[0],
                            last=years[-1],
                        )
                    )
                ]
            )
        return Outcome(replies=[Reply(text=limits_text(t, year))])
    return Outcome(replies=[Reply(text=t("I don't know that command.") + "\n\n" + help_text(t))])


def choice(session: Session, data: str, today: dt.date, services: Services) -> Outcome:
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != "v1":
        return stale(session, today)
    kind = parts[1]
    if kind == "a" and len(parts) == 4:
        _, _, question_id, value = parts
        question = QUESTIONS.get(question_id)
        if question is None or question_id != session.state:
            return stale(session, today)
        answer = tapped_value(question, value)
        if answer is None:
            return stale(session, today)
        return accept(session, question, answer, today)
    if kind == "plan":
        return plan_setup.plan_action(session, parts, services, today)
    if kind == "nav" and len(parts) >= 3:
        target = parts[2]
        if target == "back":
            if len(parts) != 4 or parts[3] != session.state:
                return stale(session, today)
            return go_back(session, today)
        if target == "summary":
            return Outcome(replies=[summary(session, today)])
        if target == "restart":
            return Outcome(replies=restart(session, today, services))
        if target == "result":
            session.state = CHECK_DIALOG.first_needed(session)
            return Outcome(replies=[ask(session, today)])
    if kind == "edit" and len(parts) == 3:
        return edit(session, parts[2], today)
    if kind == "lang" and len(parts) == 3 and parts[2] in LANGUAGE_NAMES:
        return set_language(session, parts[2], today)
    return stale(session, today)


def text_answer(session: Session, raw: str, today: dt.date) -> Outcome:
    t = Text(session.lang)
    if session.state == DONE:
        return Outcome(
            replies=[
                Reply(
                    text=t(
                        "That's everything I need. Tap <i>Change an answer</i> or send "
                        "/summary to change something, or /restart to start over."
                    )
                )
            ]
        )
    question = QUESTIONS[session.state]
    try:
        value = parse_answer(session, question, raw, today)
        return accept(session, question, value, today)
    except Invalid as problem:
        message = t(problem.message, **problem.values)
        return Outcome(
            replies=[ask(session, today, t("Sorry, I didn't get that.") + " " + message + "\n\n")]
        )
    except ValidationError:
        return Outcome(replies=[ask(session, today, t("Sorry, I didn't get that.") + "\n\n")])


def private_only(language_code: str | None) -> str:
    """The one line a group chat gets: the bot only talks one to one."""
    t = Text(negotiate(language_code))
    return t(
        "I only talk in private chats, so your numbers stay private: open a chat with me "
        "and send /start."
    )


def handle(
    session: Session, event: Event, today: dt.date, services: Services | None = None
) -> Outcome:
    """Apply one event to the session and say what to reply.

    `services` is what the carrier lends for this event (plan profiles, who is asking);
    without one, plan profiles live in memory for this call only.
    """
    services = services or Services()
    setting_up = session.catalog == "newplan"
    outcome = _handle(session, event, today, services)
    if setting_up and session.catalog == "check" and not any(r.asks for r in outcome.replies):
        # Out of the setup: show the person's own check again, so a typed answer
        # answers a question they can see.
        t = Text(session.lang)
        if session.state == DONE:
            line = t("Your own check's result is still here: /summary shows your answers.")
            outcome.replies.append(Reply(text=line))
        else:
            outcome.replies.append(ask(session, today, t("Back to your own check:") + "\n\n"))
    return outcome


def _handle(session: Session, event: Event, today: dt.date, services: Services) -> Outcome:
    if session.catalog == "newplan":
        if session.state != DONE and session.state not in plan_setup.SETUP_QUESTIONS:
            plan_setup.leave(session)  # a setup from an older catalog
        else:
            outcome = plan_setup.handle_setup(session, event, services, today)
            if outcome is not None:
                return outcome
    elif session.catalog != "check":
        session.catalog = "check"
    if session.catalog == "check" and session.state != DONE and session.state not in QUESTIONS:
        session.state = CHECK_DIALOG.first_needed(session)  # a state from an older catalog
    if isinstance(event, Command):
        return command(session, event, today, services)
    if isinstance(event, Choice):
        return choice(session, event.data, today, services)
    return text_answer(session, event.text, today)


def handle_safely(
    session: Session, event: Event, today: dt.date, services: Services | None = None
) -> Outcome:
    """`handle`, with a last-resort apology: a bug must not take the conversation down.

    The session is restored to what it was before the event, so nothing half-applied
    is saved. The log names only the error class, never the person's input.
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
        session.__dict__.update(restored.__dict__)
        t = Text(session.lang)
        return Outcome(
            replies=[
                Reply(
                    text=t(
                        "Sorry, something went wrong on my side. Your answers are safe; "
                        "try again, or send /summary."
                    )
                )
            ]
        )


__all__ = [
    "COMMANDS",
    "assessment_of",
    "handle",
    "handle_safely",
    "new_session",
    "situation_from",
]
