"""The dialog's state machine (transitions): every move of a conversation is a trigger.

States are the questions of both flows plus their ends: the check's questions and
`done` (the result), the HR setup's questions and `review`. Triggers are the real
events: `answer`, `back`, `edit`, `show_summary`, `show_result`, `restart`,
`start_from_link`, `begin_setup`, `leave_setup`, `save_setup`, and `skip`, which the
machine fires itself: entering a question that is not needed (skipped by an earlier
answer, or answered already, e.g. by a plan profile) moving forward fires `skip` to the
next one, so `answer` and `skip` edges run in catalog order and their conditions are
the catalog's skip predicates. Entering a state asks its question through the flow
engine (dialogs/flow.py). This is the only module that changes where a session stands.

One machine serves every conversation. Its one model, `Cursor`, stands for the session
of the event being handled (a context variable holds that event's `Turn`), so no
machine or model is built or bound per person or per event.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any

from transitions import EventData, Machine

from dialogs import flow as engine
from dialogs.catalog import Question
from dialogs.flow import Flow, Turn
from dialogs.plans import with_profile
from dialogs.session import REVIEW, Answers, Place, PlanAnswers, Profile, Session, Setup

DONE = "done"
FORWARD = frozenset({"answer", "skip", "show_result", "restart", "start_from_link", "save_setup"})
TRIGGERS = (
    "answer", "skip", "back", "edit", "show_summary", "show_result", "restart",
    "start_from_link", "begin_setup", "leave_setup", "save_setup",
)  # fmt: skip

_TURN: contextvars.ContextVar[Turn] = contextvars.ContextVar("megaroth_turn")


def _turn() -> Turn:
    return _TURN.get()


class Cursor:
    """The machine's model: its state is the state of the session being handled."""

    idle = DONE  # where the cursor rests between events (never read then)

    @property
    def state(self) -> str:
        turn = _TURN.get(None)
        return self.idle if turn is None else turn.session.state

    @state.setter
    def state(self, value: str) -> None:
        turn = _TURN.get(None)
        if turn is None:
            self.idle = value
        else:
            turn.session.state = value


# ---------------------------------------------------------------- conditions


class Condition:
    """A named test of the event's turn (the drawn graph shows the name)."""

    def __init__(self, name: str, test: Callable[[Turn, EventData], bool]) -> None:
        self.__name__, self.test = name, test

    def __call__(self, event: EventData) -> bool:
        return self.test(_turn(), event)


def not_needed(dialog: Flow, question: Question) -> Condition:
    """`skip`: the question is answered, or an earlier answer skips it."""
    reason = question.skip.__name__
    return Condition(
        "answered" if reason == "never" else f"answered or {reason}",
        lambda turn, _: not engine.is_needed(question, dialog.answers(turn.session)),
    )


def came_from(state: str) -> Condition:
    """`back`: this state is the last one the person came from."""
    return Condition(f"came_from_{state}", lambda turn, _: turn.session.history[-1:] == [state])


def asks(question: str) -> Condition:
    """`edit`: the question asked for is this one."""
    return Condition(f"asks_{question}", lambda _, event: event.kwargs["question"] == question)


def paused_at(state: str) -> Condition:
    """Leaving the setup: the check resumes where it was paused."""
    return Condition(
        f"paused_at_{state}",
        lambda turn, _: (
            turn.session.setup is not None and turn.session.setup.paused.state == state
        ),
    )


def edits_a_profile(event: EventData) -> bool:
    """`begin_setup` of an existing profile (its code given): start at the review."""
    return event.kwargs.get("editing") is not None


def complete(event: EventData) -> bool:
    """Every setup question the answers make relevant is answered."""
    turn = _turn()
    return engine.first_needed(turn.flow, turn.answers) == REVIEW


# ---------------------------------------------------------------- callbacks


def store_answer(event: EventData) -> None:
    """`answer`: the value goes in the flow's answers; the question joins the history."""
    turn = _turn()
    question = event.kwargs["question"]
    setattr(turn.answers, question, event.kwargs["value"])
    history = turn.session.history
    if not history or history[-1] != question:
        history.append(question)


def pop_history(event: EventData) -> None:
    _turn().session.history.pop()


def drop_moot_history(event: EventData) -> None:
    """Before `back`: forget places a later answer made moot (a question now skipped)
    or the one the person is at, so Back never lands on a question that doesn't count."""
    turn = _turn()
    history, flow = turn.session.history, turn.flow
    while history and (
        history[-1] == turn.session.state
        or (
            history[-1] in flow.by_id
            and not engine.is_active(flow.by_id[history[-1]], turn.answers)
        )
    ):
        history.pop()


def push_history(event: EventData) -> None:
    """`edit`: remember where the person was, so Back returns there."""
    session = _turn().session
    if session.state != event.kwargs["question"]:
        session.history.append(session.state)


def fresh_check(event: EventData) -> None:
    """`restart` and `start_from_link`: a new check, with a plan profile's answers or
    none; `keep` keeps the person's own answers (a plan link replaces only the plan's)."""
    turn = _turn()
    session = turn.session
    profile: Profile | None = event.kwargs.get("profile")
    own = session.answers if event.kwargs.get("keep") else Answers()
    session.profile = profile
    session.answers = with_profile(own, profile)
    session.answers.today = turn.today
    session.history = []
    session.milestones = set()
    session.setup = None


def open_setup(event: EventData) -> None:
    """`begin_setup`: pause the check (unless a setup already paused it) and start a
    draft, empty or a copy of the profile being edited."""
    session = _turn().session
    editing = event.kwargs.get("editing")
    paused = Place(state=session.state, history=session.history)
    if session.setup is not None:
        paused = session.setup.paused
    draft = PlanAnswers() if editing is None else editing.answers.model_copy()
    session.setup = Setup(
        draft=draft, editing=None if editing is None else editing.code, paused=paused
    )
    session.history = []


def close_setup(event: EventData) -> None:
    """`leave_setup` and `save_setup`: back to the check's place."""
    turn = _turn()
    setup = turn.session.setup
    assert setup is not None
    turn.session.history = setup.paused.history
    turn.session.setup = None
    turn.left_setup = True


SILENT = frozenset({"leave_setup", "save_setup"})  # the check resumes: handle() says so


def count_move(event: EventData) -> None:
    _turn().moves += 1


def enter_question(event: EventData) -> None:
    """Entering a question: moving forward past one not needed, else asking it."""
    turn = _turn()
    if event.event.name in SILENT and turn.left_setup:
        return
    question = turn.flow.by_id[turn.session.state]
    if event.event.name in FORWARD and not engine.is_needed(question, turn.answers):
        model: Any = event.model
        model.skip()  # queued: processed when this transition is done
        return
    if turn.trigger == "answer":
        turn.say(*turn.flow.between(turn))
    turn.say(engine.ask(turn, turn.take_prefix()))


def enter_end(event: EventData) -> None:
    """Entering a flow's end: arriving there moving forward, or coming back to it. The
    check's result needs every question that counts: an edit, a Back or an older
    catalog can come here with one still open, and then the check resumes at it."""
    turn = _turn()
    if event.event.name in SILENT and turn.left_setup:
        return
    if turn.flow.name == "check" and engine.first_needed(turn.flow, turn.answers) != DONE:
        model: Any = event.model
        model.show_result()  # queued: back to the top, then forward to the one still needed
        return
    if event.event.name in FORWARD:
        turn.flow.arrive(turn)
    else:
        turn.say(turn.flow.end_reply(turn, turn.take_prefix()))


def say_overview(event: EventData) -> None:
    turn = _turn()
    turn.say(engine.overview(turn, turn.take_prefix()))


# ---------------------------------------------------------------- the machine


def _chain(dialog: Flow) -> list[dict[str, Any]]:
    """`answer` and `skip` from each question to the next, in catalog order."""
    edges: list[dict[str, Any]] = []
    for index, question in enumerate(dialog.questions):
        following = dialog.states[index + 1]
        edges.append(
            {"trigger": "answer", "source": question.id, "dest": following, "before": store_answer}
        )
        edges.append(
            {
                "trigger": "skip",
                "source": question.id,
                "dest": following,
                "conditions": not_needed(dialog, question),
            }
        )
    return edges


def _resume(trigger: str, sources: list[str], check: Flow, before: list[Any]) -> list[Any]:
    return [
        {
            "trigger": trigger,
            "source": sources,
            "dest": state,
            "conditions": paused_at(state),
            "before": [*before, close_setup],
        }
        for state in check.states
    ]


def machine_config(check: Flow, setup: Flow, save: Callable[[EventData], None]) -> dict[str, Any]:
    """The states and transitions of both flows, as plain data."""
    states: list[dict[str, Any]] = []
    transitions: list[dict[str, Any]] = []
    for dialog in (check, setup):
        states += [{"name": q.id, "on_enter": enter_question} for q in dialog.questions]
        states.append({"name": dialog.end, "on_enter": enter_end})
        own = list(dialog.states)
        transitions += _chain(dialog)
        transitions += [
            {"trigger": "back", "source": own, "dest": s, "prepare": drop_moot_history,
             "conditions": came_from(s), "before": pop_history}
            for s in own
        ]  # fmt: skip
        transitions += [
            {"trigger": "edit", "source": own, "dest": q.id, "conditions": asks(q.id),
             "before": push_history}
            for q in dialog.questions
        ]  # fmt: skip
    checks, setups = list(check.states), list(setup.states)
    transitions += [
        {"trigger": "show_summary", "source": "*", "dest": None, "after": say_overview},
        {"trigger": "show_result", "source": checks, "dest": check.first},
        {"trigger": "restart", "source": "*", "dest": check.first, "before": fresh_check},
        {"trigger": "start_from_link", "source": "*", "dest": check.first, "before": fresh_check},
        {"trigger": "begin_setup", "source": "*", "dest": setup.end,
         "conditions": edits_a_profile, "before": open_setup},
        {"trigger": "begin_setup", "source": "*", "dest": setup.first, "before": open_setup},
        {"trigger": "save_setup", "source": setups, "dest": setup.first, "unless": complete},
    ]  # fmt: skip
    transitions += _resume("save_setup", setups, check, [save])
    transitions += _resume("leave_setup", setups, check, [])
    return {
        "states": states,
        "transitions": transitions,
        "initial": check.first,
        "auto_transitions": False,
        "send_event": True,
        "queued": True,
        "after_state_change": count_move,
    }


class DialogMachine:
    """The one machine of both flows, and the way an event moves it."""

    def __init__(self, check: Flow, setup: Flow, save: Callable[[Turn], None]) -> None:
        self.check, self.setup = check, setup
        self.cursor = Cursor()
        self._lock = threading.RLock()  # transitions' event queue is the machine's own
        self._machine = Machine(
            model=self.cursor, **machine_config(check, setup, lambda event: save(_turn()))
        )

    def flow_of(self, session: Session) -> Flow:
        return self.setup if session.setup is not None else self.check

    def turn(self, session: Session, today: Any, services: Any) -> Turn:
        """A turn for one event, with the session where the machine can serve it (and
        its answers dated today, for the questions that depend on the date)."""
        session.answers.today = today
        turn = Turn(session=session, today=today, services=services, machine=self)
        self._recover(turn)
        return turn

    def fire(self, turn: Turn, trigger: str, **values: Any) -> bool:
        """Fire a trigger for this turn's session; False if no edge applied."""
        with self._lock:
            if _TURN.get(None) is turn:  # from a callback: transitions queues it
                return bool(getattr(self.cursor, trigger)(**values))
            turn.trigger = turn.trigger or trigger
            moves = turn.moves
            token = _TURN.set(turn)
            try:
                getattr(self.cursor, trigger)(**values)
            finally:
                _TURN.reset(token)
            return turn.moves > moves

    def _recover(self, turn: Turn) -> None:
        """A session stored by an older catalog may stand where no state is any more:
        a setup that lost its place resumes the check where it was paused, and a check
        resumes at its first question still needed."""
        session = turn.session
        states = self.flow_of(session).states
        if session.state == DONE and session.setup is None:
            needed = engine.first_needed(self.check, session.answers)
            if needed != DONE:  # an older catalog's result, before a question it lacked
                token = _TURN.set(turn)
                try:
                    self._machine.set_state(needed, model=self.cursor)
                finally:
                    _TURN.reset(token)
        if session.state in states:
            if any(s not in states for s in session.history):
                session.history = [s for s in session.history if s in states]
            return
        resume = None
        if session.setup is not None:
            resume = session.setup.paused.state
            session.history = session.setup.paused.history
            session.setup = None
        if resume not in self.check.states:
            resume = engine.first_needed(self.check, session.answers)
        session.history = [s for s in session.history if s in self.check.states]
        token = _TURN.set(turn)
        try:
            self._machine.set_state(resume, model=self.cursor)
        finally:
            _TURN.reset(token)

    def diagram(self, dialog: Flow, title: str) -> str:
        """One flow's questions as a Mermaid stateDiagram: which answer skips which
        question, drawn by transitions' own GraphMachine."""
        from transitions.extensions import GraphMachine

        config: dict[str, Any] = {
            "states": list(dialog.states),
            "transitions": [
                {key: value for key, value in edge.items() if key != "before"}
                for edge in _chain(dialog)
            ],
            "initial": dialog.first,
            "auto_transitions": False,
        }
        model = _Drawn()
        GraphMachine(
            model=model, graph_engine="mermaid", show_conditions=True, title=title, **config
        )
        return str(model.get_graph().draw(None))  # type: ignore[attr-defined]


class _Drawn:
    """The model GraphMachine draws (it adds its own methods to it)."""
