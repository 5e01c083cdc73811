"""Whole conversations answered by question, not by position.

Which questions the check asks depends on the day (issue 14): the paychecks left come from
the calendar, and the deferrals so far are asked only once a paycheck of the year has been
paid. So a conversation is scripted as a table, question id -> answer, and whoever drives
it (the real process on the Bot API stub, the offline Telegram harness, the terminal, a
benchmark) reads which question is asked and answers it from the table:

- ``("tap", value)``: the button ``v1:a:<question>:<value>``;
- ``("first", "")``: the question's first answer button, whatever its value: the calendar's
  paycheck estimate, the even estimate of the deferrals so far;
- ``("say", text)``: typed.

``walk`` drives the real dialog in this process (``dialogs.conversation.handle``), and
``replay`` runs the events a carrier was sent through it again, so a test can compare what
a carrier delivered with what the dialog computes for the same inputs on the same day.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from dialogs.conversation import handle, new_session
from dialogs.plans import Services
from dialogs.replies import Choice, Command, Event, Outcome, Reply, Typed
from dialogs.session import Session

Answer = tuple[Literal["tap", "say", "first"], str]
AnswerTable = Mapping[str, Answer]
DONE = "done"  # the check's end: the result

FIRST: Answer = ("first", "")
START = Command("start")


def check_answers(year: int) -> dict[str, Answer]:
    """One person's check of ``year``, by question: a plan with after-tax money and in-plan
    conversion, $200,000 of pay every two weeks, $24,500 deferred (spread evenly so far),
    half of the first 6% matched and trued up, no IRA.

    The deferrals are typed, not "the maximum", so that the deferrals so far have an even
    estimate to tap: on any day some after-tax room is left to plan per paycheck (deferring
    nothing so far would leave late in the year no pay for after-tax money).
    """
    return {
        "after_tax": ("tap", "yes"),
        "conversion": ("tap", "in_plan"),
        "auto_convert": ("tap", "no"),
        "after_tax_cap": ("tap", "none"),
        "tax_year": ("tap", str(year)),
        "age": ("say", "35"),
        "pay": ("say", "200k"),
        "pay_frequency": ("tap", "biweekly"),
        "paychecks": FIRST,  # the calendar's estimate
        "deferrals": ("say", "$24,500"),
        "deferrals_so_far": FIRST,  # the same each paycheck so far
        "other_deferrals": ("tap", "0"),
        "employer": ("say", "50% of the first 6%"),
        "true_up": ("tap", "yes"),
        "after_tax_in": ("tap", "0"),
        "balance": ("tap", "0"),
        "filing_status": ("tap", "single"),
        "magi": ("tap", "pay"),
        "roth_part": ("tap", "0"),  # asked where it may matter: a year on a floor's figures
        "ira_balance": ("say", "0"),
        "prior_pay": ("tap", "pay"),
    }


# An HR team's plan, from the after-tax question (the name is typed first) to the contact.
SETUP_ANSWERS: dict[str, Answer] = {
    "plan_after_tax": ("tap", "yes"),
    "plan_in_plan": ("tap", "yes"),
    "plan_in_service": ("tap", "no"),
    "plan_auto": ("tap", "yes"),
    "plan_cap": ("say", "10%"),
    "plan_match": ("say", "100% up to 4%"),
    "plan_true_up": ("tap", "yes"),
    "plan_nonelective": ("tap", "none"),
    "plan_frequency": ("tap", "biweekly"),
    "plan_step": ("tap", "1"),
}


def question_of(data: Sequence[str]) -> str | None:
    """Which question a message with these buttons asks: the one its Back button names
    (every question after the first has one), else the one its answer buttons answer;
    DONE for the result; None for anything else (a summary, a menu)."""
    for item in data:
        if item.startswith("v1:nav:back:"):
            return item.removeprefix("v1:nav:back:")
    if "v1:nav:restart" in data:
        return DONE
    for item in data:
        if item.startswith("v1:a:"):
            return item.split(":")[2]
    return None


def answer_event(question: str, answer: Answer, data: Sequence[str]) -> Event:
    """The event that gives ``answer`` to ``question``, asked with buttons ``data``."""
    kind, value = answer
    if kind == "say":
        return Typed(value)
    prefix = f"v1:a:{question}:"
    options = [item for item in data if item.startswith(prefix)]
    wanted = options[:1] if kind == "first" else [o for o in options if o == prefix + value]
    if not wanted:
        raise AssertionError(f"{question}: no button {value or '(first)'} in {list(data)}")
    return Choice(wanted[0])


def buttons_of(reply: Reply) -> list[str]:
    return [button.data for row in reply.buttons for button in row if button.data]


def plain(text: str) -> str:
    """Telegram HTML as a person reads it: tags gone, entities unescaped."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def lines_of(texts: Iterable[str]) -> list[str]:
    """The non-empty lines of some HTML texts, as read."""
    return [line for text in texts for line in plain(text).splitlines() if line.strip()]


@dataclass
class Step:
    """One answer of a walk: the question, the reply that asked it, the event sent."""

    question: str
    asked: Reply
    event: Event


@dataclass
class Walk:
    """A conversation through the dialog in this process."""

    session: Session
    today: dt.date
    services: Services | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    def send(self, event: Event) -> Outcome:
        """One event, the session stored as JSON and read back after it, as a carrier does."""
        outcome = handle(self.session, event, self.today, self.services)
        self.session = Session.from_json(self.session.to_json())
        self.outcomes.append(outcome)
        return outcome

    @property
    def asked(self) -> list[str]:
        return [step.question for step in self.steps]

    @property
    def events(self) -> list[Event]:
        return [step.event for step in self.steps]

    @property
    def replies(self) -> list[Reply]:
        """Every reply, the acknowledgements (the edited questions) included."""
        return [
            reply
            for outcome in self.outcomes
            for reply in ([outcome.ack] if outcome.ack is not None else []) + outcome.replies
        ]

    @property
    def result(self) -> Reply:
        """The result: the last reply that offers to start over."""
        found = [r for r in self.replies if "v1:nav:restart" in buttons_of(r)]
        assert found, f"no result; the dialog is at {self.session.state}"
        return found[-1]

    def lines(self) -> list[str]:
        """Every line the person read, in order."""
        return lines_of(reply.text for reply in self.replies)

    def answer(self, answers: AnswerTable, stop_at: str = DONE) -> Walk:
        """Answer each question the dialog asks from ``answers`` until it asks ``stop_at``
        (DONE: until the result); a question the table doesn't answer, or an answer not
        taken, fails."""
        while self.session.state != stop_at:
            self.answer_next(answers)
        return self

    def answer_next(self, answers: AnswerTable) -> Outcome:
        """Answer the question the dialog asks now from ``answers``; it must be taken."""
        question = self.session.state
        if question == DONE or question not in answers:
            raise AssertionError(f"the dialog asks {question}: not in the table")
        asked = next(r for o in reversed(self.outcomes) for r in reversed(o.replies) if r.asks)
        event = answer_event(question, answers[question], buttons_of(asked))
        self.steps.append(Step(question, asked, event))
        outcome = self.send(event)
        if self.session.state == question:
            said = plain(outcome.replies[-1].text) if outcome.replies else ""
            raise AssertionError(f"{question}: {answers[question]} not taken: {said}")
        return outcome


# The result's step for after-tax money, with the election per paycheck (issue 14).
CONTRIBUTE = re.compile(
    r"^\d\. Contribute \$[\d,]+ after-tax this year \(elect \d+% of (each|your last) paycheck\)$"
)


def assert_plans_paychecks(expected: Walk) -> None:
    """Hand-worked, whatever the day: ``check_answers`` leads to a result that plans
    after-tax money as a percent of each paycheck, with the paycheck chart."""
    lines = lines_of([expected.result.text])
    assert any(CONTRIBUTE.match(line) for line in lines), lines
    assert expected.result.chart is not None
    assert expected.result.plan_chart is not None


def walk(
    answers: AnswerTable,
    today: dt.date,
    *,
    lang: str = "en",
    start: Event = START,
    services: Services | None = None,
    stop_at: str = DONE,
) -> Walk:
    """A new conversation (``start``, then the table's answers) through the dialog."""
    conversation = Walk(new_session(lang), today, services)
    conversation.send(start)
    return conversation.answer(answers, stop_at)


def replay(
    events: Iterable[Event],
    today: dt.date,
    *,
    lang: str = "en",
    services: Services | None = None,
) -> Walk:
    """These events (a first /start among them) through the dialog, on ``today``."""
    conversation = Walk(new_session(lang), today, services)
    for event in events:
        conversation.send(event)
    return conversation
