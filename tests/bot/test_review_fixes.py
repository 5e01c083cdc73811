"""Bugs a review found in the bot layer, pinned: counters, which message a typed answer
edits, transactions that never stay open, periodic jobs that survive a failure, group
chats, replies kept while Telegram is unreachable."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.ops import Housekeeping, Metrics
from bot.sqlite_store import Store
from bot.store import Queue
from tests.bot.test_handlers import CHECK, Harness, fill, start
from tests.bot.test_handlers import harness as harness  # the fixture, shared

# A whole check, as typed or tapped: no employer money (typed 0).
NO_EMPLOYER = {**CHECK, "employer": ("say", "0")}


async def test_a_completed_check_is_counted_once_however_often_edited(harness: Harness) -> None:
    await start(harness, 42)
    await fill(harness, 42, NO_EMPLOYER)
    assert harness.session(42).state == "done"
    assert harness.store.stats()["checks_completed"] == 1
    await harness.say(42, "/summary")
    await harness.tap(42, "v1:edit:age", harness.fake.last_question(42))
    await harness.say(42, "36")  # back to the result
    assert harness.session(42).state == "done"
    await harness.say(42, "/newplan")
    await harness.say(42, "/cancel")
    assert harness.store.stats()["checks_completed"] == 1
    await harness.say(42, "/restart")  # a new check may complete again
    assert harness.store.stats()["conversations_started"] == 1


async def test_a_typed_answer_after_myplans_edits_the_question_not_the_card(
    harness: Harness,
) -> None:
    await start(harness, 42)
    question = harness.fake.last_question(42)["message_id"]
    await harness.say(42, "/myplans")  # a reply without a question
    await harness.say(42, "/language")  # a menu with buttons, not a question
    await harness.say(42, "yes")
    [edit] = harness.fake.of("editMessageText", 42)
    assert int(edit.params["message_id"]) == question
    assert edit.params["text"].endswith("<b>→ Yes</b>")


async def test_leaving_a_setup_shows_the_check_again(harness: Harness) -> None:
    await start(harness, 42)
    await harness.tap(42, "v1:a:after_tax:yes")
    await harness.say(42, "/newplan")
    await harness.say(42, "/cancel")
    assert "Back to your own check:" in harness.fake.sent(42)[-1]
    question = harness.fake.last_question(42)["message_id"]
    await harness.say(42, "in-plan conversion")
    edit = harness.fake.of("editMessageText", 42)[-1]
    assert int(edit.params["message_id"]) == question
    assert harness.session(42).state == "auto_convert"


async def test_group_chats_get_one_line_and_nothing_is_stored(harness: Harness) -> None:
    update = harness.text_update(-100, "/start")
    update["message"]["chat"] = {"id": -100, "type": "group", "title": "Team"}
    await harness.process(update)
    [line] = harness.fake.sent(-100)
    assert "private chats" in line
    assert harness.store.load(-100) is None
    chatter = harness.text_update(-100, "my salary is 185000")
    chatter["message"]["chat"] = {"id": -100, "type": "group", "title": "Team"}
    await harness.process(chatter)
    assert len(harness.fake.sent(-100)) == 1  # plain messages in a group: ignored


async def test_replies_are_kept_while_telegram_is_unreachable(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await start(harness, 42)

    delivery = harness.megaroth.delivery
    assert delivery is not None
    monkeypatch.setattr(delivery, "kick", lambda chat_id: None)  # Telegram unreachable
    await harness.tap(42, "v1:a:after_tax:yes")
    await harness.tap(42, "v1:a:conversion:in_plan")  # the first update's replies wait
    owed = "\n".join(w.payload for w in harness.store.claim(Queue.OUTBOX, 100, chat_id=42))
    assert "after-tax money leave" in owed  # the conversion question, still owed
    assert "automatically" in owed  # and the auto-convert one


# ---------------------------------------------------------------- the store


def _fail_deletes(store: Store) -> None:
    def authorizer(action: int, *args: Any) -> int:
        return sqlite3.SQLITE_DENY if action == sqlite3.SQLITE_DELETE else sqlite3.SQLITE_OK

    store._db.set_authorizer(authorizer)


@pytest.mark.parametrize("job", ["forget", "prune"])
def test_a_failed_write_never_leaves_a_transaction_open(tmp_path: Path, job: str) -> None:
    store = Store(tmp_path / "bot.db")
    store.save(1, 1, '{"v":1}', (), None)
    _fail_deletes(store)
    with pytest.raises(sqlite3.DatabaseError):
        store.forget(1) if job == "forget" else store.prune(30, now=10**12)
    assert not store._db.in_transaction
    store._db.set_authorizer(None)
    store.save(2, 2, '{"v":1}', (), None)  # the next write works
    assert store.load(2) is not None
    assert store.load(1) is not None  # the failed job changed nothing
    store.close()


# ---------------------------------------------------------------- periodic jobs


async def test_a_failing_job_runs_again_and_stop_still_clears_the_heartbeat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    beat = tmp_path / "heartbeat"
    beat.write_text("{}")
    store = Store(tmp_path / "bot.db")
    calls: list[int] = []

    def broken_prune(retention_days: int, now: float | None = None) -> int:
        calls.append(retention_days)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "prune", broken_prune)
    monkeypatch.setattr("bot.ops.PRUNE_SECONDS", 0.01)
    settings = Settings(heartbeat_file=beat, metrics_interval=0)
    housekeeping = Housekeeping(settings, store, Metrics())
    housekeeping.start()
    await asyncio.sleep(0.2)
    await housekeeping.stop()  # does not raise
    assert len(calls) >= 3  # failed, logged, tried again
    assert not beat.exists()
    store.close()


def test_forged_tap_kinds_stay_out_of_logs() -> None:
    from bot.app import event_name
    from dialogs.replies import Choice, Command, Typed

    assert event_name(Choice("v1:a:age:40")) == "tap:a"
    assert event_name(Choice("v1:185000 salary:x")) == "tap:other"
    assert event_name(Choice("anything at all")) == "tap:other"
    assert event_name(Command("start", ("code",))) == "command:start"
    assert event_name(Command("mysalaryis185000")) == "command:other"
    assert event_name(Typed("185000")) == "answer"


def test_backup_into_a_missing_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot import __main__ as cli

    db = tmp_path / "bot.db"
    Store(db).close()
    monkeypatch.setenv("MEGAROTH_DB", str(db))
    assert cli.main(["backup", str(tmp_path / "no" / "such" / "dir" / "b.db")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("can't write ")


def test_today_is_us_time_not_utc() -> None:
    """7:30 pm on December 31 in New York is 00:30 on January 1 in UTC: still the year."""
    import datetime as dt

    from bot.config import today_in

    moment = dt.datetime(2027, 1, 1, 0, 30, tzinfo=dt.UTC)
    assert today_in(now=moment) == dt.date(2026, 12, 31)
    assert today_in("America/Los_Angeles", moment) == dt.date(2026, 12, 31)
    assert today_in("UTC", moment) == dt.date(2027, 1, 1)
    assert Settings(_env_file=None).timezone == "America/New_York"
    with pytest.raises(ValueError, match="IANA"):
        Settings(_env_file=None, timezone="Mars/Olympus")
