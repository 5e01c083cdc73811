"""The Telegram carrier offline: `bot.app` driven through python-telegram-bot's own seams.

`FakeTelegram` is a `telegram.request.BaseRequest`: it records every Bot API call (method and
decoded parameters) and answers with canned successes, or with an injected failure (an HTTP
error envelope, which PTB turns into RetryAfter/Forbidden/BadRequest/NetworkError, or an
exception raised from the transport). The application is the real one from
`build_application`, with `bot.app.AiohttpRequest` swapped for the fake; updates are built
with `Update.de_json` and run with `Application.process_update`. Nothing touches a socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import sys
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from telegram import Update, constants
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

import bot.app as app_module
import dialogs.conversation as conversation
from bot.app import ChatOrderedProcessor, MegarothBot, build_application, event_of
from bot.config import Settings
from bot.ops import RedactToken
from bot.sqlite_store import Store
from bot.store import Queue
from dialogs import replies
from dialogs.i18n import Translator as Translate
from dialogs.replies import Choice, Command, Typed
from dialogs.session import Session
from tests.conversations import DONE, AnswerTable, answer_event, check_answers

TOKEN = "987654321:AAH-fake_token-for-handler-tests-xyz"
TODAY = dt.date(2026, 11, 29)
BOT_USER = {"id": 987654321, "is_bot": True, "first_name": "Megaroth", "username": "megaroth_bot"}

APOLOGY = (
    "Sorry, something went wrong on my side. Your answers are safe; try again, or send /summary."
)

App = Application[Any, Any, Any, Any, Any, Any]


# ---------------------------------------------------------------- a fake Bot API


@dataclass
class Call:
    """One Bot API request as the fake saw it."""

    method: str
    params: dict[str, Any]
    files: tuple[str, ...] = ()
    outcome: str = "ok"  # "ok", or what was injected: "http 429", "NetworkError" ...

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return None if value is None else int(value)

    @property
    def callback_data(self) -> list[str]:
        markup = self.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = (markup or {}).get("inline_keyboard", [])
        return [button["callback_data"] for row in rows for button in row]


@dataclass(frozen=True)
class Http:
    """An injected HTTP error response (PTB maps the status/parameters to an exception)."""

    status: int
    description: str
    retry_after: int | None = None

    def body(self) -> bytes:
        envelope: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            envelope["parameters"] = {"retry_after": self.retry_after}
        return json.dumps(envelope).encode()


FLOOD = Http(429, "Too Many Requests: retry after 1", retry_after=1)
BAD_GATEWAY = Http(502, "Bad Gateway")
BLOCKED = Http(403, "Forbidden: bot was blocked by the user")
NOT_MODIFIED = Http(
    400,
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message",
)
Fault = Http | BaseException


class FakeTelegram(BaseRequest):
    """A BaseRequest that answers like Telegram would, without any network."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: dict[str, deque[Fault]] = {}
        self.holds: dict[int, asyncio.Event] = {}  # chat id -> sends wait for this event
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._ids = itertools.count(100)
        self._changed = asyncio.Event()

    # -- BaseRequest

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: tuple[str, ...] = ()
        if request_data is not None and request_data.contains_files:
            files = tuple(request_data.multipart_data)
        call = Call(name, params, files)
        self.calls.append(call)
        self._changed.set()  # wakes wait_for (a new Event for the next change)
        self._changed = asyncio.Event()
        hold = self.holds.get(call.chat_id or 0)
        if hold is not None and name.startswith("send"):
            await hold.wait()
        queue = self.faults.get(name)
        if queue:
            fault = queue.popleft()
            if isinstance(fault, BaseException):
                call.outcome = type(fault).__name__
                raise fault
            call.outcome = f"http {fault.status}"
            return fault.status, fault.body()
        result = self._result(name, params, files)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _result(self, name: str, params: dict[str, Any], files: tuple[str, ...]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name in ("sendMessage", "sendPhoto"):
            chat_id = int(params["chat_id"])
            message: dict[str, Any] = {
                "message_id": next(self._ids),
                "date": 1_790_000_000,
                "chat": {"id": chat_id, "type": "private", "first_name": "Pat"},
                "from": BOT_USER,
            }
            if name == "sendMessage":
                message["text"] = params["text"]
            else:
                message["photo"] = [
                    {"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}
                ]
                message["caption"] = params.get("caption", "")
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            self.messages[(chat_id, message["message_id"])] = message
            return message
        if name == "editMessageText":
            key = (int(params["chat_id"]), int(params["message_id"]))
            message = dict(self.messages[key], text=params["text"])
            message.pop("reply_markup", None)
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            self.messages[key] = message
            return message
        return True  # answerCallbackQuery, setMyCommands, ...

    # -- test helpers

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until predicate() holds, re-checked on every call the fake receives."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._changed.wait()

    def fail_next(self, method: str, *faults: Fault) -> None:
        self.faults.setdefault(method, deque()).extend(faults)

    def of(self, method: str, chat_id: int | None = None, *, ok: bool = True) -> list[Call]:
        """The calls of one method (to one chat), successful ones unless ok=False."""
        return [
            c
            for c in self.calls
            if c.method == method
            and (chat_id is None or c.chat_id == chat_id)
            and (c.ok or not ok)
        ]

    def sent(self, chat_id: int) -> list[str]:
        """Texts of the messages delivered to a chat, in order."""
        return [c.params["text"] for c in self.of("sendMessage", chat_id)]

    def last_question(self, chat_id: int) -> dict[str, Any]:
        """The last message delivered to the chat with buttons (as Telegram returned it)."""
        for (chat, _), message in reversed(self.messages.items()):
            if chat == chat_id and "reply_markup" in message:
                return message
        raise AssertionError(f"no message with buttons in chat {chat_id}")


# ---------------------------------------------------------------- updates


def _user(chat_id: int, language: str = "en") -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Pat", "language_code": language}


@dataclass
class Harness:
    """The real application on a fake Bot API, and the store under it."""

    app: App
    fake: FakeTelegram
    store: Store
    slept: list[float] = field(default_factory=list)
    _update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(7_000))
    _message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _query_ids: Iterator[int] = field(default_factory=lambda: itertools.count(555_000))

    @property
    def megaroth(self) -> MegarothBot:
        megaroth: MegarothBot = self.app.bot_data["megaroth"]
        return megaroth

    async def process(self, data: dict[str, Any]) -> dict[str, Any]:
        """As the inbox runs an update: through the processor (the chat's lock, then
        answering a tap and delivery), then until the replies are out."""
        update = Update.de_json(data, self.app.bot)
        await self.app.update_processor.process_update(update, self.app.process_update(update))
        await self.settle()
        return data

    async def settle(self) -> None:
        delivery = self.megaroth.delivery
        assert delivery is not None
        await delivery.settle()

    def text_update(self, chat_id: int, text: str, language: str = "en") -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": 1_790_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Pat"},
            "from": _user(chat_id, language),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0]) if text.split() else 1
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._update_ids), "message": message}

    def tap_update(
        self, chat_id: int, data: str, message: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        query = {
            "id": str(next(self._query_ids)),
            "from": _user(chat_id),
            "chat_instance": f"ci{chat_id}",
            "data": data,
            "message": message or self.fake.last_question(chat_id),
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    async def say(self, chat_id: int, text: str, language: str = "en") -> dict[str, Any]:
        return await self.process(self.text_update(chat_id, text, language))

    async def tap(
        self, chat_id: int, data: str, message: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return await self.process(self.tap_update(chat_id, data, message))

    def session(self, chat_id: int) -> Session:
        stored = self.store.load(chat_id)
        assert stored is not None, f"no session stored for chat {chat_id}"
        return Session.from_json(stored.data)


def fast_retries(application: App, slept: list[float]) -> None:
    """Retry waits recorded, not waited."""

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    application.bot_data["megaroth"].delivery.sleep = sleep


def make_app(store: Store, fake: FakeTelegram) -> App:
    """`build_application` itself, with the fake Bot API in place of the aiohttp transport."""
    settings = Settings(_env_file=None, token=SecretStr(TOKEN))
    transports = [  # AiohttpRequest and any subclass of it bot.app builds (for polling)
        name
        for name, value in vars(app_module).items()
        if isinstance(value, type) and issubclass(value, BaseRequest)
    ]
    with contextlib.ExitStack() as patches:
        for name in transports:
            patches.enter_context(mock.patch.object(app_module, name, return_value=fake))
        application = build_application(settings, store)
    application.bot_data["megaroth"].today = lambda: TODAY
    return application


@asynccontextmanager
async def running(store: Store) -> AsyncIterator[Harness]:
    fake = FakeTelegram()
    application = make_app(store, fake)
    harness = Harness(application, fake, store)
    fast_retries(application, harness.slept)
    async with application:
        yield harness


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    store = Store(tmp_path / "bot.db")
    try:
        async with running(store) as running_harness:
            yield running_harness
    finally:
        store.close()


async def start(h: Harness, chat_id: int) -> None:
    await h.say(chat_id, "/start")
    assert h.session(chat_id).state == "after_tax"


# The e2e test's check, by question (tests/conversations.py), on the harness's fixed day.
CHECK = check_answers(TODAY.year)


async def fill(
    h: Harness, chat_id: int, answers: AnswerTable, *, stop_at: str = DONE
) -> list[str]:
    """Answer each question the dialog asks (the session's state) from ``answers``, by
    tapping or typing, until it asks ``stop_at`` (DONE: until the result). A question
    the table doesn't answer, or an answer not taken, fails. Returns the questions
    answered, in order."""
    asked: list[str] = []
    while (question := h.session(chat_id).state) != stop_at:
        if question == DONE or question not in answers:
            raise AssertionError(f"chat {chat_id} is asked {question}: not in the table")
        markup = h.fake.last_question(chat_id)["reply_markup"]
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = markup["inline_keyboard"]
        data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
        event = answer_event(question, answers[question], data)
        if isinstance(event, Choice):
            await h.tap(chat_id, event.data)
        else:
            assert isinstance(event, Typed)
            await h.say(chat_id, event.text)
        if h.session(chat_id).state == question:
            raise AssertionError(f"{question}: {answers[question]} not taken")
        asked.append(question)
    return asked


# ---------------------------------------------------------------- /start and taps


async def test_start_sends_html_question_with_buttons_and_saves(harness: Harness) -> None:
    update = await harness.say(42, "/start")
    welcome, question = harness.fake.of("sendMessage", 42)
    assert welcome.params["parse_mode"] == question.params["parse_mode"] == "HTML"
    assert welcome.params["link_preview_options"] == {"is_disabled": True}
    assert "mega backdoor Roth" in welcome.params["text"]
    assert "reply_markup" not in welcome.params
    assert question.callback_data == [
        "v1:a:after_tax:yes",
        "v1:a:after_tax:no",
        "v1:a:after_tax:unsure",
    ]
    stored = harness.store.load(42)
    assert stored is not None
    assert harness.store.pending(Queue.OUTBOX, 42) == 0
    assert stored.question_message_id == harness.fake.last_question(42)["message_id"]
    assert Session.from_json(stored.data).state == "after_tax"
    assert harness.store.was_handled(update["update_id"])


async def test_tap_answers_edits_the_question_then_asks_the_next(harness: Harness) -> None:
    await start(harness, 42)
    asked = harness.fake.last_question(42)
    before = len(harness.fake.calls)
    update = await harness.tap(42, "v1:a:after_tax:yes")
    calls = harness.fake.calls[before:]
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    answer, edit, ask = calls
    assert answer.params == {"callback_query_id": update["callback_query"]["id"]}
    assert edit.params["message_id"] == asked["message_id"]
    assert edit.params["text"].endswith("<b>→ Yes</b>")
    assert "reply_markup" not in edit.params  # the answered question loses its buttons
    assert "v1:a:conversion:in_plan" in ask.callback_data
    session = harness.session(42)
    assert (session.state, session.answers.after_tax) == ("conversion", "yes")
    stored = harness.store.load(42)
    assert stored is not None
    assert stored.question_message_id == harness.fake.last_question(42)["message_id"]


async def test_typed_answer_edits_the_question_it_answers(harness: Harness) -> None:
    await start(harness, 42)
    await fill(harness, 42, CHECK, stop_at="age")
    age_question = harness.fake.last_question(42)["message_id"]
    await harness.say(42, "35")
    [*_, edit] = harness.fake.of("editMessageText", 42)
    assert edit.params["message_id"] == age_question
    assert edit.params["text"].endswith("<b>→ 35</b>")
    assert harness.session(42).answers.age == 35


async def test_stale_button_is_answered_with_a_notice_and_changes_nothing(
    harness: Harness,
) -> None:
    await start(harness, 42)
    old_question = harness.fake.last_question(42)
    await harness.tap(42, "v1:a:after_tax:yes")
    stored_before = harness.store.load(42)
    edits = len(harness.fake.of("editMessageText"))
    await harness.tap(42, "v1:a:after_tax:no", message=old_question)
    answer = harness.fake.of("answerCallbackQuery")[-1]
    assert answer.params["text"] == (
        "That button is from an earlier question. Here is where we are now."
    )
    assert len(harness.fake.of("editMessageText")) == edits  # no answer shown for it
    stored_after = harness.store.load(42)
    assert stored_before is not None
    assert stored_after is not None
    assert stored_after.data == stored_before.data  # the session, byte for byte
    assert harness.session(42).answers.after_tax == "yes"
    # ... and where we are now is asked again.
    assert "v1:a:conversion:in_plan" in harness.fake.of("sendMessage", 42)[-1].callback_data


# ---------------------------------------------------------------- redelivery


async def test_redelivered_text_update_is_applied_once(harness: Harness) -> None:
    await start(harness, 42)
    await fill(harness, 42, CHECK, stop_at="age")
    update = await harness.say(42, "35")
    state, calls = harness.session(42).state, len(harness.fake.of("sendMessage"))
    assert state == "pay"
    await harness.process(update)  # Telegram delivers the same update_id again
    assert harness.session(42).state == "pay"
    assert len(harness.fake.of("sendMessage")) == calls


async def test_redelivered_tap_is_answered_but_applied_once(harness: Harness) -> None:
    await start(harness, 42)
    update = await harness.tap(42, "v1:a:after_tax:yes")
    sends, edits = len(harness.fake.of("sendMessage")), len(harness.fake.of("editMessageText"))
    await harness.process(update)
    assert harness.session(42).state == "conversion"
    assert len(harness.fake.of("sendMessage")) == sends
    assert len(harness.fake.of("editMessageText")) == edits
    # The spinner on the button is still stopped for the redelivered query.
    assert len(harness.fake.of("answerCallbackQuery")) == 2


# ---------------------------------------------------------------- Telegram failing


async def test_flood_limit_waits_retry_after_then_delivers(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", FLOOD)
    await harness.say(42, "/start")
    assert harness.slept == [1.0]  # the retry_after Telegram asked for
    assert [c.outcome for c in harness.fake.of("sendMessage", 42, ok=False)] == [
        "http 429",
        "ok",
        "ok",
    ]
    assert len(harness.fake.sent(42)) == 2
    assert harness.store.pending(Queue.OUTBOX, 42) == 0


async def test_bad_gateway_then_success_delivers(harness: Harness) -> None:
    await start(harness, 42)
    harness.fake.fail_next("sendMessage", BAD_GATEWAY, BAD_GATEWAY)
    await harness.tap(42, "v1:a:after_tax:yes")
    assert harness.slept == [0.5, 1.0]  # exponential back-off
    assert "v1:a:conversion:in_plan" in harness.fake.of("sendMessage", 42)[-1].callback_data
    assert harness.fake.of("sendMessage", 42)[-1].ok


@pytest.mark.parametrize(
    "error", [NetworkError("Connection reset by peer"), TimedOut("Timed out")]
)
async def test_network_error_then_success_delivers(harness: Harness, error: NetworkError) -> None:
    harness.fake.fail_next("sendMessage", error)
    await harness.say(42, "/start")
    assert harness.slept == [0.5]
    assert len(harness.fake.sent(42)) == 2
    assert harness.fake.of("sendMessage", ok=False)[0].outcome == type(error).__name__


async def test_telegram_away_for_long_is_retried_until_it_is_back(harness: Harness) -> None:
    """No cap on attempts (there were 5): the reply goes out when Telegram is back, with
    nobody writing again; 429s wait what they say, the rest back off to the cap."""
    await start(harness, 42)
    harness.fake.fail_next(
        "sendMessage", *[FLOOD] * 6, *[BAD_GATEWAY] * 10, *[NetworkError("down")] * 8
    )
    await harness.tap(42, "v1:a:after_tax:yes")
    assert len(harness.fake.of("sendMessage", 42, ok=False)) == 2 + 24 + 1
    assert "v1:a:conversion:in_plan" in harness.fake.of("sendMessage", 42)[-1].callback_data
    assert harness.slept[:6] == [1.0] * 6
    assert harness.slept[6:12] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0]
    assert max(harness.slept) == 30.0  # MEGAROTH_RETRY_MAX_DELAY's default
    assert harness.store.pending(Queue.OUTBOX, 42) == 0


async def test_blocked_chat_is_marked_and_not_retried(harness: Harness) -> None:
    harness.fake.fail_next("sendMessage", BLOCKED)
    await harness.say(42, "/start")
    assert len(harness.fake.of("sendMessage", 42, ok=False)) == 1  # no retry, no 2nd message
    assert harness.slept == []
    assert harness.store.is_blocked(42)
    assert harness.store.pending(Queue.OUTBOX, 42) == 0  # nothing left to retry
    # They unblock and write again: served again.
    await harness.say(42, "/start")
    assert not harness.store.is_blocked(42)
    assert harness.fake.sent(42)


async def test_message_not_modified_on_edit_is_not_retried_nor_blocking(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await start(harness, 42)
    harness.fake.fail_next("editMessageText", NOT_MODIFIED)
    caplog.set_level(logging.DEBUG, logger="megaroth")
    await harness.tap(42, "v1:a:after_tax:yes")
    assert [c.outcome for c in harness.fake.of("editMessageText", ok=False)] == ["http 400"]
    assert harness.slept == []
    assert "v1:a:conversion:in_plan" in harness.fake.of("sendMessage", 42)[-1].callback_data
    bad = [r for r in caplog.records if r.getMessage() == "bad request: BadRequest"]
    assert [r.levelno for r in bad] == [logging.DEBUG]  # an optional edit: not a warning
    await harness.tap(42, "v1:a:conversion:in_plan")  # and the conversation goes on
    assert harness.session(42).state == "auto_convert"


# ---------------------------------------------------------------- errors


async def test_dialog_bug_gets_an_apology_and_keeps_the_session(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await start(harness, 42)
    real_handle = conversation.handle

    def buggy(session: Session, event: Any, *args: Any, **kwargs: Any) -> Any:
        if event == Typed("185000"):
            raise ZeroDivisionError("185000 / 0")
        return real_handle(session, event, *args, **kwargs)

    monkeypatch.setattr(conversation, "handle", buggy)
    await fill(harness, 42, CHECK, stop_at="pay")
    with caplog.at_level(logging.DEBUG):
        await harness.say(42, "185000")
    assert "something went wrong" in harness.fake.sent(42)[-1]
    assert harness.session(42).state == "pay"  # nothing half-applied
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "telegram.Bot")
    assert "ZeroDivisionError" in logged
    assert "185000" not in logged


async def test_handler_crash_goes_to_on_error_and_other_chats_are_served(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = conversation.handle_safely  # what bot.app imported

    def crashing(session: Session, event: Any, *args: Any, **kwargs: Any) -> Any:
        if event == Typed("185000"):
            raise RuntimeError("could not parse 185000")
        return real(session, event, *args, **kwargs)

    monkeypatch.setattr(app_module, "handle_safely", crashing)
    await harness.say(42, "/start", language="es")  # the session speaks Spanish
    caplog.set_level(logging.INFO)
    update = await harness.say(42, "185000", language="en")
    [record] = [r for r in caplog.records if r.name == "megaroth.bot" and r.levelname == "ERROR"]
    assert record.getMessage() == f"error handling update {update['update_id']}: RuntimeError"
    assert all("185000" not in r.getMessage() for r in caplog.records)
    assert all(r.exc_info is None for r in caplog.records)  # no traceback quoting the input
    apology = harness.fake.of("sendMessage", 42)[-1]
    assert apology.params["text"] == Translate("es")(APOLOGY)  # in the session's language
    # Done, with the apology through the outbox: handling it again would fail again.
    assert harness.store.was_handled(update["update_id"])
    assert harness.store.pending(Queue.OUTBOX, 42) == 0
    # Another chat is not affected.
    await start(harness, 43)
    await harness.tap(43, "v1:a:after_tax:no")
    assert harness.session(43).answers.after_tax == "no"


async def test_on_error_without_a_chat_only_logs(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    context = mock.Mock(error=KeyError("secret"), bot=harness.app.bot)
    with caplog.at_level(logging.ERROR, logger="megaroth"):
        await harness.megaroth.on_error(None, context)
    assert [r.getMessage() for r in caplog.records] == ["error handling update None: KeyError"]
    assert not harness.fake.of("sendMessage")


# ---------------------------------------------------------------- logs


async def test_a_whole_conversation_logs_no_token_and_no_amount(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # The production level (INFO, as configure_logging sets it up), ours down to DEBUG.
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.WARNING, logger="transitions")
    caplog.set_level(logging.DEBUG, logger="megaroth")
    caplog.set_level(logging.DEBUG, logger="dialogs")
    harness.fake.fail_next("sendMessage", FLOOD, BAD_GATEWAY, NetworkError("reset"))
    harness.fake.fail_next("editMessageText", NOT_MODIFIED)
    await start(harness, 42)
    answers = {**CHECK, "pay": ("say", "185000"), "roth_part": ("tap", "0")}
    asked = await fill(harness, 42, answers)
    # At $185,000 MAGI lands in the Roth IRA phase-out or under it, by how much of the
    # deferrals is pre-tax: the bot asks (all pre-tax, here).
    assert "roth_part" in asked
    assert harness.session(42).state == "done"
    await harness.say(42, "185,000")  # typed again after the end
    edits = "\n".join(c.params["text"] for c in harness.fake.of("editMessageText", 42))
    assert "→ $185,000" in edits  # the bot did show the amount to the person...
    assert harness.fake.of("sendPhoto", 42)[0].files  # ...and the chart at the end
    assert caplog.records  # the retries above were logged
    logged = "\n".join(
        [r.getMessage() for r in caplog.records]
        + [caplog.text]  # formatted, with any exception text
    )
    assert TOKEN not in logged
    assert TOKEN.split(":")[1] not in logged
    for figure in ("185000", "185,000", "185 000"):
        assert figure not in logged


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("x", logging.INFO, __file__, 1, msg, args, None)


def test_redact_token_replaces_the_token_in_message_and_arguments() -> None:
    redact = RedactToken(TOKEN)
    direct = _record(f"GET https://api.telegram.org/bot{TOKEN}/getMe")
    assert redact.filter(direct)
    assert direct.getMessage() == "GET https://api.telegram.org/bot<token>/getMe"
    through_args = _record("Set Bot API URL: %s", f"http://127.0.0.1:81/bot{TOKEN}")
    assert redact.filter(through_args)
    assert through_args.getMessage() == "Set Bot API URL: http://127.0.0.1:81/bot<token>"
    untouched = _record("update %s handled", 5)
    assert redact.filter(untouched)
    assert (untouched.msg, untouched.args) == ("update %s handled", (5,))


def test_redact_token_also_covers_exception_text() -> None:
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getUpdates")
    except ConnectionError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "poll failed", (), None)
        record.exc_info = sys.exc_info()
    handler = logging.StreamHandler()
    handler.addFilter(RedactToken(TOKEN))
    assert handler.filter(record)
    assert TOKEN not in handler.format(record)


# ---------------------------------------------------------------- /forget


async def test_forget_erases_the_session_and_keeps_handled_ids_unlinked(
    harness: Harness,
) -> None:
    await start(harness, 42)
    earlier = [await harness.tap(42, "v1:a:after_tax:yes")]
    earlier.append(await harness.tap(42, "v1:a:conversion:in_plan"))
    await start(harness, 43)  # someone else
    forget = await harness.say(42, "/forget")
    assert "erased" in harness.fake.sent(42)[-1]
    assert harness.store.load(42) is None
    assert harness.store.count_sessions() == 1  # the other person's
    assert harness.session(43).state == "after_tax"
    # The ids stay (a redelivery after a crash is still skipped), tied to no chat.
    assert all(harness.store.was_handled(u["update_id"]) for u in [*earlier, forget])
    rows = harness.store._db.execute("SELECT DISTINCT chat_id FROM handled_updates").fetchall()
    assert (42,) not in rows
    sent = len(harness.fake.calls)
    for update in [*earlier, forget]:
        await harness.process(update)  # Telegram delivers them again
    assert harness.store.load(42) is None  # nothing of theirs is stored again
    assert [c.method for c in harness.fake.calls[sent:]] == ["answerCallbackQuery"] * 2
    await harness.say(42, "/start")  # and one can begin again
    assert harness.session(42).answers.after_tax is None


# ---------------------------------------------------------------- per-chat order


def _update(update_id: int, chat_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "text": "x",
            },
        },
        None,
    )


async def test_one_chat_runs_in_order_even_when_the_first_is_slow() -> None:
    processor = ChatOrderedProcessor()
    log: list[str] = []
    release = asyncio.Event()

    async def work(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"{name} start")
        if wait is not None:
            await wait.wait()
        log.append(f"{name} end")

    first = asyncio.create_task(processor.process_update(_update(1, 7), work("a1", release)))
    second = asyncio.create_task(processor.process_update(_update(2, 7), work("a2")))
    other = asyncio.create_task(processor.process_update(_update(3, 8), work("b1")))
    await asyncio.wait_for(other, 2)  # another chat is not held up by chat 7's slow update
    assert "a2 start" not in log
    release.set()
    await asyncio.wait_for(asyncio.gather(first, second), 2)
    assert [e for e in log if e.startswith("a")] == ["a1 start", "a1 end", "a2 start", "a2 end"]
    assert processor._locks == {}  # dropped once nothing of the chat waits


async def test_different_chats_run_concurrently() -> None:
    processor = ChatOrderedProcessor()
    a_started, b_started = asyncio.Event(), asyncio.Event()

    async def a() -> None:
        a_started.set()
        await b_started.wait()  # deadlocks unless b runs while a waits

    async def b() -> None:
        b_started.set()
        await a_started.wait()

    await asyncio.wait_for(
        asyncio.gather(
            processor.process_update(_update(1, 7), a()),
            processor.process_update(_update(2, 8), b()),
        ),
        2,
    )


async def test_a_failing_update_releases_its_chat() -> None:
    processor = ChatOrderedProcessor()

    async def boom() -> None:
        raise RuntimeError("x")

    async def fine() -> str:
        return "ok"

    with pytest.raises(RuntimeError):
        await processor.process_update(_update(1, 7), boom())
    await asyncio.wait_for(processor.process_update(_update(2, 7), fine()), 1)
    assert processor._locks == {}


async def test_application_serves_other_chats_while_one_waits_on_telegram(
    harness: Harness,
) -> None:
    """Through the real update queue: chat 7 is stuck sending; chat 8 is served; chat 7's
    second update waits for its first."""
    assert isinstance(harness.app.update_processor, ChatOrderedProcessor)
    gate = harness.fake.holds[7] = asyncio.Event()
    await harness.app.start()
    try:
        await harness.app.update_queue.put(
            Update.de_json(harness.text_update(7, "/start"), harness.app.bot)
        )
        await harness.app.update_queue.put(
            Update.de_json(harness.text_update(7, "/help"), harness.app.bot)
        )
        await harness.app.update_queue.put(
            Update.de_json(harness.text_update(8, "/start"), harness.app.bot)
        )
        await harness.fake.wait_for(lambda: len(harness.fake.of("sendMessage", 8)) == 2)
        assert len(harness.fake.of("sendMessage", 7, ok=False)) == 1  # /help not started
        gate.set()
        await harness.fake.wait_for(lambda: len(harness.fake.of("sendMessage", 7)) == 4)
    finally:
        await harness.app.stop()
    welcome, question, help_text, asked_again = harness.fake.sent(7)
    assert "mega backdoor Roth" in welcome
    assert "after-tax" in question
    assert help_text != welcome
    assert asked_again == question


# ---------------------------------------------------------------- event_of


def _message(text: str | None, **extra: Any) -> Update:
    message: dict[str, Any] = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 5, "type": "private"},
        **extra,
    }
    if text is not None:
        message["text"] = text
    return Update.de_json({"update_id": 1, "message": message}, None)


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("/start", Command("start")),
        ("/START", Command("start")),
        ("/start@megaroth_bot", Command("start")),
        ("/limits@Megaroth_Bot 2026", Command("limits", ("2026",))),
        ("/start  abc   def", Command("start", ("abc", "def"))),
        ("/", Typed("/")),
        ("185k", Typed("185k")),
        ("  not /a command", Typed("  not /a command")),
    ],
)
def test_event_of_text_and_commands(text: str, event: Any) -> None:
    assert event_of(_message(text)) == event


def test_event_of_non_text_messages_is_empty_text() -> None:
    sticker = {
        "file_id": "s",
        "file_unique_id": "su",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    photo = [{"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}]
    assert event_of(_message(None, sticker=sticker)) == Typed("")
    assert event_of(_message(None, photo=photo, caption="185000")) == Typed("")


def test_event_of_callbacks_and_ignored_updates() -> None:
    query = {"id": "q", "from": _user(5), "chat_instance": "c", "data": "v1:a:age:40"}
    assert event_of(Update.de_json({"update_id": 1, "callback_query": query}, None)) == (
        Choice("v1:a:age:40")
    )
    no_data = {"id": "q", "from": _user(5), "chat_instance": "c", "game_short_name": "g"}
    assert event_of(Update.de_json({"update_id": 1, "callback_query": no_data}, None)) == (
        Choice("")
    )
    edited = {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "x"}
    assert event_of(Update.de_json({"update_id": 1, "edited_message": edited}, None)) is None


@pytest.mark.parametrize("text", ["/ ", "/\n", "/\u2003", "/\x1c"])
def test_event_of_slash_then_whitespace_is_an_answer(text: str) -> None:
    assert event_of(_message(text)) == Typed(text)


def test_dialog_limits_are_telegrams() -> None:
    assert replies.MAX_TEXT == constants.MessageLimit.MAX_TEXT_LENGTH
    assert replies.MAX_CAPTION == constants.MessageLimit.CAPTION_LENGTH
    assert replies.MAX_CALLBACK_DATA == constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    answer_limit = constants.CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
    assert answer_limit == replies.MAX_CALLBACK_ANSWER


# ---------------------------------------------------------------- properties


def _run(script: Any) -> Any:
    """One hypothesis example: a fresh in-memory store and application on its own loop."""

    async def main() -> Any:
        store = Store(":memory:")
        try:
            async with running(store) as h:
                return await script(h)
        finally:
            store.close()

    return asyncio.run(main())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["en", "es", "de", ""]),
    st.one_of(
        st.text(max_size=300),
        st.sampled_from(["/start", "/help", "/summary", "/limits 2026", "/bogus", "185000"]),
        st.builds(lambda c, a: f"/{c} {a}", st.text("abcz@_", min_size=1), st.text(max_size=20)),
    ),
)
def test_any_text_gets_a_reply_and_no_error(language: str, text: str) -> None:

    async def script(h: Harness) -> None:
        errors: list[object] = []

        async def record(_update: object, context: Any) -> None:
            errors.append(context.error)

        h.app.add_error_handler(record)
        await h.say(9, "/start", language)

        def replies() -> int:  # a message sent, or the question edited (a re-ask)
            return len(h.fake.sent(9)) + len(h.fake.of("editMessageText", 9))

        before = replies()
        update = await h.say(9, text, language)
        assert not errors
        assert replies() > before
        assert all(c.ok for c in h.fake.calls)
        assert h.store.was_handled(update["update_id"])
        assert h.store.pending(Queue.OUTBOX, 9) == 0

    _run(script)


def _fits_callback(data: str) -> bool:
    return len(data.encode()) <= 64


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=64).filter(_fits_callback),
        st.sampled_from(["v1:a:after_tax:", "v1:a:age:", "v1:nav:back:", "v1:edit:", "v2:"]).map(
            lambda p: p + "x"
        ),
        st.builds(
            lambda q, v: f"v1:a:{q}:{v}",
            st.sampled_from(["after_tax", "conversion", "age", "tax_year"]),
            st.sampled_from(["yes", "no", "2026", "1999", "in_plan", ""]),
        ),
    )
)
def test_any_callback_data_is_answered_exactly_once(data: str) -> None:
    async def script(h: Harness) -> None:
        await h.say(9, "/start")
        update = await h.tap(9, data)
        answers = h.fake.of("answerCallbackQuery")
        assert [a.params["callback_query_id"] for a in answers] == [update["callback_query"]["id"]]
        notice = answers[0].params.get("text")
        assert notice is None or len(notice) <= replies.MAX_CALLBACK_ANSWER
        assert h.fake.of("sendMessage", 9)[-1].callback_data  # a question is on screen
        state = h.session(9).state
        if data in ("v1:a:after_tax:yes", "v1:a:after_tax:no"):
            assert state != "after_tax"
        elif data.startswith("v1:a:") or not data.startswith("v1:"):
            assert state == "after_tax"  # a stale or unknown button moves nothing

    _run(script)
