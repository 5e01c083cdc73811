"""The store's work queues (claim, act, mark done) and what erasure and counting keep.

`store` is parametrized over the implementations of ConversationStore: SQLite is the one
there is; a shared PostgreSQL store would join the list and pass the same tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import outbox
from bot.app import ChatOrderedProcessor
from bot.inbox import Dispatcher, receive
from bot.sqlite_store import Store
from bot.store import NewWork, Queue
from dialogs.plans import PlanProfile
from dialogs.replies import Button, Reply
from dialogs.session import PlanAnswers


@pytest.fixture(params=["sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "bot.db")
    yield opened
    opened.close()


def items(chat_id: int, *payloads: str) -> list[NewWork]:
    return [NewWork(chat_id, payload) for payload in payloads]


# ---------------------------------------------------------------- claim, act, mark done


def test_claim_hands_out_the_oldest_once_and_done_removes(store: Store) -> None:
    store.put(Queue.OUTBOX, items(1, "a", "b") + items(2, "c"))
    first = store.claim(Queue.OUTBOX, 2)
    assert [w.payload for w in first] == ["a", "b"]
    assert [w.payload for w in store.claim(Queue.OUTBOX, 5)] == ["c"]  # not a, b again
    assert store.claim(Queue.OUTBOX, 5) == []
    store.done(first[0])
    assert store.pending(Queue.OUTBOX) == 2
    assert store.pending(Queue.OUTBOX, chat_id=1) == 1


def test_claim_of_one_chat_in_order(store: Store) -> None:
    store.put(Queue.OUTBOX, items(1, "a") + items(2, "x") + items(1, "b"))
    [a] = store.claim(Queue.OUTBOX, 1, chat_id=1)
    assert a.payload == "a"
    store.done(a)
    [b] = store.claim(Queue.OUTBOX, 1, chat_id=1)
    assert b.payload == "b"
    assert store.chats_pending(Queue.OUTBOX, 10) == [2]  # chat 1's item is claimed


def test_set_aside_is_never_claimed_again_nor_counted(store: Store) -> None:
    store.put(Queue.OUTBOX, items(1, "unreadable", "fine"))
    bad, good = store.claim(Queue.OUTBOX, 2)
    store.set_aside(bad, "ValidationError")
    store.release(good)
    assert [w.payload for w in store.claim(Queue.OUTBOX, 5)] == ["fine"]
    assert store.pending(Queue.OUTBOX) == 1
    assert store.set_aside_count() == 1


def test_claims_end_with_the_process(tmp_path: Path) -> None:
    """What a dead process had claimed is pending for the next one ("process what is
    left at start-up")."""
    first = Store(tmp_path / "bot.db")
    first.put(Queue.INBOX, [NewWork(1, "{}", ref=10)])
    assert len(first.claim(Queue.INBOX, 5)) == 1
    first.close()
    second = Store(tmp_path / "bot.db")
    assert [w.ref for w in second.claim(Queue.INBOX, 5)] == [10]
    second.close()


# ---------------------------------------------------------------- the inbox


def test_an_update_is_queued_once_and_never_after_it_is_done(store: Store) -> None:
    assert store.put(Queue.INBOX, [NewWork(1, "{}", ref=10), NewWork(1, "{}", ref=10)]) == 1
    [work] = store.claim(Queue.INBOX, 5)
    store.save(1, 10, '{"v":1}', [outbox.text_call("hi")], None)  # handled: done with it
    assert store.pending(Queue.INBOX) == 0
    assert store.was_handled(10)
    assert store.pending(Queue.OUTBOX, chat_id=1) == 1  # its reply, same transaction
    assert store.put(Queue.INBOX, [NewWork(1, "{}", ref=10)]) == 0  # a redelivery
    store.done(work)  # marking done twice is harmless
    assert store.was_handled(10)


def test_unreadable_updates_are_recorded_done_without_their_content(store: Store) -> None:
    store.put(Queue.INBOX, [], done_refs=[11])
    assert store.was_handled(11)
    assert store.pending(Queue.INBOX) == 0
    row = store._db.execute("SELECT chat_id FROM handled_updates WHERE update_id = 11")
    assert row.fetchone() == (0,)


def test_receive_parses_each_update_on_its_own(store: Store) -> None:
    good = {
        "update_id": 5,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 9, "type": "private"}},
    }
    bad = {"update_id": 6, "message": {"message_id": 2, "chat": "not a chat"}}
    received = receive(store, [good, bad, "junk"], None)
    assert received.seen == [5, 6]
    assert list(received.parsed) == [5]
    [work] = store.claim(Queue.INBOX, 5)
    assert (work.ref, work.chat_id, json.loads(work.payload)) == (5, 9, good)
    assert store.was_handled(6)


def test_finish_update_queues_an_apology_and_marks_done(store: Store) -> None:
    store.put(Queue.INBOX, [NewWork(3, "{}", ref=12)])
    store.finish_update(12, 3, [outbox.text_call("sorry")])
    assert store.pending(Queue.INBOX) == 0
    assert store.was_handled(12)
    assert store.pending(Queue.OUTBOX, chat_id=3) == 1


async def test_the_dispatcher_holds_at_most_its_capacity_in_memory(store: Store) -> None:
    release = asyncio.Event()
    running: list[int] = []

    class App:
        bot = None
        update_processor = ChatOrderedProcessor(256)

        async def process_update(self, update: Any) -> None:
            running.append(update.update_id)
            await release.wait()
            store.finish_update(update.update_id, update.effective_chat.id)

    updates = [
        NewWork(
            chat,
            json.dumps(
                {"update_id": 100 + chat, "message": {"message_id": 1, "date": 0,
                 "chat": {"id": chat, "type": "private"}, "text": "x"}}
            ),
            ref=100 + chat,
        )
        for chat in range(1, 41)
    ]  # fmt: skip
    store.put(Queue.INBOX, updates)
    dispatcher = Dispatcher(App(), store, capacity=4)  # type: ignore[arg-type]
    task = asyncio.create_task(dispatcher.run())
    async with asyncio.timeout(5):
        while len(running) < 4:  # noqa: ASYNC110 (a few loop turns: nothing to wait on)
            await asyncio.sleep(0)
    for _ in range(20):  # it claims no more while they run
        await asyncio.sleep(0)
    assert dispatcher.in_flight == 4
    assert len(store._claimed[Queue.INBOX]) == 4
    release.set()
    async with asyncio.timeout(5):
        while store.pending(Queue.INBOX):  # noqa: ASYNC110 (the store has no event)
            await asyncio.sleep(0)
    assert sorted(running) == [100 + chat for chat in range(1, 41)]
    await dispatcher.stop()
    task.cancel()


# ---------------------------------------------------------------- erasure and counting


def plan(code: str = "Acme0000acme0000") -> PlanProfile:
    return PlanProfile(
        code=code, name="Acme", answers=PlanAnswers(plan_name="Acme"), owner_id=None,
        updated=dt.date(2026, 3, 2), verified=True,
    )  # fmt: skip


def test_forget_keeps_update_ids_unlinked_and_later_inputs(store: Store) -> None:
    store.save(1, 10, '{"v":1}', [outbox.text_call("q")], None)
    store.save_plan(plan())
    store.count_start("Acme0000acme0000", person=1)
    store.put(Queue.INBOX, [NewWork(1, "{}", ref=13)])  # written after the /forget
    store.forget(1, 12, [outbox.text_call("erased")])
    assert store.load(1) is None
    assert store.was_handled(10)
    assert store.was_handled(12)
    chats = store._db.execute("SELECT DISTINCT chat_id FROM handled_updates").fetchall()
    assert chats == [(0,)]
    assert store.pending(Queue.INBOX, chat_id=1) == 1  # the person writing again
    [confirmation] = store.claim(Queue.OUTBOX, 5, chat_id=1)
    assert "erased" in confirmation.payload  # the old reply is gone, the confirmation queued
    assert store._db.execute("SELECT COUNT(*) FROM plan_starters").fetchone() == (0,)


def test_a_person_counts_once_per_profile(store: Store) -> None:
    store.save_plan(plan("Acme0000acme0000"))
    store.save_plan(plan("Beta0000beta0000"))
    for code in ["Acme0000acme0000", "Beta0000beta0000"] * 3:
        store.count_start(code, person=7)
    store.count_start("Acme0000acme0000", person=8)
    store.count_start("Gone0000gone0000", person=7)  # no such profile: nothing counted
    starts = {p: store.get_plan(p).starts for p in ("Acme0000acme0000", "Beta0000beta0000")}  # type: ignore[union-attr]
    assert starts == {"Acme0000acme0000": 2, "Beta0000beta0000": 1}
    assert store.stats()["plan_link_starts"] == 3


def test_the_question_message_moves_only_with_a_delivered_call(store: Store) -> None:
    store.save(1, 10, '{"v":1}', [], 5)  # a new session may start with one
    store.done(store.claim(Queue.OUTBOX, 1)[0]) if store.pending(Queue.OUTBOX) else None
    store.save(1, 11, '{"v":2}', [outbox.text_call("q")], None)  # a save never moves it
    assert store.load(1).question_message_id == 5  # type: ignore[union-attr]
    [work] = store.claim(Queue.OUTBOX, 1)
    store.done(work, question_message_id=9)
    assert store.load(1).question_message_id == 9  # type: ignore[union-attr]


def test_the_menu_marker_is_kept(store: Store) -> None:
    assert store.get_meta("menu") is None
    store.set_meta("menu", "abc")
    store.set_meta("menu", "def")
    assert store.get_meta("menu") == "def"


# ---------------------------------------------------------------- files


def test_files_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        opened = Store(tmp_path / "bot.db")
        opened.save(1, 1, '{"v":1}', [], None)
        opened.backup(tmp_path / "copy.sqlite3")
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        opened.close()
    finally:
        os.umask(old)
    assert modes == {n: 0o600 for n in ("bot.db", "bot.db-wal", "bot.db-shm", "copy.sqlite3")}


def test_an_older_wider_database_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    Store(path).close()
    path.chmod(0o644)
    Store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ---------------------------------------------------------------- the outbox's rows


def test_a_reply_becomes_calls_and_an_old_outbox_converts() -> None:
    reply = Reply(text="Q?", buttons=((Button("Yes", "v1:a:x:yes"),),), asks=True)
    [call] = outbox.reply_calls(reply)
    parsed = outbox.parse(call)
    assert isinstance(parsed, outbox.Send)
    assert parsed.asks
    assert parsed.buttons == ((("Yes", "v1:a:x:yes"),),)
    legacy = json.dumps(
        [{"edit": 4, "text": "A"}, {"text": "Q?", "buttons": [[["Yes", "v1:a:x:yes"]]]}]
    )
    edit, send = (outbox.parse(c) for c in outbox.from_legacy(legacy))
    assert edit == outbox.Edit(message_id=4, text="A")
    assert send == parsed  # the oldest rows lack "asks": buttons mean it asks
    for unreadable in ("not json", '{"v": 9, "call": "teleport"}', '{"v": 1}'):
        with pytest.raises(ValueError, match=r"validation error|Invalid JSON"):
            outbox.parse(unreadable)


def test_stats_count_what_waits_and_what_was_set_aside(store: Store) -> None:
    store.put(Queue.INBOX, [NewWork(1, "{}", ref=1)])
    store.put(Queue.OUTBOX, items(1, "a", "b"))
    store.set_aside(store.claim(Queue.OUTBOX, 1)[0], "ValidationError")
    stats = store.stats()
    assert (stats["updates_waiting"], stats["calls_waiting"], stats["set_aside"]) == (1, 1, 1)


async def test_polling_pauses_while_the_inbox_is_full(store: Store) -> None:
    """The backlog is bounded on disk too: a full inbox stops getUpdates (Telegram keeps
    the rest) until the dispatcher makes room."""
    from bot.ops import Metrics
    from bot.polling import Poller

    asked = asyncio.Event()

    class Bot:
        async def do_api_request(self, *args: Any, **kwargs: Any) -> list[Any]:
            asked.set()
            await asyncio.Event().wait()  # a long poll that never ends
            return []

    store.put(Queue.INBOX, [NewWork(1, "{}", ref=n) for n in range(3)])
    poller = Poller(Bot(), store, Metrics(), lambda _: None, allowed_updates=[], backlog=3)
    task = asyncio.create_task(poller.run())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not asked.is_set()
    store.finish_update(0, 1)
    poller.room.set()
    async with asyncio.timeout(5):
        await asked.wait()
    task.cancel()
