"""The state machine: real events as triggers, skips from the catalog, one shared machine,
no state changed anywhere else, no private transitions API, and a drawn graph."""

from __future__ import annotations

import ast
import datetime as dt
import gc
import weakref
from pathlib import Path

import pytest
from transitions import Machine

from dialogs.catalog import CHECK, QUESTIONS
from dialogs.conversation import CHECK_FLOW, MACHINE, handle
from dialogs.flow import first_needed, is_needed
from dialogs.machine import DONE, TRIGGERS
from dialogs.plan_setup import SETUP_FLOW
from dialogs.replies import Choice, Typed
from dialogs.session import Answers, Session

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "docs" / "dialog.mmd"
PLAN_DIAGRAM = DIAGRAM.with_name("newplan.mmd")
TODAY = dt.date(2026, 11, 29)


def test_diagram_is_current() -> None:
    """docs/dialog.mmd is drawn from the machine; regenerate it when the catalog changes:
    python -c "from dialogs.conversation import MACHINE, CHECK_FLOW as f;
    open('docs/dialog.mmd','w').write(MACHINE.diagram(f, 'megaroth check'))"
    """
    assert DIAGRAM.read_text(encoding="utf-8") == MACHINE.diagram(CHECK_FLOW, "megaroth check")


def test_plan_setup_diagram_is_current() -> None:
    """docs/newplan.mmd, the same for the HR setup:
    python -c "from dialogs.conversation import MACHINE; from dialogs.plan_setup import
    SETUP_FLOW as f; open('docs/newplan.mmd','w').write(MACHINE.diagram(f,
    'megaroth plan setup'))"
    """
    drawn = MACHINE.diagram(SETUP_FLOW, "megaroth plan setup")
    assert PLAN_DIAGRAM.read_text(encoding="utf-8") == drawn


def test_diagram_says_which_answer_skips_which_question() -> None:
    drawn = MACHINE.diagram(CHECK_FLOW, "megaroth check")
    for question in CHECK:
        assert f'state "{question.id}"' in drawn
    # Each question's edge to the next: taken by an answer, or by skipping the question
    # (the tail of the arrow) when it is answered already or an earlier answer skips it.
    assert "conversion --> auto_convert: answer | skip [answered or no_after_tax]" in drawn
    assert "after_tax --> conversion: answer | skip [answered]" in drawn
    assert f"tax_rate --> {DONE}: answer | skip [answered or nothing_taxable]" in drawn


def test_the_triggers_are_the_real_events() -> None:
    assert set(MACHINE._machine.events) == set(TRIGGERS)
    assert set(TRIGGERS) == {
        "answer", "skip", "back", "edit", "show_summary", "show_result", "restart",
        "start_from_link", "begin_setup", "leave_setup", "save_setup",
    }  # fmt: skip


def test_one_machine_and_one_model_for_everyone() -> None:
    """No machine or model per person or per event, and sessions are not kept."""
    session = Session(lang="en")
    ref = weakref.ref(session)
    handle(session, Choice("v1:a:after_tax:no"), TODAY)
    assert MACHINE._machine.models == [MACHINE.cursor]
    assert session.state == "tax_year"
    del session
    gc.collect()
    assert ref() is None, "the machine must not keep the session alive"


def _assigned_attributes(path: Path) -> list[tuple[str, int]]:
    """Attributes assigned (x.state = ..., x.history.append(...)) in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "pop", "extend", "clear", "insert", "remove")
        ):
            targets = [node.func.value]
        for target in targets:
            if isinstance(target, ast.Attribute):
                found.append((target.attr, target.lineno))
    return found


def test_only_the_machine_moves_a_conversation() -> None:
    """No `session.state = ...` (nor history, nor the setup's place) outside machine.py."""
    for path in sorted((ROOT / "dialogs").glob("*.py")):
        if path.name in ("machine.py", "session.py"):
            continue
        moved = [
            (a, n) for a, n in _assigned_attributes(path) if a in ("state", "history", "setup")
        ]
        assert not moved, f"{path.name} changes where a conversation stands: {moved}"


def test_no_private_transitions_api() -> None:
    private = {name for name in dir(Machine) if name.startswith("_") and not name.startswith("__")}
    for path in sorted((ROOT / "dialogs").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr not in private, f"{path.name}:{node.lineno} uses {node.attr}"
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                assert not bases & {"Machine", "GraphMachine"}, f"{path.name} subclasses {bases}"


def _session(state: str, **answers: object) -> Session:
    return Session(state=state, answers=Answers(**answers))


def test_an_answer_skips_what_is_known_or_irrelevant() -> None:
    session = _session("after_tax")
    handle(session, Choice("v1:a:after_tax:no"), TODAY)
    assert session.state == "tax_year"  # conversion, auto_convert, after_tax_cap skipped
    session = _session("conversion", after_tax="yes")
    handle(session, Choice("v1:a:conversion:in_service"), TODAY)
    assert session.state == "after_tax_cap"  # auto_convert only for in-plan
    session = _session("conversion", after_tax="yes", after_tax_cap="none")  # a profile's
    handle(session, Choice("v1:a:conversion:in_service"), TODAY)
    assert session.state == "tax_year"  # auto_convert only for in-plan, the cap is known
    session = _session("conversion", after_tax="yes")
    handle(session, Choice("v1:a:conversion:both"), TODAY)
    assert session.state == "auto_convert"


def test_an_answered_question_is_not_asked_again() -> None:
    answers = {
        "after_tax": "yes",
        "conversion": "in_plan",
        "auto_convert": "yes",
        "after_tax_cap": "none",
    }
    session = _session("tax_year", **answers)
    handle(session, Choice("v1:a:tax_year:2026"), TODAY)
    assert session.state == "age"
    assert first_needed(CHECK_FLOW, Answers(**answers, tax_year=2026)) == "age"


def test_back_returns_where_the_person_came_from() -> None:
    session = Session(lang="en")
    for event in (Choice("v1:a:after_tax:no"), Typed("2026"), Typed("40")):
        handle(session, event, TODAY)
    assert (session.state, session.history) == ("pay", ["after_tax", "tax_year", "age"])
    handle(session, Choice("v1:nav:back:pay"), TODAY)
    assert (session.state, session.history) == ("age", ["after_tax", "tax_year"])
    handle(session, Choice("v1:edit:after_tax"), TODAY)  # from the summary: Back comes here
    assert (session.state, session.history) == ("after_tax", ["after_tax", "tax_year", "age"])
    handle(session, Choice("v1:nav:back:after_tax"), TODAY)
    assert session.state == "age"


def test_skip_conditions_only_look_backwards() -> None:
    """A question's skip may only depend on earlier answers, so moving on is forward."""
    order = [q.id for q in CHECK]
    for index, question in enumerate(CHECK):
        for name in order[index:]:
            blank = Answers()
            filled = Answers(**{name: _some_answer(name)})
            assert question.skip(blank) == question.skip(filled), (question.id, name)


def _some_answer(name: str) -> object:
    samples: dict[str, object] = {
        "after_tax": "no", "conversion": "neither", "auto_convert": "no", "after_tax_cap": 10,
        "tax_year": 2026,
        "age": 40, "pay": 1, "pay_frequency": "monthly", "paychecks": 2, "deferrals": 1,
        "deferrals_so_far": 1, "other_deferrals": 1, "employer": 1, "true_up": "no",
        "match_limit": "stops",
        "after_tax_in": 1, "balance": 1, "earnings": 1,
        "filing_status": "single", "magi": 1, "roth_part": "all", "spouse_pay": 1,
        "ira_balance": 1, "ira_basis": 1, "prior_pay": 1, "tax_rate": "skip",
    }  # fmt: skip
    return samples[name]


@pytest.mark.parametrize("dialog", [CHECK_FLOW, SETUP_FLOW], ids=lambda f: f.name)
def test_every_state_is_reachable(dialog: object) -> None:
    assert dialog is not None
    edges = MACHINE._machine.events["answer"].transitions
    dests = {t.dest for source in edges.values() for t in source}
    states = dialog.states  # type: ignore[attr-defined]
    assert set(states[1:]) <= dests


def test_is_needed_respects_answers() -> None:
    assert is_needed(QUESTIONS["age"], Answers())
    assert not is_needed(QUESTIONS["age"], Answers(age=40))
