"""Nothing lost and nothing leaked between Telegram and the database (issue 12), through the
real `python -m bot` and the strict stub: what Telegram was told arrived is handled after a
SIGKILL, poison updates are skipped, replies get through however long Telegram is away,
a crash repeats at most one call, taps are answered best effort, /forget holds."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

from tests.conversations import check_answers
from tests.e2e.stub_server import StubServer
from tests.e2e.test_bot_process import (
    answer,
    bot_process,
    bot_today,
    last_question,
    newest_id,
    seen,
    stop_cleanly,
    wait_sent,
)

FAST = {"MEGAROTH_RETRY_MAX_DELAY": "0.1"}  # back-off waits capped at 0.1 s, for the tests
CONVERSION = "after-tax money leave"  # the conversion question (after after_tax: yes)
AUTO_TEXT = "automatically"
EXAMPLE_PLANS = (Path(__file__).resolve().parents[2] / "deploy/plans.example.toml").read_text()


def logged(process: Any) -> str:
    text: str = process.log.read_text(errors="replace")
    return text


async def started(stub: StubServer, chat_id: int) -> None:
    stub.push_command(chat_id, "start", language_code="en")
    await wait_sent(stub, chat_id, 0, button="v1:a:after_tax:yes")


def session_of(db: Path, chat_id: int) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT data FROM sessions WHERE chat_id = ?", (chat_id,)).fetchone()
    return None if row is None else str(row[0])


# ---------------------------------------------------------------- 1. confirmed only once stored


async def test_an_input_typed_during_a_429_wait_survives_a_sigkill(
    stub: StubServer, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    async with bot_process(stub, db) as process:
        await started(stub, 1101)
        held = stub.fail_while("sendMessage", lambda: True, 429, chat_id=1101, retry_after=30)
        question = last_question(stub, 1101)
        stub.push_callback(1101, question.message_id, "v1:a:after_tax:yes")
        await stub.wait_for(lambda: held.hits >= 1, timeout=20)  # waiting out the 429
        typed = stub.push_text(1101, "in-plan conversion")  # answers the next question
        await stub.wait_for(lambda: stub.confirmed > typed["update_id"], timeout=20)
        process.kill()  # Telegram was told it arrived; then the bot dies
        await process.wait()
    stub.rules.clear()
    async with bot_process(stub, db) as process:
        await stub.wait_for(lambda: AUTO_TEXT in seen(stub, 1101), timeout=20)
        assert CONVERSION in seen(stub, 1101)  # the tap's reply, then the typed answer's
        await stop_cleanly(process)


# ---------------------------------------------------------------- 2. poison updates


def poll_update(chat_id: int, update_id: int) -> dict[str, Any]:
    """A poll as an older self-hosted Bot API server sends it: options without the
    `persistent_id` python-telegram-bot 22 requires. Its question carries a salary."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 77,
            "date": 1_790_000_000,
            "chat": {"id": chat_id, "type": "private", "first_name": "Pat"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Pat"},
            "poll": {
                "id": "5001",
                "question": "is a salary of 187654 enough?",
                "options": [{"text": "yes", "voter_count": 0}],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            },
        },
    }


async def test_an_update_that_cannot_be_parsed_is_skipped_and_others_served(
    stub: StubServer, tmp_path: Path
) -> None:
    async with bot_process(stub, tmp_path / "bot.db") as process:
        stub.add_chat(1201)
        poison = stub.push_update(poll_update(1201, 700_000_001))
        await started(stub, 1202)  # in the same batch or the next: served
        await stub.wait_for(lambda: stub.confirmed > poison["update_id"], timeout=20)
        await started(stub, 1203)
        await stop_cleanly(process)
    log = logged(process)
    assert f"update {poison['update_id']} can't be read (TypeError): confirmed and skipped" in log
    assert "187654" not in log  # never the raw update
    assert "persistent_id" not in log
    assert log.count("can't be read") == 1  # not fetched again and again


async def test_the_heartbeat_counts_only_polls_that_parse(
    stub: StubServer, tmp_path: Path
) -> None:
    beat = tmp_path / "heartbeat"
    garbled = True
    stub.method_latency["getUpdates"] = 0.3
    rule = stub.fail_while("getUpdates", lambda: garbled, garble=True)
    settings = {"MEGAROTH_HEARTBEAT_FILE": str(beat), "MEGAROTH_HEARTBEAT_INTERVAL": "0.1"}
    async with bot_process(stub, tmp_path / "bot.db", env={**settings, **FAST}) as process:
        await stub.wait_for(lambda: rule.hits >= 5, timeout=20)  # >= 1.5 s of answers
        assert not beat.exists()  # a 200 that does not parse is not a poll
        garbled = False
        stub.method_latency.clear()
        await started(stub, 1204)  # an update ends the next long poll at once
        await stub.wait_for(beat.exists, timeout=20)
        await stop_cleanly(process)


# ---------------------------------------------------------------- 3. no attempt cap


async def test_a_reply_gets_through_however_long_telegram_fails(
    stub: StubServer, tmp_path: Path
) -> None:
    async with bot_process(stub, tmp_path / "bot.db", env=FAST) as process:
        stub.fail_next("sendMessage", 429, retry_after=1, times=2)
        stub.fail_next("sendMessage", 502, times=6)
        stub.fail_next("sendMessage", drop=True, times=4)
        await started(stub, 1301)  # 12 failures, then the welcome and the question
        # An outage while a reply is owed: the port refuses connections for a while.
        holding = True
        stub.fail_while("sendMessage", lambda: holding, 502, chat_id=1301)
        question = last_question(stub, 1301)
        tap = stub.push_callback(1301, question.message_id, "v1:a:after_tax:yes")
        await stub.wait_for(lambda: stub.confirmed > tap["update_id"], timeout=20)
        await stub.go_down()
        before = logged(process).count("network error")
        await stub.wait_for(lambda: logged(process).count("network error") >= before + 6, 20)
        holding = False
        await stub.come_up()
        await stub.wait_for(lambda: CONVERSION in seen(stub, 1301), timeout=20)
        await stop_cleanly(process)


# ---------------------------------------------------------------- 4. at most one call again


async def test_a_sigkill_mid_outbox_resends_at_most_the_call_in_flight(
    stub: StubServer, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    async with bot_process(stub, db) as process:
        await started(stub, 1401)
        await answer(stub, 1401, check_answers(bot_today().year), stop_at="prior_pay")
        stub.method_latency["sendPhoto"] = 60.0  # the first chart: the outbox's call hangs
        question = last_question(stub, 1401)
        stub.push_callback(1401, question.message_id, "v1:a:prior_pay:pay")  # the last answer
        await stub.wait_for(lambda: stub.calls("sendPhoto"), timeout=20)
        process.kill()  # after the edit and the result went out, during the first photo
        await process.wait()
    stub.method_latency.clear()
    results = [m for m in stub.bot_messages(1401) if "after-tax" in (m.content or "")]
    assert any("v1:nav:restart" in m.callback_data for m in results)  # the result, once
    [bucket] = [c.params["caption"] for c in stub.calls("sendPhoto")]
    async with bot_process(stub, db) as process:
        # The bucket chart again (the call in flight), then the paycheck chart after it.
        await stub.wait_for(lambda: len([m for m in stub.bot_messages(1401) if m.photo]) == 2, 20)
        await stop_cleanly(process)
    again = [m for m in stub.bot_messages(1401) if "after-tax" in (m.content or "")]
    assert len(again) == len(results)  # the result was not sent a second time
    captions = [c.params["caption"] for c in stub.calls("sendPhoto")]
    assert captions[:2] == [bucket, bucket]  # the one call in flight, again
    assert len(captions) == 3  # and the paycheck chart, once
    assert captions[2] != bucket


# ---------------------------------------------------------------- 5. answering a tap


async def test_a_refused_tap_answer_changes_nothing_else(stub: StubServer, tmp_path: Path) -> None:
    async with bot_process(stub, tmp_path / "bot.db") as process:
        await started(stub, 1501)
        stub.fail_next("answerCallbackQuery", 429, retry_after=5)
        question = last_question(stub, 1501)
        stub.push_callback(1501, question.message_id, "v1:a:after_tax:yes")
        await wait_sent(stub, 1501, question.message_id, button="v1:a:conversion:")
        stub.fail_next("answerCallbackQuery", 403)
        question = last_question(stub, 1501)
        stub.push_callback(1501, question.message_id, "v1:a:conversion:in_plan")
        await wait_sent(stub, 1501, question.message_id, button="v1:a:auto_convert:")
        await stop_cleanly(process)
    assert "Sorry, something went wrong" not in seen(stub, 1501)
    assert len(stub.calls("answerCallbackQuery")) == 2  # once each: never retried


async def test_a_tap_is_answered_while_its_chat_waits_on_telegram(
    stub: StubServer, tmp_path: Path
) -> None:
    async with bot_process(stub, tmp_path / "bot.db") as process:
        await started(stub, 1502)
        held = stub.fail_while("sendMessage", lambda: True, 429, chat_id=1502, retry_after=30)
        question = last_question(stub, 1502)
        stub.push_callback(1502, question.message_id, "v1:a:after_tax:yes")
        await stub.wait_for(lambda: held.hits >= 1, timeout=20)
        # The person taps again (the old buttons are still on screen): answered at once,
        # not after the chat's 30 s wait.
        stub.push_callback(1502, question.message_id, "v1:a:after_tax:no", check=False)
        await stub.wait_for(lambda: len(stub.calls("answerCallbackQuery")) == 2, timeout=10)
        assert all(c.status == 200 for c in stub.calls("answerCallbackQuery"))
        process.kill()
        await process.wait()


# ---------------------------------------------------------------- 6 and 7. /forget


async def test_the_forget_confirmation_survives_a_sigkill(
    stub: StubServer, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    async with bot_process(stub, db) as process:
        await started(stub, 1601)
        await answer(stub, 1601, check_answers(bot_today().year), stop_at="pay_frequency")
        held = stub.fail_while("sendMessage", lambda: True, 502, chat_id=1601)
        stub.push_text(1601, "/forget")
        await stub.wait_for(lambda: held.hits >= 1 and session_of(db, 1601) is None, 20)
        process.kill()  # erased, confirmation not yet out
        await process.wait()
    stub.rules.clear()
    async with bot_process(stub, db) as process:
        await stub.wait_for(lambda: "everything I stored about you is erased" in seen(stub, 1601))
        await stop_cleanly(process)


async def test_redelivered_inputs_after_forget_are_not_stored_again(
    stub: StubServer, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    plans = tmp_path / "plans.toml"
    plans.write_text(EXAMPLE_PLANS)
    code = "Zt0n6bq1d9QmV3xW"
    async with bot_process(stub, db, env={"MEGAROTH_PLANS_FILE": str(plans)}) as process:
        link = stub.push_command(1701, "start", code, language_code="en")
        await stub.wait_for(lambda: "Which tax year" in seen(stub, 1701), timeout=20)
        question = last_question(stub, 1701)
        tap = stub.push_callback(1701, question.message_id, "v1:a:tax_year:2026")
        await wait_sent(stub, 1701, question.message_id, text="How old")
        before = newest_id(stub, 1701)
        stub.push_text(1701, "/forget")
        await wait_sent(stub, 1701, before, text="erased")
        erased = newest_id(stub, 1701)
        for update in (link, tap):
            stub.push_update(update, force=True)  # Telegram sends them again
        await started(stub, 1702)  # queued after them: once served, they were taken too
        await stop_cleanly(process)
    assert session_of(db, 1701) is None
    assert newest_id(stub, 1701) == erased  # nothing sent after the confirmation
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT starts FROM plans WHERE code = ?", (code,)).fetchone() == (1,)
        linked = conn.execute("SELECT COUNT(*) FROM handled_updates WHERE chat_id = 1701")
        assert linked.fetchone() == (0,)


# ---------------------------------------------------------------- 10. counted once per person


async def test_switching_links_counts_a_person_once_per_profile(
    stub: StubServer, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    plans = tmp_path / "plans.toml"
    example = EXAMPLE_PLANS
    second = re.sub(r"\[plans\.acme\]", "[plans.beta]", example.split("[plans.acme]", 1)[1])
    second = "[plans.beta]" + second.replace("Zt0n6bq1d9QmV3xW", "Beta0000beta0000")
    plans.write_text(example + "\n" + second.replace("Acme 401(k)", "Beta 401(k)"))
    async with bot_process(stub, db, env={"MEGAROTH_PLANS_FILE": str(plans)}) as process:
        last = None
        for code in ["Zt0n6bq1d9QmV3xW", "Beta0000beta0000"] * 2:
            before = newest_id(stub, 1801)
            last = stub.push_command(1801, "start", code, language_code="en")
            await wait_sent(stub, 1801, before, button="v1:a:tax_year:")
        assert last is not None
        stub.push_update(last, force=True)  # and a redelivery of the last link start
        await started(stub, 1802)  # queued after it: once served, it was taken too
        await stop_cleanly(process)
    with sqlite3.connect(db) as conn:
        counts = dict(conn.execute("SELECT code, starts FROM plans").fetchall())
        total = conn.execute("SELECT value FROM counters WHERE name = 'plan_link_starts'")
        assert total.fetchone() == (2,)
    assert counts == {"Zt0n6bq1d9QmV3xW": 1, "Beta0000beta0000": 1}


# ---------------------------------------------------------------- 12. an unreadable outbox row


async def test_unreadable_outbox_rows_are_set_aside_not_fatal(
    stub: StubServer, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    async with bot_process(stub, db) as process:
        for chat in (1901, 1902):
            await started(stub, chat)
        await stop_cleanly(process)
    with sqlite3.connect(db) as conn:  # an older version's outbox, and rows no one can read
        conn.execute("UPDATE sessions SET outbox = '{not json' WHERE chat_id = 1901")
        conn.executemany(
            "INSERT INTO work_items (queue, chat_id, payload, created) "
            "VALUES (?, ?, ?, unixepoch())",
            [("outbox", 1902, "garbage"), ("outbox", 1902, '{"v": 9, "call": "teleport"}')],
        )
    async with bot_process(stub, db) as process:
        for chat in (1901, 1902):
            before = newest_id(stub, chat)
            stub.push_command(chat, "start", language_code="en")
            await wait_sent(stub, chat, before, button="v1:a:after_tax:")
        await stop_cleanly(process)
    assert logged(process).count("set aside") >= 3
    assert "Sorry, something went wrong" not in seen(stub, 1901) + seen(stub, 1902)


# ---------------------------------------------------------------- 13. serve first


async def test_a_start_up_backlog_drains_while_newcomers_are_served(
    stub: StubServer, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    backlog = range(2001, 2011)
    failing = True
    rules = [stub.fail_while("sendMessage", lambda: failing, 502, chat_id=c) for c in backlog]
    async with bot_process(stub, db, env=FAST) as process:
        for chat in backlog:
            stub.push_command(chat, "start", language_code="en")
        await stub.wait_for(lambda: all(r.hits for r in rules), timeout=20)
        process.kill()  # ten chats with replies owed
        await process.wait()
    stub.rules.clear()
    # At the next start Telegram holds those ten back (429) until a newcomer is served.
    newcomer_served = False
    for chat in backlog:
        stub.fail_while(
            "sendMessage", lambda: not newcomer_served, 429, chat_id=chat, retry_after=1
        )
    async with bot_process(stub, db, env=FAST) as process:
        await started(stub, 2099)
        newcomer_served = True
        await stub.wait_for(
            lambda: all(any(m.callback_data for m in stub.bot_messages(c)) for c in backlog),
            timeout=20,
        )
        await stop_cleanly(process)


async def test_sigterm_during_a_long_wait_stops_promptly(stub: StubServer, tmp_path: Path) -> None:
    async with bot_process(stub, tmp_path / "bot.db") as process:
        held = stub.fail_while("sendMessage", lambda: True, 429, retry_after=600)
        stub.push_command(2101, "start")
        await stub.wait_for(lambda: held.hits >= 1, timeout=20)
        await asyncio.wait_for(stop_cleanly(process, timeout=15), 20)
