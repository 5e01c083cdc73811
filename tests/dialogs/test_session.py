"""Sessions survive a restart exactly: JSON out, JSON in, same place, same answers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.conversation import handle
from dialogs.replies import Typed
from dialogs.session import Answers, MatchFormula, Profile, Session


def test_round_trip_keeps_everything() -> None:
    session = Session(
        state="employer",
        answers=Answers(
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
    [
        "",
        "null",
        "[]",
        "{}",
        '{"v": 99}',
        '{"v":1,"state":"x","answers":{"age":7}}',
        "{",
        '{"v":2,"state":"pay","setup":{"draft":{}}}',  # a setup with no paused place
    ],
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
    session = Session(state="pay", answers=answers)
    assert Session.from_json(session.to_json()).answers == answers


FIXTURES = Path(__file__).parent / "fixtures" / "sessions_v1.json"
V1 = json.loads(FIXTURES.read_text(encoding="utf-8"))  # stored by version 1 (2026-12-01)


@pytest.mark.parametrize("name", sorted(V1))
def test_sessions_stored_by_version_1_still_load(name: str) -> None:
    session = Session.from_json(json.dumps(V1[name]))
    assert session.v == 2
    assert Session.from_json(session.to_json()) == session
    old = V1[name]
    assert session.lang == old["lang"]
    assert session.answers.model_dump(mode="json", exclude_none=True) == old["answers"]
    assert sorted(session.milestones) == old["milestones"]
    if old["catalog"] == "newplan":
        assert session.setup is not None
        assert session.setup.paused.state == old["paused"]["state"]
        assert session.setup.paused.history == old["paused"]["history"]
        assert session.setup.editing == old.get("editing")
        assert session.setup.draft.model_dump(mode="json", exclude_none=True) == old["draft"]
        assert session.state == ("review" if old["state"] == "done" else old["state"])
    else:
        assert session.setup is None
        assert (session.state, session.history) == (old["state"], old["history"])


def test_a_version_1_session_goes_on_where_it_was() -> None:
    """Mid-check in Spanish: the next answer is taken and the one after is asked."""
    session = Session.from_json(json.dumps(V1["check_midway_es"]))
    assert session.state == "after_tax_in"
    outcome = handle(session, Typed("0"), dt.date(2026, 11, 29))
    # The paychecks moved before the deferrals: the question after is the balance (the
    # questions added since are asked before the result, see test_review_findings).
    assert session.state == "balance"
    assert "sin convertir" in outcome.replies[-1].text


def test_a_version_1_setup_review_resumes_at_the_review() -> None:
    session = Session.from_json(json.dumps(V1["setup_editing_review"]))
    outcome = handle(session, Typed("hello"), dt.date(2026, 11, 29))
    assert "Tap an answer to change it, or Save." in outcome.replies[0].text
