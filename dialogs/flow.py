"""The flow engine: what both question catalogs (the check, the HR setup) do the same way.

A `Flow` is a catalog of questions and its hooks: what it says at its end, what it
shows between questions, how its overview starts and ends. This module asks a
question, reads a typed or tapped answer, acknowledges it, draws the overview with its
edit buttons and answers a stale tap, once for every flow. It never moves the
conversation: the state machine (dialogs/machine.py) does, and calls back into here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from html import escape
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from dialogs import parsing
from dialogs.catalog import Kind, Question, planned_deferrals
from dialogs.i18n import N_, Translator
from dialogs.plans import Services, contact_of
from dialogs.replies import MAX_CALLBACK_ANSWER, Button, Outcome, Reply, button_data
from dialogs.session import Answers, Born, MatchFormula, Session
from dialogs.situation import figures_for, floor_of, plannable_years
from dialogs.synonyms import match_synonym
from rules import MAX_MONEY, supported_years

_AMOUNT = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")
SYMBOLS = ("max", "pay", "skip", "none", "all", "unsure")
NUMERIC = frozenset(
    {Kind.year, Kind.age, Kind.money, Kind.money_or_match, Kind.number, Kind.rate, Kind.percent}
)  # answered by typing a number  # button values kept as words, not numbers
MAX_TEXT_ANSWER = 200
Rows = list[list[Button]]


class Invalid(Exception):
    """An answer that can't be used; `message` is a msgid for the re-ask."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Flow:
    """A catalog of questions and what is particular to it.

    `end` is the state after the last question (the check's result, the setup's
    review). `answers` says where the flow keeps its answers in a session. The hooks:
    `end_reply` is the end's message; `arrive` runs when the flow reaches its end
    moving forward; `typed_at_end` answers text typed there; `between` adds messages
    before the next question after an answer (the check's milestones); `rows` replaces
    a question's buttons, `closing` adds rows under every question, `note` adds a line;
    `reconcile` refuses an answer that contradicts another (raising Invalid) or clears
    one it makes moot; `overview_head` and `overview_foot` frame the overview.
    """

    name: str
    questions: tuple[Question, ...]
    end: str
    answers: Callable[[Session], BaseModel]
    edit_kind: str  # the button kind of the overview's edit buttons
    end_reply: Callable[[Turn, str], Reply]
    arrive: Callable[[Turn], None]
    typed_at_end: Callable[[Turn], list[Reply]]
    overview_head: Callable[[Turn], list[str]]
    overview_foot: Callable[[Turn], tuple[Button, ...]]
    overview_asks: bool = False  # the overview is where the flow stands (a review)
    between: Callable[[Turn], list[Reply]] = lambda turn: []
    rows: Callable[[Turn, Question], Rows] = lambda turn, question: []
    closing: Callable[[Turn], Rows] = lambda turn: []
    note: Callable[[Turn, Question], str] = lambda turn, question: ""
    reconcile: Callable[[Turn, Question, object], None] = lambda turn, question, value: None
    by_id: dict[str, Question] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {q.id: q for q in self.questions})

    @property
    def states(self) -> tuple[str, ...]:
        return (*self.by_id, self.end)

    @property
    def first(self) -> str:
        return self.questions[0].id


class Mover(Protocol):
    """What a turn needs of the state machine (dialogs/machine.py implements it)."""

    def flow_of(self, session: Session) -> Flow: ...

    def fire(self, turn: Turn, trigger: str, **values: Any) -> bool: ...


@dataclass
class Turn:
    """One event being handled: the session, the day, what the carrier lends, and the
    outcome so far. The state machine's callbacks add to `outcome`."""

    session: Session
    today: dt.date
    services: Services
    machine: Mover
    outcome: Outcome = field(default_factory=Outcome)
    trigger: str = ""  # the trigger this event fired first (milestones follow answers)
    prefix: str = ""  # a line for the next question asked, taken once
    left_setup: bool = False  # the HR setup ended during this event
    moves: int = 0  # transitions taken so far (a trigger that found no edge adds none)

    @property
    def t(self) -> Translator:
        return Translator(self.session.lang)

    @property
    def flow(self) -> Flow:
        return self.machine.flow_of(self.session)

    @property
    def answers(self) -> BaseModel:
        return self.flow.answers(self.session)

    def fire(self, trigger: str, **values: Any) -> bool:
        """Move the conversation with one of the machine's triggers."""
        return self.machine.fire(self, trigger, **values)

    def say(self, *replies: Reply) -> None:
        self.outcome.replies.extend(replies)

    def take_prefix(self) -> str:
        prefix, self.prefix = self.prefix, ""
        return prefix


# ---------------------------------------------------------------- which questions count


def is_needed(question: Question, answers: BaseModel) -> bool:
    """Asked when not skipped and not answered yet (answers may come from a profile)."""
    return getattr(answers, question.id) is None and not question.skip(answers)


def is_active(question: Question, answers: BaseModel) -> bool:
    """Counts toward the advice: not skipped by an earlier answer."""
    return not question.skip(answers)


def first_needed(flow: Flow, answers: BaseModel) -> str:
    """The first question still needed from the start, or the flow's end."""
    return next((q.id for q in flow.questions if is_needed(q, answers)), flow.end)


# ---------------------------------------------------------------- years and placeholders


def default_year(today: dt.date) -> int:
    """This year if it can be planned (on its own IRS figures or a floor's), else the
    latest year that has figures."""
    return today.year if today.year in plannable_years(today) else supported_years()[-1]


def year_label(t: Translator, year: int, today: dt.date) -> str:
    """A tax year's button: this year, next year, and what a floor plans it on."""
    floor = floor_of(year)
    if year == today.year:
        if floor is None:
            return t("{year} (this year)", year=year)
        return t("{year} (this year, on {floor}'s figures)", year=year, floor=floor)
    if year == today.year + 1:
        if floor is None:
            return t("{year} (next year)", year=year)
        return t("{year} (next year, on {floor}'s figures)", year=year, floor=floor)
    return str(year)


def tax_year_of(session: Session, today: dt.date) -> int:
    return session.answers.tax_year or default_year(today)


def prompt_values(session: Session, today: dt.date) -> dict[str, str]:
    """The placeholders a prompt or an example may use."""
    t = Translator(session.lang)
    year = tax_year_of(session, today)
    balance = session.answers.balance
    return {
        "year": str(year),
        "prior": str(year - 1),
        "balance": t.money(balance) if balance is not None else "",
        "limit": t.money(figures_for(year).compensation),  # 401(a)(17)
    }


# ---------------------------------------------------------------- how answers read back


def formula_label(t: Translator, formula: MatchFormula) -> str:
    parts = []
    if formula.rate:
        parts.append(
            t(
                "{rate} of the first {up_to} of pay",
                rate=t.percent(formula.rate / 100),
                up_to=t.percent(formula.up_to / 100),
            )
        )
    if formula.next_rate:
        parts[-1] += " " + t(
            "then {rate} of the next {width}",
            rate=t.percent(formula.next_rate / 100),
            width=t.percent(formula.next_up_to / 100),
        )
    if formula.nonelective:
        parts.append(
            t("{percent} of pay whatever you defer", percent=t.percent(formula.nonelective / 100))
        )
    return t(", plus ").join(parts)


def answer_label(
    t: Translator, question: Question, value: object, answers: BaseModel, year: int
) -> str:
    """How an answer reads back in the overview and in the acknowledgement."""
    if question.kind in (Kind.text, Kind.contact):  # a plan called "max" is just a name
        return escape(str(value))
    if value == "max" and isinstance(answers, Answers):
        amount = planned_deferrals(answers, year)
        label = t("The maximum")
        return label if amount is None else f"{label} ({t.money(amount)})"
    symbol = isinstance(value, str) and value in SYMBOLS
    for option in question.options:
        if option.value == str(value) and (question.kind is not Kind.money or symbol):
            return t(option.label)  # a symbol reads as its own button ("About the same")
    if value == "pay":
        return t("About my pay")
    if value == "skip":
        return t("Skipped")
    if value == "none":
        return t("None")
    if isinstance(value, MatchFormula):
        return formula_label(t, value)
    if isinstance(value, Born):
        return t(
            "Born {born} ({age} on Dec 31, {year})",
            born=value.year,
            age=year - value.year,
            year=year,
        )
    if isinstance(value, Decimal):
        if question.kind is Kind.rate:
            return t.percent(value)
        if question.kind is Kind.percent:
            return t.percent(value / 100)
        return t.money(value)
    return escape(str(value))


def label_of(turn: Turn, question: Question, value: object) -> str:
    return answer_label(
        turn.t, question, value, turn.answers, tax_year_of(turn.session, turn.today)
    )


# ---------------------------------------------------------------- asking


def option_rows(turn: Turn, question: Question) -> Rows:
    """A question's buttons, laid out for a phone."""
    t = turn.t
    if question.kind is Kind.year:
        today = turn.today
        current = default_year(today)
        order = sorted(
            plannable_years(today), key=lambda y: (y != current, y != today.year + 1, -y)
        )
        buttons = [
            Button(year_label(t, y, today), button_data("a", question.id, str(y))) for y in order
        ]
        return [buttons[:2], buttons[2:]] if len(buttons) > 2 else [buttons]
    buttons = [
        Button(t(o.label), button_data("a", question.id, o.value)) for o in question.options
    ]
    if question.kind is Kind.choice and len(buttons) > 3:
        return [[b] for b in buttons]
    return [buttons] if buttons else []


def prompt(turn: Turn, question: Question) -> str:
    return turn.t(question.prompt, **prompt_values(turn.session, turn.today))


def ask(turn: Turn, prefix: str = "") -> Reply:
    """The current question (or the flow's end: the result, the review), with buttons."""
    flow, session, t = turn.flow, turn.session, turn.t
    if session.state == flow.end:
        return flow.end_reply(turn, prefix)
    question = flow.by_id[session.state]
    text = prompt(turn, question) + flow.note(turn, question)
    current = getattr(turn.answers, question.id)
    if current is not None:
        text += "\n" + t(
            "<i>Current answer: {answer}</i>", answer=label_of(turn, question, current)
        )
    rows = flow.rows(turn, question) or option_rows(turn, question)
    if session.history:
        rows.append([Button(t("« Back"), button_data("nav", "back", question.id))])
    rows += flow.closing(turn)
    return Reply(
        text=prefix + text,
        buttons=tuple(tuple(r) for r in rows),
        asks=True,
        takes_number=question.kind in NUMERIC,
    )


def overview(turn: Turn, prefix: str = "") -> Reply:
    """Every answer that counts, each with a button to change it (the check's summary,
    a profile's review)."""
    flow, t = turn.flow, turn.t
    lines = [prefix + line if i == 0 else line for i, line in enumerate(flow.overview_head(turn))]
    buttons: list[Button] = []
    for question in flow.questions:
        if not is_active(question, turn.answers):
            continue
        value = getattr(turn.answers, question.id)
        shown = "—" if value is None else label_of(turn, question, value)
        lines.append(f"{t(question.summary_label)}: <b>{shown}</b>")
        buttons.append(Button(t(question.summary_label), button_data(flow.edit_kind, question.id)))
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append(flow.overview_foot(turn))
    return Reply(text="\n".join(lines), buttons=tuple(rows), asks=flow.overview_asks)


def stale(turn: Turn) -> None:
    """A tap on an old button: say so politely and show where we are now."""
    notice = turn.t("That button is from an earlier question. Here is where we are now.")
    turn.outcome.notice = notice[:MAX_CALLBACK_ANSWER]
    turn.say(ask(turn))


def reask(turn: Turn, problem: str = "") -> None:
    """The question again, with why: in place of the message that asked it."""
    sorry = turn.t("Sorry, I didn't get that.")
    again = ask(turn, f"{sorry} {problem}\n\n" if problem else f"{sorry}\n\n")
    turn.say(replace(again, replaces=True))


# ---------------------------------------------------------------- answering


def accept(turn: Turn, question: Question, value: object, shown: str | None = None) -> None:
    """Store an answer and move on; the acknowledgement replaces the question's buttons,
    echoing `shown` (a tapped button's own label) or the answer as it reads back."""
    flow = turn.flow
    flow.reconcile(turn, question, value)
    answers = flow.answers(turn.session)  # where the answer goes (the flow may end now)
    text = prompt(turn, question)
    turn.fire("answer", question=question.id, value=value)
    year = tax_year_of(turn.session, turn.today)
    label = shown if shown is not None else answer_label(turn.t, question, value, answers, year)
    turn.outcome.ack = Reply(text=f"{text}\n<b>→ {label}</b>")


def typed(turn: Turn, raw: str) -> None:
    """A typed answer to the current question (or text typed at the flow's end)."""
    flow = turn.flow
    if turn.session.state == flow.end:
        turn.say(*flow.typed_at_end(turn))
        return
    question = flow.by_id[turn.session.state]
    try:
        accept(turn, question, parse_answer(turn, question, raw))
    except parsing.Ambiguous as unclear:
        which(turn, question, unclear.candidates)
    except Invalid as problem:
        reask(turn, turn.t(problem.message, **problem.values))
    except ValidationError:
        reask(turn)


def which(turn: Turn, question: Question, candidates: tuple[Decimal, ...]) -> None:
    """An amount that reads two ways ("1.500k"): ask which, one button each."""
    t = turn.t
    shown = [t.money(c) for c in candidates]
    text = t("Did you mean {first} or {second}?", first=shown[0], second=shown[1])
    buttons = tuple(
        (Button(label, button_data("a", question.id, str(amount))),)
        for label, amount in zip(shown, candidates, strict=False)
    )
    turn.say(
        Reply(
            text=f"{text}\n\n{prompt(turn, question)}",
            buttons=buttons,
            asks=True,
            takes_number=True,
            replaces=True,
        )
    )


def tapped(turn: Turn, question_id: str, value: str) -> None:
    """A tapped answer button: only the current question's own buttons count."""
    question = turn.flow.by_id.get(question_id)
    answer = None if question is None else tapped_value(question, value, turn.today)
    if question is None or question_id != turn.session.state or answer is None:
        stale(turn)
        return
    option = next((o for o in question.options if o.value == value), None)
    shown = None if option is None or value == "max" else turn.t(option.label)
    try:
        accept(turn, question, answer, shown)
    except Invalid as problem:
        reask(turn, turn.t(problem.message, **problem.values))


def go_back(turn: Turn) -> None:
    if not turn.session.history or not turn.fire("back"):
        turn.say(ask(turn, turn.t("This is the first question.") + "\n\n"))


def edit(turn: Turn, question_id: str) -> None:
    """An overview's edit button: ask that question again, with its current answer."""
    question = turn.flow.by_id.get(question_id)
    if question is None or not is_active(question, turn.answers):
        stale(turn)
        return
    turn.fire("edit", question=question_id)


# ---------------------------------------------------------------- reading typed answers


def fold(text: str) -> str:
    """Lowercase, without accents or surrounding punctuation, for matching button labels."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.strip(" .!?¡¿")


def match_option(t: Translator, question: Question, text: str) -> str | None:
    folded = fold(text)
    for option in question.options:
        if folded in (fold(t(option.label)), fold(option.label), fold(option.value)):
            return option.value
    return None


def clean_text(raw: str, limit: int) -> str:
    """A free-text answer (a plan's name, a contact line): one line, printable, bounded."""
    text = " ".join(raw.split())
    if not text or len(text) > limit:
        raise parsing.ParseError("text", "empty or too long")
    if any(unicodedata.category(ch)[0] == "C" for ch in text):
        raise parsing.ParseError("text", "control characters")
    return text


def parse_answer(turn: Turn, question: Question, raw: str) -> object:
    """The typed answer for `question`, or Invalid with a friendly message."""
    lang = turn.session.lang
    option = match_option(turn.t, question, raw) or match_synonym(
        question.id, raw, lang, this_year=turn.today.year
    )
    try:
        if question.kind is Kind.yes_no:
            if option is not None:
                return option
            answer = parsing.parse_yes_no(raw, lang)
            value = "unsure" if answer is None else "yes" if answer else "no"
            if value not in {o.value for o in question.options}:
                raise Invalid(question.example)
            return value
        if question.kind is Kind.choice:
            if option is None:
                raise Invalid(question.example)
            return option
        if question.kind is Kind.year:
            chosen = int(option) if option is not None else parsing.parse_year(raw)
            years = plannable_years(turn.today)
            if chosen not in years:
                raise Invalid(
                    N_("I can plan the years {first} to {last}. Tap a year."),
                    first=years[0],
                    last=years[-1],
                )
            return chosen
        if question.kind is Kind.age:
            year = tax_year_of(turn.session, turn.today)
            age = parsing.parse_age(raw, year)
            if parsing.parse_age(raw, year + 1) != age:  # a birth year: the age follows the year
                return Born(year=year - age)
            return age
        if option is not None:
            return option_value(question, option)
        if question.kind is Kind.text:
            return clean_text(raw, int(question.extra.get("max_length", MAX_TEXT_ANSWER)))
        if question.kind is Kind.contact:
            try:
                return contact_of(clean_text(raw, MAX_TEXT_ANSWER))
            except ValueError:
                raise Invalid(question.example) from None
        if question.kind is Kind.money:
            return parsing.parse_amount(raw, lang)
        if question.kind is Kind.match:
            return MatchFormula.from_tiers(parsing.parse_match_tiers(raw, lang))
        if question.kind is Kind.money_or_match:
            if "%" in raw or any(w in raw.lower() for w in ("dollar", "dólar")):
                return MatchFormula.from_tiers(parsing.parse_match_tiers(raw, lang))
            try:
                return parsing.parse_amount(raw, lang)
            except parsing.Ambiguous:
                raise
            except parsing.ParseError:  # "50/50 up to 6"
                return MatchFormula.from_tiers(parsing.parse_match_tiers(raw, lang))
        if question.kind is Kind.number:
            return parsing.parse_count(raw, question.extra["low"], question.extra["high"])
        if question.kind is Kind.rate:
            return parsing.parse_rate(raw, lang)
        if question.kind is Kind.percent:
            return parsing.parse_percent(raw, lang)
    except parsing.Ambiguous:
        raise
    except parsing.ParseError:
        raise Invalid(question.example, **prompt_values(turn.session, turn.today)) from None
    raise Invalid(question.example)  # pragma: no cover - every kind handled above


def option_value(question: Question, value: str) -> object:
    """A button's value as the answer type (e.g. '0' -> Decimal 0, '0.24' -> 0.24)."""
    if value in SYMBOLS:
        return value
    if question.kind in (Kind.money, Kind.money_or_match, Kind.rate, Kind.percent):
        return Decimal(value)
    if question.kind is Kind.number:
        return int(value)
    return value


def tapped_value(question: Question, value: str, today: dt.date) -> object | None:
    """A tapped button's answer, or None when the button is not one of the question's."""
    if question.kind is Kind.year:
        year = int(value) if value.isdigit() else None
        return year if year in plannable_years(today) else None
    if question.kind is Kind.number and value.isdigit() and len(value) <= 3:
        count = int(value)  # paycheck buttons depend on the pay frequency
        return count if question.extra["low"] <= count <= question.extra["high"] else None
    if question.kind in (Kind.money, Kind.money_or_match) and _AMOUNT.fullmatch(value):
        amount = Decimal(value)  # one reading of an amount typed two ways (see `which`)
        return amount if amount <= MAX_MONEY else None
    if value not in {o.value for o in question.options}:
        return None
    return option_value(question, value)
