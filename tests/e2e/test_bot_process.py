"""The real `python -m bot` process against the Bot API stub, as it would talk to Telegram."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_TIMEZONE, today_in
from dialogs.plans import Services
from dialogs.replies import Choice, Command, Event, Typed
from tests.conversations import (
    DONE,
    AnswerTable,
    Walk,
    answer_event,
    assert_plans_paychecks,
    buttons_of,
    check_answers,
    question_of,
    replay,
)
from tests.e2e.stub_server import StubMessage, StubServer

ROOT = Path(__file__).resolve().parents[2]
TIMEZONE = DEFAULT_TIMEZONE  # the bot's calendar here, set explicitly (a .env can't move it)


@asynccontextmanager
async def bot_process(
    stub: StubServer,
    db: Path,
    *,
    token: str | None = None,
    umask: int | None = None,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[Any]:
    """`python -m bot` against the stub, with `env` (more settings) over the test's own."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MEGAROTH_"))}
    environ.update(
        TELEGRAM_BOT_TOKEN=token or stub.token,
        TELEGRAM_BASE_URL=stub.base_url,
        MEGAROTH_DB=str(db),
        MEGAROTH_LOG_LEVEL="INFO",
        MEGAROTH_TIMEZONE=TIMEZONE,
        PYTHONFAULTHANDLER="1",
    )
    environ.update(env or {})
    log = db.with_suffix(".log")
    with log.open("ab") as sink:  # a file, not a pipe: an unread pipe would block the bot
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=environ, stdout=sink, stderr=sink,
            preexec_fn=None if umask is None else (lambda: os.umask(umask)),
        )  # fmt: skip
    process.log = log  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stop_cleanly(process: Any, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """SIGTERM, and exit 0 within `timeout`; else a stack dump (SIGABRT) and its log."""
    process.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        process.send_signal(signal.SIGABRT)
        await process.wait()
        raise AssertionError(process.log.read_text()[-8000:]) from None
    assert code == 0, process.log.read_text()[-4000:]


def last_question(stub: StubServer, chat_id: int) -> StubMessage:
    """The latest bot message that still has buttons."""
    for message in reversed(stub.bot_messages(chat_id)):
        if message.callback_data:
            return message
    shown = [(m.message_id, (m.content or "")[:40]) for m in stub.bot_messages(chat_id)]
    raise AssertionError(f"no message with buttons in {shown}")


def _question_id(stub: StubServer, chat_id: int) -> int:
    try:
        return last_question(stub, chat_id).message_id
    except AssertionError:
        return 0


async def next_question(stub: StubServer, chat_id: int, after: int) -> None:
    """Wait for the bot's next message with buttons (the next question or the result)."""
    await stub.wait_for(lambda: _question_id(stub, chat_id) > after, timeout=20)


async def tap(stub: StubServer, chat_id: int, value_prefix: str) -> None:
    message = last_question(stub, chat_id)
    found = [d for d in message.callback_data if d.startswith(value_prefix)]
    shown = [
        (m.message_id, (m.content or "")[:30], m.callback_data) for m in stub.bot_messages(chat_id)
    ]
    assert found, f"{value_prefix} not in {message.message_id}: {shown}"
    data = found[0]
    stub.push_callback(chat_id, message.message_id, data)
    await next_question(stub, chat_id, message.message_id)


async def say(stub: StubServer, chat_id: int, text: str) -> None:
    before = _question_id(stub, chat_id)
    stub.push_text(chat_id, text)
    await next_question(stub, chat_id, before)


def seen(stub: StubServer, chat_id: int) -> str:
    return "\n".join(m.content or "" for m in stub.bot_messages(chat_id))


def newest_id(stub: StubServer, chat_id: int) -> int:
    """The id of the bot's latest message in the chat (0 before the first)."""
    messages = stub.bot_messages(chat_id)
    return messages[-1].message_id if messages else 0


def sent_after(stub: StubServer, chat_id: int, after: int) -> list[StubMessage]:
    """The bot's messages sent after message ``after``, oldest first."""
    return [m for m in stub.bot_messages(chat_id) if m.message_id > after]


async def wait_sent(
    stub: StubServer,
    chat_id: int,
    after: int,
    *,
    button: str | None = None,
    text: str | None = None,
    photo: bool = False,
) -> StubMessage:
    """Wait for the message a step really produces, sent after message ``after``: one
    with a button whose data starts with ``button``, or containing ``text``, or a photo.

    Never "one more message than before": a step may send several messages, and a
    later one (a photo rendered in a thread, say) would satisfy the next step's wait.
    """
    assert [button is not None, text is not None, photo].count(True) == 1

    def wanted(m: StubMessage) -> bool:
        if button is not None:
            return any(d.startswith(button) for d in m.callback_data)
        if text is not None:
            return text in (m.content or "")
        return m.photo is not None

    def found() -> StubMessage | None:
        return next((m for m in sent_after(stub, chat_id, after) if wanted(m)), None)

    return await stub.wait_for(found, timeout=20)


# ---------------------------------------------------------------- conversations by question


def bot_today() -> dt.date:
    """Today as the bot process sees it: its calendar (MEGAROTH_TIMEZONE, set by
    `bot_process`), read now. The paychecks left, and so which questions are asked and
    what the result says, follow it."""
    return today_in(TIMEZONE)


def asking(stub: StubServer, chat_id: int) -> tuple[StubMessage, str | None] | None:
    """The latest bot message with buttons and the question it asks (`question_of`:
    DONE for the result, None for a message that asks nothing); None before any."""
    for message in reversed(stub.bot_messages(chat_id)):
        if message.callback_data:
            return message, question_of(message.callback_data)
    return None


def moved_on(stub: StubServer, chat_id: int, after: StubMessage, question: str) -> bool:
    """Whether a message after ``after`` asks another question than ``question`` (or is
    the result): the reply to an answer. A copy of the question itself, resent after a
    crash, is not."""
    now = asking(stub, chat_id)
    return now is not None and now[0].message_id > after.message_id and now[1] != question


async def answer(
    stub: StubServer,
    chat_id: int,
    answers: AnswerTable,
    *,
    stop_at: str = DONE,
    sent: list[Event] | None = None,
    pushed: list[dict[str, Any]] | None = None,
    timeout: float = 20,  # noqa: ASYNC109
) -> list[str]:
    """Answer each question the bot asks in the chat from ``answers``, by the question's
    id (read from the asking message's buttons), until it asks ``stop_at`` (DONE: until
    the result). Each answer waits for the reply to it: a later message asking the next
    question (or the result), never just "one more message". A question the table
    doesn't answer fails; an answer not taken times out. Returns the questions answered;
    the events pushed are appended to ``sent``, the updates to ``pushed``."""
    asked: list[str] = []
    while True:
        found = await stub.wait_for(lambda: asking(stub, chat_id), timeout=timeout)
        assert found is not None
        message, question = found
        if question == stop_at:
            return asked
        if question is None or question not in answers:
            raise AssertionError(
                f"chat {chat_id} asks {question}, not in the table: {(message.content or '')[:80]}"
            )
        event = answer_event(question, answers[question], message.callback_data)
        if isinstance(event, Choice):
            update = stub.push_callback(chat_id, message.message_id, event.data)
        else:
            assert isinstance(event, Typed)
            update = stub.push_text(chat_id, event.text)
        if sent is not None:
            sent.append(event)
        if pushed is not None:
            pushed.append(update)
        asked.append(question)
        await stub.wait_for(
            lambda m=message, q=question: moved_on(stub, chat_id, m, q),  # type: ignore[misc]
            timeout=timeout,
        )


def photos_of(stub: StubServer, chat_id: int) -> list[StubMessage]:
    return [m for m in stub.bot_messages(chat_id) if m.photo is not None]


def shown_lines(stub: StubServer, chat_id: int) -> set[str]:
    """Every line the bot showed in the chat: of every version of every message (an
    answered question is edited to show the answer), photo captions included."""
    return {
        line
        for message in stub.bot_messages(chat_id)
        for version in message.versions
        for line in (version.text or "").splitlines()
        if line.strip()
    }


def assert_shows_dialog(
    stub: StubServer,
    chat_id: int,
    sent: list[Event],
    days: Iterable[dt.date],
    services: Services | None = None,
) -> Walk:
    """The chat shows every line the dialog gives for the events ``sent`` there, on one
    of ``days`` (the bot's day before the last input and after the result: two only
    across midnight), and the result with its buttons; returns that dialog's walk."""
    shown = shown_lines(stub, chat_id)
    missing: list[str] = []
    for day in sorted(set(days)):
        expected = replay(sent, day, services=services)
        missing = [line for line in expected.lines() if line not in shown]
        if not missing:
            results = [
                m for m in stub.bot_messages(chat_id) if question_of(m.callback_data) == DONE
            ]
            assert results, f"chat {chat_id}: no result"
            assert results[-1].callback_data == buttons_of(expected.result)
            return expected
    raise AssertionError(f"chat {chat_id}: the dialog's lines not shown: {missing[:6]}")


async def test_whole_conversation_by_taps_and_typing(stub: StubServer, tmp_path: Path) -> None:
    async with bot_process(stub, tmp_path / "bot.db") as process:
        # setMyCommands at start-up, in English (the default) and Spanish.
        await stub.wait_for(lambda: any(k[1] == "es" for k in stub.commands), timeout=20)
        spanish = next(v for k, v in stub.commands.items() if k[1] == "es")
        assert {"command": "forget", "description": "Borrar todo sobre ti"} in spanish
        stub.push_command(1001, "start", language_code="en")
        await stub.wait_for_messages(1001, 2, timeout=15)
        sent: list[Event] = [Command("start")]
        before = bot_today()
        asked = await answer(stub, 1001, check_answers(before.year), sent=sent)
        expected = assert_shows_dialog(stub, 1001, sent, [before, bot_today()])
        assert_plans_paychecks(expected)
        assert any(line.startswith("So far: $") for line in expected.lines())  # the room
        # Both pictures, in order: the 415(c) bucket, then the paycheck plan.
        await stub.wait_for(lambda: len(photos_of(stub, 1001)) >= 2, timeout=15)
        photos = photos_of(stub, 1001)
        assert len(stub.calls("sendPhoto")) == 2
        assert all(p.photo is not None and p.photo.startswith(b"\x89PNG") for p in photos)
        assert expected.result.chart is not None
        assert expected.result.plan_chart is not None
        titles = [expected.result.chart.title, expected.result.plan_chart.title]
        assert [p.caption for p in photos] == titles
        # Every tap was answered, and answered questions lost their buttons (edited).
        taps = sum(1 for e in sent if isinstance(e, Choice))
        assert len(stub.calls("answerCallbackQuery")) == taps
        assert len(asked) == len(sent) - 1
        assert stub.calls("editMessageText")
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
        log = process.log.read_text()
        assert "Application started" in log
        assert stub.token.split(":")[1] not in log
        assert "200000" not in log
        assert "200k" not in log


async def test_sigkill_mid_conversation_resumes(stub: StubServer, tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    answers = check_answers(bot_today().year)
    sent: list[Event] = [Command("start")]
    async with bot_process(stub, db) as process:
        stub.push_command(2002, "start")
        await stub.wait_for_messages(2002, 2, timeout=20)
        await answer(stub, 2002, answers, stop_at="pay_frequency", sent=sent)  # pay stored
        process.kill()  # SIGKILL
        await process.wait()
    polls = len(stub.calls("getUpdates"))
    async with bot_process(stub, db):
        # Polling again means start-up is done, including delivery of any unsent replies.
        await stub.wait_for(lambda: len(stub.calls("getUpdates")) > polls, timeout=20)
        before = bot_today()
        await answer(stub, 2002, answers, sent=sent)
        assert_plans_paychecks(assert_shows_dialog(stub, 2002, sent, [before, bot_today()]))


async def test_redelivered_update_is_not_applied_twice(stub: StubServer, tmp_path: Path) -> None:
    answers = check_answers(bot_today().year)
    sent: list[Event] = [Command("start")]
    async with bot_process(stub, tmp_path / "bot.db"):
        stub.push_command(3003, "start")
        await stub.wait_for_messages(3003, 2, timeout=20)
        await answer(stub, 3003, answers, stop_at="pay", sent=sent)  # ... age 35
        found = asking(stub, 3003)
        assert found is not None
        pay_question, _ = found
        update = stub.push_text(3003, "200k")
        sent.append(Typed("200k"))
        await stub.wait_for(lambda: moved_on(stub, 3003, pay_question, "pay"), timeout=20)
        count = len(stub.bot_messages(3003))
        stub.push_update(update, force=True)  # Telegram resends the same update_id
        stub.push_command(3004, "start")  # queued after it: once served, it was taken too
        await wait_sent(stub, 3004, 0, button="v1:a:after_tax:")
        assert len(stub.bot_messages(3003)) == count
        before = bot_today()
        await answer(stub, 3003, answers, sent=sent)
        assert_plans_paychecks(assert_shows_dialog(stub, 3003, sent, [before, bot_today()]))


async def test_flaky_telegram_loses_no_reply(stub: StubServer, tmp_path: Path) -> None:
    answers = check_answers(bot_today().year)
    async with bot_process(stub, tmp_path / "bot.db"):
        stub.push_command(4004, "start")
        await stub.wait_for_messages(4004, 2, timeout=20)
        stub.fail_next("sendMessage", 429, retry_after=1)
        await tap(stub, 4004, "v1:a:after_tax:yes")
        stub.fail_next("sendMessage", 502, times=2)
        await tap(stub, 4004, "v1:a:conversion:in_plan")
        stub.fail_next("sendMessage", drop=True)
        await tap(stub, 4004, "v1:a:auto_convert:no")
        sent: list[Event] = [
            Command("start"),
            *(
                Choice(f"v1:a:{q}:{answers[q][1]}")
                for q in ("after_tax", "conversion", "auto_convert")
            ),
        ]
        before = bot_today()
        await answer(stub, 4004, answers, sent=sent)
        assert_plans_paychecks(assert_shows_dialog(stub, 4004, sent, [before, bot_today()]))


async def test_fifty_people_at_once_get_their_own_answers(
    stub: StubServer, tmp_path: Path
) -> None:
    people = range(5000, 5050)
    answers = check_answers(bot_today().year)
    async with bot_process(stub, tmp_path / "bot.db"):
        for chat in people:
            stub.push_command(chat, "start")
        await stub.wait_for(lambda: all(len(stub.bot_messages(c)) >= 2 for c in people), 30)
        ages = {chat: 20 + chat % 40 for chat in people}
        # The plan's questions and the year, tapped by everyone at once: the same for all,
        # on any day.
        for question in ("after_tax", "conversion", "auto_convert", "after_tax_cap", "tax_year"):
            data = f"v1:a:{question}:{answers[question][1]}"
            asked = {chat: _question_id(stub, chat) for chat in people}
            for chat in people:
                stub.push_callback(chat, asked[chat], data)

            def all_moved_on(asked: dict[int, int] = asked) -> bool:
                return all(_question_id(stub, c) > asked[c] for c in people)

            await stub.wait_for(all_moved_on, 30)
        for chat in people:
            stub.push_text(chat, str(ages[chat]))
        await stub.wait_for(
            lambda: all(
                "How old" in seen(stub, c) and f"→ {ages[c]}" in seen(stub, c) for c in people
            ),
            30,
        )
        for chat in people:
            assert f"→ {ages[chat]}</b>" in seen(stub, chat) or f"→ {ages[chat]}" in seen(
                stub, chat
            )
            others = [a for c, a in ages.items() if c != chat and a != ages[chat]]
            assert not any(f"→ {a}\n" in seen(stub, chat) for a in others)


async def test_forget_leaves_nothing_in_the_database(stub: StubServer, tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    async with bot_process(stub, db) as process:
        stub.push_command(6006, "start")
        await stub.wait_for_messages(6006, 2, timeout=20)
        answers = check_answers(bot_today().year)
        await answer(stub, 6006, answers, stop_at="pay_frequency")  # pay 200k stored
        before = newest_id(stub, 6006)
        stub.push_text(6006, "/forget")
        await wait_sent(stub, 6006, before, text="erased")
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 8)
        except TimeoutError:
            process.send_signal(signal.SIGABRT)
            await process.wait()
            raise AssertionError(process.log.read_text()[-8000:]) from None
    raw = _read_db_files(tmp_path)
    assert b"200000" not in raw
    assert b"6006" not in raw
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def _read_db_files(folder: Path) -> bytes:
    """The database file and any WAL/SHM beside it, as raw bytes."""
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith("bot.db"))


async def test_bad_token_setting_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MEGAROTH_"))}
    env["TELEGRAM_BOT_TOKEN"] = "not-a-token"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await process.communicate()
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("configuration error: TELEGRAM_BOT_TOKEN must look like")
    assert "not-a-token" not in lines[0]
