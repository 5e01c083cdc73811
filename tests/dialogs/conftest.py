"""Helpers to drive whole conversations through the real dialog."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

import pytest

from bot.memory import MemoryPlanBook
from dialogs.conversation import handle, new_session
from dialogs.plans import Services
from dialogs.replies import Choice, Command, Event, Outcome, Typed
from dialogs.session import Session

TODAY = dt.date(2026, 1, 5)  # a Monday: 26 biweekly paychecks left, none paid yet

# The paycheck questions, answered the most common way; a test names its own to differ.
EVERY_PAYCHECK = {
    "after_tax_cap": "no cap",
    "pay_frequency": "every two weeks",
    "true_up": "yes",
}

# After "no" to after-tax: a 40-year-old single filer paid 100,000 in 2026, deferring
# nothing, no employer money, no IRA, last year's pay about the same.
NO_AFTER_TAX_100K = {
    "tax_year": "2026",
    "age": "40",
    "pay": "100k",
    "deferrals": "0",
    "other_deferrals": "0",
    "employer": "0",
    "filing_status": "single",
    "magi": "pay",
    "ira_balance": "0",
    "prior_pay": "pay",
}


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")


@dataclass
class Chat:
    """A person chatting: every event goes through dialogs.conversation.handle, and its
    storage effects are applied to the plan book lent in `services` (as a carrier does)."""

    session: Session
    today: dt.date = TODAY
    outcomes: list[Outcome] = field(default_factory=list)
    services: Services | None = None  # plan profiles and who is asking

    def send(self, event: Event) -> Outcome:
        outcome = handle(self.session, event, self.today, self.services)
        if self.services is not None and isinstance(self.services.plans, MemoryPlanBook):
            self.services.plans.apply(outcome.effects)
        self.outcomes.append(outcome)
        # Round-trip through JSON after every event, as the bot's store does.
        self.session = Session.from_json(self.session.to_json())
        return outcome

    def tap(self, question: str, value: str) -> Outcome:
        return self.send(Choice(f"v1:a:{question}:{value}"))

    def type(self, text: str) -> Outcome:
        return self.send(Typed(text))

    def fill(self, answers: dict[str, str], **more: str) -> Outcome:
        """Type the answer to each question the dialog asks while it is one of
        `answers` (or `more`), in whatever order the dialog asks them; "paychecks"
        defaults to the calendar's count. Stops at the first question not named (or
        the result) and returns the last outcome."""
        named = {**EVERY_PAYCHECK, **answers, **more}
        outcome = self.outcomes[-1] if self.outcomes else Outcome()
        while self.session.state in named or self.session.state == "paychecks":
            state = self.session.state
            if state in named:
                outcome = self.type(named[state])
            else:
                outcome = self.send(Choice(_first_answer_button(outcome, state)))
            if self.session.state == state:
                raise AssertionError(f"{state}: not taken: {plain(outcome.replies[-1].text)}")
        return outcome

    def command(self, name: str, *args: str) -> Outcome:
        return self.send(Command(name, args))

    @property
    def last_text(self) -> str:
        return plain(self.outcomes[-1].replies[-1].text)

    def all_text(self) -> str:
        return "\n".join(plain(r.text) for o in self.outcomes for r in o.replies)


def _first_answer_button(outcome: Outcome, question: str) -> str:
    prefix = f"v1:a:{question}:"
    return next(
        b.data
        for r in outcome.replies
        for row in r.buttons
        for b in row
        if b.data.startswith(prefix)
    )


@pytest.fixture
def chat_en() -> Chat:
    chat = Chat(new_session("en-US"))
    chat.command("start")
    return chat


@pytest.fixture
def chat_es() -> Chat:
    chat = Chat(new_session("es-MX"))
    chat.command("start")
    return chat
