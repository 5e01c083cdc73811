"""What every question catalog shares: reading typed answers, button rows, answer labels.

The check (dialogs/conversation.py) and the HR plan setup (dialogs/plan_setup.py) are
two catalogs on this one engine: a question's `kind` says how it is asked and parsed,
its options become buttons, and an answer reads back the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from html import escape

from pydantic import BaseModel

from dialogs import parsing
from dialogs.catalog import Kind, Question, max_deferrals
from dialogs.i18n import N_, Text
from dialogs.replies import Button, callback
from dialogs.session import MatchFormula, Session
from rules import limits_for, supported_years

SYMBOLS = ("max", "pay", "skip", "none")  # button values kept as words, not numbers
MAX_TEXT_ANSWER = 200


def default_year(today: dt.date) -> int:
    """This year if the IRS has published its figures, else the latest year that has them."""
    years = supported_years()
    return today.year if today.year in years else years[-1]


def tax_year_of(session: Session, today: dt.date) -> int:
    return session.answers.tax_year or default_year(today)


def prompt_values(session: Session, today: dt.date) -> dict[str, str]:
    """The placeholders a prompt or an example may use."""
    t = Text(session.lang)
    year = tax_year_of(session, today)
    balance = session.answers.balance
    return {
        "year": str(year),
        "prior": str(year - 1),
        "balance": t.money(balance) if balance is not None else "",
    }


def formula_label(t: Text, formula: MatchFormula) -> str:
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


def answer_label(t: Text, question: Question, value: object, answers: BaseModel, year: int) -> str:
    """How an answer reads back in the summary and in the acknowledgement."""
    if question.kind is Kind.text:  # a plan called "max" is a name, not a button
        return escape(str(value))
    for option in question.options:
        if option.value == str(value) and question.kind is not Kind.money:
            return t(option.label)
    if value == "max":
        amount = max_deferrals(answers, limits_for(year))  # type: ignore[arg-type]
        label = t("The maximum")
        return label if amount is None else f"{label} ({t.money(amount)})"
    if value == "pay":
        return t("About my pay")
    if value == "skip":
        return t("Skipped")
    if value == "none":
        return t("None")
    if isinstance(value, MatchFormula):
        return formula_label(t, value)
    if isinstance(value, Decimal):
        if question.kind is Kind.rate:
            return t.percent(value)
        if question.kind is Kind.percent:
            return t.percent(value / 100)
        return t.money(value)
    return escape(str(value))


def option_rows(session: Session, question: Question, today: dt.date) -> list[list[Button]]:
    """A question's buttons, laid out for a phone."""
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


def fold(text: str) -> str:
    """Lowercase, without accents or surrounding punctuation, for matching button labels."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.strip(" .!?¡¿")


def match_option(session: Session, question: Question, text: str) -> str | None:
    t = Text(session.lang)
    folded = fold(text)
    for option in question.options:
        if folded in (fold(t(option.label)), fold(option.label), fold(option.value)):
            return option.value
    return None


class Invalid(Exception):
    """An answer that can't be used; `message` is a msgid for the re-ask."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


def clean_text(raw: str, limit: int) -> str:
    """A free-text answer (a plan's name, a contact line): one line, printable, bounded."""
    text = " ".join(raw.split())
    if not text or len(text) > limit:
        raise parsing.ParseError("text", "empty or too long")
    if any(unicodedata.category(ch)[0] == "C" for ch in text):
        raise parsing.ParseError("text", "control characters")
    return text


def parse_answer(session: Session, question: Question, raw: str, today: dt.date) -> object:
    """The typed answer for `question`, or Invalid with a friendly message."""
    lang = session.lang
    year = tax_year_of(session, today)
    option = match_option(session, question, raw)
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
            return option_value(question, option)
        if question.kind is Kind.text:
            return clean_text(raw, int(question.extra.get("max_length", MAX_TEXT_ANSWER)))
        if question.kind is Kind.money:
            return parsing.parse_amount(raw, lang)
        if question.kind is Kind.match:
            return formula_of(parsing.parse_match_tiers(raw, lang))
        if question.kind is Kind.money_or_match:
            if any(ch in raw for ch in "%/") or any(w in raw.lower() for w in ("dollar", "dólar")):
                return formula_of(parsing.parse_match_tiers(raw, lang))
            return parsing.parse_amount(raw, lang)
        if question.kind is Kind.number:
            return parsing.parse_count(raw, question.extra["low"], question.extra["high"])
        if question.kind is Kind.rate:
            return parsing.parse_rate(raw, lang)
        if question.kind is Kind.percent:
            return parsing.parse_percent(raw, lang)
    except parsing.ParseError:
        raise Invalid(question.example, **prompt_values(session, today)) from None
    raise Invalid(question.example)  # pragma: no cover - every kind handled above


def formula_of(tiers: tuple[tuple[Decimal, Decimal], ...]) -> MatchFormula:
    """A parsed match (one or two tiers) as the answer's model."""
    (rate, up_to), *rest = tiers
    next_rate, next_up_to = rest[0] if rest else (Decimal(0), Decimal(0))
    return MatchFormula(rate=rate, up_to=up_to, next_rate=next_rate, next_up_to=next_up_to)


def option_value(question: Question, value: str) -> object:
    """A button's value as the answer type (e.g. '0' -> Decimal 0, '0.24' -> 0.24)."""
    if value in SYMBOLS:
        return value
    if question.kind in (Kind.money, Kind.money_or_match, Kind.rate, Kind.percent):
        return Decimal(value)
    if question.kind is Kind.number:
        return int(value)
    return value


def tapped_value(question: Question, value: str) -> object | None:
    """A tapped button's answer, or None when the button is not one of the question's."""
    if question.kind is Kind.year:
        year = int(value) if value.isdigit() else None
        return year if year in supported_years() else None
    if question.kind is Kind.number and value.isdigit() and len(value) <= 3:
        count = int(value)  # paycheck buttons depend on the pay frequency
        return count if question.extra["low"] <= count <= question.extra["high"] else None
    if value not in {o.value for o in question.options}:
        return None
    return option_value(question, value)
