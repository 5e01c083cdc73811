"""The state machine: one shared machine, no leaked models, skips, and a drawn graph."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from dialogs.catalog import CHECK, QUESTIONS, is_needed
from dialogs.machine import CHECK_DIALOG, DONE, machine_config, mermaid
from dialogs.plan_setup import SETUP
from dialogs.session import Answers, Session

DIAGRAM = Path(__file__).resolve().parents[2] / "docs" / "dialog.mmd"
PLAN_DIAGRAM = DIAGRAM.with_name("newplan.mmd")


def test_diagram_is_current() -> None:
    """docs/dialog.mmd is drawn from the machine; regenerate it when the catalog changes:
    python -c "from dialogs.machine import mermaid; open('docs/dialog.mmd','w').write(mermaid())"
    """
    assert DIAGRAM.read_text(encoding="utf-8") == mermaid()


def test_plan_setup_diagram_is_current() -> None:
    """docs/newplan.mmd, the same for the HR setup catalog:
    python -c "from dialogs.machine import mermaid; from dialogs.plan_setup import SETUP;
    open('docs/newplan.mmd','w').write(mermaid(SETUP, 'megaroth plan setup'))"
    """
    assert PLAN_DIAGRAM.read_text(encoding="utf-8") == mermaid(SETUP, "megaroth plan setup")


def test_diagram_shows_every_question_and_its_skip_condition() -> None:
    drawn = mermaid()
    for question in CHECK:
        assert f'state "{question.id}"' in drawn
    assert "needs_conversion" in drawn
    assert DONE in drawn


def test_sessions_are_unbound_after_each_event() -> None:
    session = Session("after_tax", Answers(after_tax="no"))
    ref = weakref.ref(session)
    CHECK_DIALOG.advance(session)
    assert CHECK_DIALOG.models() == 0
    assert not hasattr(session, "next")
    del session
    gc.collect()
    assert ref() is None, "the machine must not keep the session alive"


def test_next_skips_what_is_known_or_irrelevant() -> None:
    session = Session("after_tax", Answers(after_tax="no"))
    assert CHECK_DIALOG.advance(session) == "tax_year"  # conversion, auto_convert skipped
    session = Session("conversion", Answers(after_tax="yes", conversion="in_service"))
    assert CHECK_DIALOG.advance(session) == "tax_year"  # auto_convert only for in-plan
    session = Session("conversion", Answers(after_tax="yes", conversion="both"))
    assert CHECK_DIALOG.advance(session) == "auto_convert"


def test_an_answered_question_is_not_asked_again() -> None:
    answers = Answers(after_tax="yes", conversion="in_plan", auto_convert="yes", tax_year=2026)
    session = Session("after_tax", answers)
    assert CHECK_DIALOG.advance(session) == "age"
    assert CHECK_DIALOG.first_needed(Session("after_tax", answers)) == "age"


def test_skip_conditions_only_look_backwards() -> None:
    """A question's skip may only depend on earlier answers, so 'next' is always forward."""
    order = [q.id for q in CHECK]
    for index, question in enumerate(CHECK):
        later = order[index:]
        for name in later:
            blank = Answers()
            filled = Answers(**{name: _some_answer(name)})
            assert question.skip(blank) == question.skip(filled) or name not in later, (
                question.id,
                name,
            )


def _some_answer(name: str) -> object:
    samples: dict[str, object] = {
        "after_tax": "no", "conversion": "neither", "auto_convert": "no", "after_tax_cap": 10,
        "tax_year": 2026,
        "age": 40, "pay": 1, "deferrals": 1, "employer": 1, "after_tax_in": 1, "paychecks": 2,
        "balance": 1, "earnings": 1, "filing_status": "single", "magi": 1, "ira_balance": 1,
        "prior_pay": 1, "tax_rate": "skip",
    }  # fmt: skip
    return samples[name]


def test_every_state_is_reachable() -> None:
    config = machine_config(CHECK)
    dests = {t["dest"] for t in config["transitions"]}
    assert set(QUESTIONS) - {CHECK[0].id} <= dests
    assert DONE in dests


def test_is_needed_respects_answers() -> None:
    assert is_needed(QUESTIONS["age"], Answers())
    assert not is_needed(QUESTIONS["age"], Answers(age=40))
