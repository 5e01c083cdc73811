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
import unicodedata
from decimal import Decimal
from html import escape
from typing import Any

from pydantic import ValidationError

from dialogs import parsing
from dialogs.catalog import (
    CHECK,
    PLAN_QUESTIONS,
    QUESTIONS,
    YES_NO_UNSURE,
    Kind,
    Question,
    apply_after_tax_cap,
    is_active,
    max_deferrals,
)
from dialogs.i18n import N_, Text, negotiate
from dialogs.machine import CHECK_DIALOG, DONE
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
from dialogs.session import Answers, MatchFormula, Session
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

COMMANDS = ("start", "help", "summary", "restart", "language", "limits", "privacy", "forget")
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


# ---------------------------------------------------------------- sessions and years


def new_session(language_code: str | None = None) -> Session:
    """A fresh conversation at the first question, in the person's language."""
    return Session(state=CHECK_DIALOG.first, lang=negotiate(language_code))


def default_year(today: dt.date) -> int:
    """This year if the IRS has published its figures, else the latest year that has them."""
    years = supported_years()
    return today.year if today.year in years else years[-1]


def tax_year_of(session: Session, today: dt.date) -> int:
    return session.answers.tax_year or default_year(today)


def situation_from(answers: Answers, year: int) -> Situation:
    """The rules core's input, from the answers of questions not skipped."""
    limits = limits_for(year)
    fields: dict[str, Any] = {"tax_year": year, "plan": {}}
    for question in CHECK:
        if question.apply is not None and is_active(question, answers):
            question.apply(answers, limits, fields)
    apply_after_tax_cap(answers, limits, fields)
    fields["plan"] = PlanFeatures(**fields["plan"])
    return Situation(**fields)


def assessment_of(session: Session, today: dt.date) -> tuple[Situation, Assessment]:
    situation = situation_from(session.answers, tax_year_of(session, today))
    return situation, assess(situation)


# ---------------------------------------------------------------- asking


def _prompt_values(session: Session, today: dt.date) -> dict[str, str]:
    t = Text(session.lang)
    year = tax_year_of(session, today)
    balance = session.answers.balance
    return {
        "year": str(year),
        "prior": str(year - 1),
        "balance": t.money(balance) if balance is not None else "",
    }


def answer_label(t: Text, question: Question, value: object, answers: Answers, year: int) -> str:
    """How an answer reads back in the summary and in the acknowledgement."""
    for option in question.options:
        if option.value == str(value) and question.kind is not Kind.money:
            return t(option.label)
    if value == "max":
        amount = max_deferrals(answers, limits_for(year))
        label = t("The maximum")
        return label if amount is None else f"{label} ({t.money(amount)})"
    if value == "pay":
        return t("About my pay")
    if value == "skip":
        return t("Skipped")
    if isinstance(value, MatchFormula):
        return t(
            "{rate} of the first {up_to} of pay",
            rate=t.percent(value.rate / 100),
            up_to=t.percent(value.up_to / 100),
        )
    if isinstance(value, Decimal):
        if question.kind is Kind.rate:
            return t.percent(value)
        if question.kind is Kind.percent:
            return t.percent(value / 100)
        return t.money(value)
    return escape(str(value))


def _option_rows(session: Session, question: Question, today: dt.date) -> list[list[Button]]:
    t = Text(session.lang)
    if question.kind is Kind.year:
        current = default_year(today)
        buttons = [
            Button(
                t("{year} (this year)", year=y) if y == today.year else str(y),
                callback("a", question.id, str(y)),
            )
            for y in sorted(supported_years(), key=lambda y: (y != current, -y))
        ]
        return [buttons[:2], buttons[2:]] if len(buttons) > 2 else [buttons]
    buttons = [Button(t(o.label), callback("a", question.id, o.value)) for o in question.options]
    if question.kind is Kind.choice and len(buttons) > 3:
        return [[b] for b in buttons]
    return [buttons] if buttons else []


def ask(session: Session, today: dt.date, prefix: str = "") -> Reply:
    """The current question (or the result when done), with its buttons."""
    if session.state == DONE:
        return result_reply(session, today)
    question = QUESTIONS[session.state]
    t = Text(session.lang)
    text = t(question.prompt, **_prompt_values(session, today))
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
    rows = _option_rows(session, question, today)
    if session.history:
        rows.append([Button(t("« Back"), callback("nav", "back", question.id))])
    return Reply(text=f"{prefix}{text}" if prefix else text, buttons=tuple(tuple(r) for r in rows))


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
    )


# ---------------------------------------------------------------- answering


def _fold(text: str) -> str:
    """Lowercase, without accents or surrounding punctuation, for matching button labels."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.strip(" .!?¡¿")


def _match_option(session: Session, question: Question, text: str) -> str | None:
    t = Text(session.lang)
    folded = _fold(text)
    for option in question.options:
        if folded in (_fold(t(option.label)), _fold(option.label), _fold(option.value)):
            return option.value
    return None


class Invalid(Exception):
    """An answer that can't be used; `message` is a msgid for the re-ask."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


def parse_answer(session: Session, question: Question, raw: str, today: dt.date) -> object:
    """The typed answer for `question`, or Invalid with a friendly message."""
    lang = session.lang
    year = tax_year_of(session, today)
    option = _match_option(session, question, raw)
    try:
        if question.kind is Kind.yes_no:
            if option is not None:
                return option
            answer = parsing.parse_yes_no(raw, lang)
            return "unsure" if answer is None else "yes" if answer else "no"
        if question.kind is Kind.choice:
            if option is None:
                raise Invalid(question.example)
            return option
        if question.kind is Kind.year:
            chosen = parsing.parse_year(raw)
            if chosen not in supported_years():
                years = supported_years()
                raise Invalid(
                    N_("I only have the IRS's figures for {first} to {last}. Tap a year."),
                    first=years[0],
                    last=years[-1],
                )
            return chosen
        if question.kind is Kind.age:
            return parsing.parse_age(raw, year)
        if option is not None:
            return _option_value(question, option)
        if question.kind is Kind.money:
            return parsing.parse_amount(raw, lang)
        if question.kind is Kind.money_or_match:
            if any(ch in raw for ch in "%/") or any(w in raw.lower() for w in ("dollar", "dólar")):
                rate, up_to = parsing.parse_match(raw, lang)
                return MatchFormula(rate=rate, up_to=up_to)
            return parsing.parse_amount(raw, lang)
        if question.kind is Kind.number:
            return parsing.parse_count(raw, question.extra["low"], question.extra["high"])
        if question.kind is Kind.rate:
            return parsing.parse_rate(raw, lang)
        if question.kind is Kind.percent:
            return parsing.parse_percent(raw, lang)
    except parsing.ParseError:
        raise Invalid(question.example, **_prompt_values(session, today)) from None
    raise Invalid(question.example)  # pragma: no cover - every kind handled above


def _option_value(question: Question, value: str) -> object:
    """A button's value as the answer type (e.g. '0' -> Decimal 0, '0.24' -> 0.24)."""
    if value in ("max", "pay", "skip"):
        return value
    if question.kind in (Kind.money, Kind.money_or_match, Kind.rate, Kind.percent):
        return Decimal(value)
    if question.kind is Kind.number:
        return int(value)
    return value


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
    prompt = t(question.prompt, **_prompt_values(session, today))
    ack = Reply(text=f"{prompt}\n<b>→ {label}</b>")
    if not session.history or session.history[-1] != question.id:
        session.history.append(question.id)
    CHECK_DIALOG.advance(session)
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


def welcome(session: Session, today: dt.date) -> list[Reply]:
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
    return [Reply(text=text), ask(session, today)]


def help_text(t: Text) -> str:
    return t(
        "I ask a few questions about your 401(k) and your numbers, then tell you what to do "
        "next. Tap a button or type an answer like <i>150k</i>.\n\n"
        "/summary: your answers, to change any\n/restart: start over\n"
        "/language: English or Spanish\n/limits 2026: a year's IRS figures with sources\n"
        "/privacy: what I keep\n/forget: erase everything about you"
    )


def privacy_text(t: Text) -> str:
    return t(
        "<b>What I keep:</b> your answers to these questions, where we are in the "
        "conversation, and your language, so you can come back later. Nothing else: no "
        "name lists, no message history, no amounts in logs.\n\n"
        "<b>How long:</b> until you erase them, or 180 days after your last message.\n\n"
        "<b>Erase:</b> /forget deletes everything stored about you, at once."
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
                date=t.date(session.profile.created),
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


def restart(session: Session, today: dt.date) -> list[Reply]:
    """Start over, keeping the language and the plan profile's answers."""
    session.answers = Answers()
    if session.profile is not None:
        session.answers = Answers.model_validate(session.profile.answers)
    session.history = []
    session.milestones = set()
    session.state = CHECK_DIALOG.first_needed(session)
    return [ask(session, today)]


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


def command(session: Session, cmd: Command, today: dt.date) -> Outcome:
    t = Text(session.lang)
    name = cmd.name.lower()
    if name == "start":
        if session.history or session.state != CHECK_DIALOG.first_needed(session):
            return Outcome(replies=[ask(session, today, t("Welcome back!") + "\n\n")])
        return Outcome(replies=welcome(session, today))
    if name == "restart":
        return Outcome(replies=restart(session, today))
    if name == "help":
        return Outcome(replies=[Reply(text=help_text(t)), ask(session, today)])
    if name == "summary":
        return Outcome(replies=[summary(session, today)])
    if name == "language":
        return Outcome(replies=[language_menu(session)])
    if name == "privacy":
        return Outcome(replies=[Reply(text=privacy_text(t))])
    if name == "forget":
        return Outcome(
            replies=[
                Reply(
                    text=t("Done: everything I stored about you is erased. /start begins again.")
                )
            ],
            forget=True,
        )
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


def choice(session: Session, data: str, today: dt.date) -> Outcome:
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != "v1":
        return stale(session, today)
    kind = parts[1]
    if kind == "a" and len(parts) == 4:
        _, _, question_id, value = parts
        if question_id != session.state:
            return stale(session, today)
        question = QUESTIONS[question_id]
        if question.kind is Kind.year:
            answer: object = int(value) if value.isdigit() else None
            if answer not in supported_years():
                return stale(session, today)
        else:
            allowed = {o.value for o in question.options}
            if question.kind is Kind.yes_no:
                allowed |= {o.value for o in YES_NO_UNSURE}
            if value not in allowed:
                return stale(session, today)
            answer = _option_value(question, value)
        return accept(session, question, answer, today)
    if kind == "nav" and len(parts) >= 3:
        target = parts[2]
        if target == "back":
            if len(parts) != 4 or parts[3] != session.state:
                return stale(session, today)
            return go_back(session, today)
        if target == "summary":
            return Outcome(replies=[summary(session, today)])
        if target == "restart":
            return Outcome(replies=restart(session, today))
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


def handle(session: Session, event: Event, today: dt.date) -> Outcome:
    """Apply one event to the session and say what to reply."""
    if session.state != DONE and session.state not in QUESTIONS:
        session.state = CHECK_DIALOG.first_needed(session)  # a state from an older catalog
    if isinstance(event, Command):
        return command(session, event, today)
    if isinstance(event, Choice):
        return choice(session, event.data, today)
    return text_answer(session, event.text, today)


def handle_safely(session: Session, event: Event, today: dt.date) -> Outcome:
    """`handle`, with a last-resort apology: a bug must not take the conversation down.

    The session is restored to what it was before the event, so nothing half-applied
    is saved. The log names only the error class, never the person's input.
    """
    snapshot = session.to_json()
    try:
        return handle(session, event, today)
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
