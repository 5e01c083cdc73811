"""Sessions survive a restart exactly: JSON out, JSON in, same place, same answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.session import Answers, MatchFormula, Profile, Session


def test_round_trip_keeps_everything() -> None:
    session = Session(
        "employer",
        Answers(
            after_tax="yes", conversion="both", tax_year=2026, age=61, pay=Decimal("200000.50"),
            deferrals="max", employer=MatchFormula(rate=Decimal(50), up_to=Decimal(6)),
            magi="pay", tax_rate=Decimal("0.32"),
        ),
        lang="es", lang_chosen=True, history=["after_tax", "conversion"],
        milestones={"plan"},
        profile=Profile(code="abc", name="Acme 401(k)", as_of=dt.date(2026, 3, 2)),
    )  # fmt: skip
    again = Session.from_json(session.to_json())
    assert again.to_json() == session.to_json()
    assert again.answers == session.answers
    assert again.answers.employer == MatchFormula(rate=Decimal(50), up_to=Decimal(6))
    assert again.answers.pay == Decimal("200000.50")
    assert again.state == "employer"
    assert again.history == ["after_tax", "conversion"]
    assert again.profile is not None
    assert again.profile.name == "Acme 401(k)"


@pytest.mark.parametrize(
    "text",
    ["", "null", "[]", '{"v": 99}', '{"v":1,"state":"x","answers":{"age":7}}', "{"],
)
def test_corrupt_sessions_are_refused(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - json's and pydantic's errors both
        Session.from_json(text)


@settings(max_examples=100, deadline=None)
@given(
    st.builds(
        Answers,
        after_tax=st.sampled_from([None, "yes", "no", "unsure"]),
        age=st.none() | st.integers(18, 120),
        pay=st.none() | st.decimals(0, 10**7, places=2),
        deferrals=st.none() | st.just("max") | st.decimals(0, 10**5, places=2),
        magi=st.none() | st.just("pay") | st.decimals(0, 10**7, places=2),
    )
)
def test_any_answers_round_trip(answers: Answers) -> None:
    session = Session("pay", answers)
    assert Session.from_json(session.to_json()).answers == answers
