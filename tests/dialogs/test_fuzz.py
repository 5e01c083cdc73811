"""Nothing a person types or taps raises out of the dialog: random events, every reply valid."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.catalog import CHECK
from dialogs.conversation import COMMANDS, handle, new_session
from dialogs.replies import MAX_CALLBACK_DATA, MAX_TEXT, Choice, Command, Outcome, Typed
from dialogs.session import Session

values = st.sampled_from(
    ["yes", "no", "unsure", "in_plan", "both", "neither", "max", "pay", "skip", "0", "24",
     "2026", "2019", "0.32", "single", "married_separate_apart", "x" * 40, "", "none",
     "biweekly", "monthly", "3", "27", "2027"]
)  # fmt: skip
questions = st.sampled_from([q.id for q in CHECK] + ["done", "nope", ""])
callback_data = (
    st.builds(lambda q, v: f"v1:a:{q}:{v}", questions, values)
    | st.builds(lambda q: f"v1:edit:{q}", questions)
    | st.builds(lambda q: f"v1:nav:back:{q}", questions)
    | st.sampled_from(["v1:nav:summary", "v1:nav:restart", "v1:nav:result", "v1:lang:es",
                       "v1:lang:en", "v1:lang:xx", "v2:a:age:40", "", ":", "v1", "v1:a"])
    | st.text(max_size=70)
)  # fmt: skip
typed = st.sampled_from(
    ["yes", "no", "not sure", "sí", "40", "1984", "7", "300", "$150,000", "23k", "1,5 mil",
     "none", "-5", "50% of the first 6%", "6%", "400%", "🙂", "x" * 5000, "2026", "0.32",
     "no cap", "every two weeks", "3", "54"]
) | st.text(max_size=200)  # fmt: skip
commands = st.builds(
    Command,
    st.sampled_from([*COMMANDS, "back", "bogus", "START", ""]),
    st.lists(st.text(max_size=20), max_size=3).map(tuple),
)
events = st.one_of(st.builds(Typed, typed), st.builds(Choice, callback_data), commands)


def _check(outcome: Outcome) -> None:
    assert isinstance(outcome, Outcome)
    assert outcome.replies or outcome.notice
    for reply in [*outcome.replies, *([outcome.ack] if outcome.ack else [])]:
        assert reply.text.strip()
        assert len(reply.text) <= MAX_TEXT or "\n\n" in reply.text  # the carrier splits
        for row in reply.buttons:
            for button in row:
                assert len(button.data.encode()) <= MAX_CALLBACK_DATA
                assert button.label


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["en", "es", None]), st.lists(events, min_size=1, max_size=40))
def test_random_events_always_get_a_reply(lang: str | None, script: list) -> None:  # type: ignore[type-arg]
    session = new_session(lang)
    today = dt.date(2026, 11, 29)
    for event in script:
        outcome = handle(session, event, today)  # the raw handler: no safety net
        _check(outcome)
        session = Session.from_json(session.to_json())
