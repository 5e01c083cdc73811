"""The dialog's state machine: one transitions Machine, built once from the catalog.

States are the question ids plus `done`. The one trigger, `next`, goes from a question
to the first later question still needed (not skipped, not answered); its transitions
are listed in catalog order, and transitions takes the first whose condition passes.
A session is bound with `add_model` for one event and unbound after: never a machine
per person (transitions #146: a machine per model costs about 1 MB each).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel
from transitions import EventData, Machine

from dialogs.catalog import CHECK, Question, is_needed
from dialogs.session import Session

DONE = "done"


AnswersOf = Callable[[Session], BaseModel]


def check_answers_of(session: Session) -> BaseModel:
    return session.answers


class Needs:
    """Transition condition: the question is still needed. Named for the drawn graph."""

    def __init__(self, question: Question, answers_of: AnswersOf) -> None:
        self.question = question
        self.answers_of = answers_of
        self.__name__ = f"needs_{question.id}"

    def __call__(self, event: EventData) -> bool:
        model = event.model
        assert isinstance(model, Session)
        return is_needed(self.question, self.answers_of(model))


def machine_config(
    questions: Sequence[Question], answers_of: AnswersOf = check_answers_of
) -> dict[str, Any]:
    """The states and transitions for a catalog, as plain data."""
    ids = [q.id for q in questions]
    transitions: list[dict[str, Any]] = []
    for index, source in enumerate(ids):
        for later in questions[index + 1 :]:
            transitions.append(
                {
                    "trigger": "next",
                    "source": source,
                    "dest": later.id,
                    "conditions": Needs(later, answers_of),
                }
            )
        transitions.append({"trigger": "next", "source": source, "dest": DONE})
    return {
        "states": [*ids, DONE],
        "transitions": transitions,
        "initial": ids[0],
        "auto_transitions": False,
        "send_event": True,
    }


class SessionMachine(Machine):
    """A Machine that binds a model without per-state conveniences.

    `add_model` normally gives the model an `is_<state>()` method for every state and
    looks for `on_enter_<state>` methods on it; sessions use neither, and with ~20 states
    that work was most of the cost of one dialog step. Triggers (`next`) still bind.
    """

    def _add_model_to_state(self, state: Any, model: Any) -> None:
        return None


def build(
    questions: Sequence[Question],
    machine_class: type[Machine] = SessionMachine,
    answers_of: AnswersOf = check_answers_of,
) -> Machine:
    """A machine with no models; sessions are added per event."""
    return machine_class(model=None, **machine_config(questions, answers_of))


class Dialog:
    """A catalog's machine, and the bind-trigger-unbind cycle around it.

    `answers_of` says where in the session this catalog's answers live (the check's
    in `session.answers`, an HR profile being set up in `session.draft`).
    """

    def __init__(
        self, questions: Sequence[Question], answers_of: AnswersOf = check_answers_of
    ) -> None:
        self.questions = tuple(questions)
        self.by_id = {q.id: q for q in self.questions}
        self.first = self.questions[0].id
        self.answers_of = answers_of
        self._machine = build(self.questions, answers_of=answers_of)

    def first_needed(self, session: Session) -> str:
        """The first question still needed from the start (e.g. after a profile prefill)."""
        answers = self.answers_of(session)
        for question in self.questions:
            if is_needed(question, answers):
                return question.id
        return DONE

    def advance(self, session: Session) -> str:
        """Move `session` to its next needed question (or done); return the new state."""
        if session.state == DONE:
            return DONE
        own = set(vars(session))
        self._machine.add_model(session, initial=session.state)
        try:
            session.next()  # type: ignore[attr-defined]  # added by transitions
        finally:
            self._machine.remove_model(session)
            # remove_model leaves the convenience methods it added (next, is_<state>...)
            # on the model; they point at the machine, so drop them with the binding.
            for name in set(vars(session)) - own:
                delattr(session, name)
        return session.state

    def models(self) -> int:
        """How many models the shared machine holds (0 between events)."""
        return len(self._machine.models)


CHECK_DIALOG = Dialog(CHECK)


def mermaid(questions: Sequence[Question] = CHECK, title: str = "megaroth check") -> str:
    """The dialog graph as a Mermaid stateDiagram, drawn from the machine itself."""
    from transitions.extensions import GraphMachine

    class _Model:
        pass

    model = _Model()
    config = machine_config(questions)
    GraphMachine(model=model, graph_engine="mermaid", show_conditions=True, title=title, **config)
    graph = model.get_graph()  # type: ignore[attr-defined]
    return str(graph.draw(None))
