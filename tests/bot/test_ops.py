"""Operations: the retention job, metrics, the heartbeat and health check, JSON logs,
start-up errors for each bad setting, and the operator commands."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import time
from pathlib import Path

import pytest

from bot import __main__ as cli
from bot.config import Settings
from bot.ops import (
    HEARTBEAT_STALE_SECONDS,
    Metrics,
    check_health,
    configure_logging,
    percentile,
    startup_line,
    write_heartbeat,
)
from bot.sqlite_store import Store

DAY = 86400.0
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def set_updated(db: Path, chat_id: int, when: float) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sessions SET updated = ? WHERE chat_id = ?", (when, chat_id))


# ---------------------------------------------------------------- the retention job


def test_retention_deletes_exactly_what_is_older_than_the_period(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    store = Store(db)
    now = 1_800_000_000.0
    ages = {1: 0.0, 2: 29 * DAY, 3: 30 * DAY - 1, 4: 30 * DAY, 5: 30 * DAY + 1, 6: 400 * DAY}
    for chat_id in ages:
        store.save(chat_id, None, '{"v":1}', (), None)
    for chat_id, age in ages.items():
        set_updated(db, chat_id, now - age)
    # Idle exactly 30 days is kept; a second more is not.
    assert store.prune(30, now=now) == 2
    with sqlite3.connect(db) as conn:
        left = sorted(row[0] for row in conn.execute("SELECT chat_id FROM sessions"))
    assert left == [1, 2, 3, 4]
    assert store.prune(30, now=now) == 0  # nothing more to do
    store.close()


def test_retention_drops_old_blocked_marks_and_update_ids(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    store.block(7)
    store.finish_update(99, 7)
    later = time.time() + 31 * DAY
    store.prune(30, now=later)
    assert not store.is_blocked(7)
    assert not store.was_handled(99)
    store.close()


def test_pruned_conversations_leave_the_file(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    store = Store(db)
    store.save(5, 1, '{"v":1,"secret":"Quixotic-Pay-Figure"}', (), None)
    set_updated(db, 5, 0.0)
    assert store.prune(30) == 1
    store.close()
    for file in tmp_path.iterdir():
        assert b"Quixotic-Pay-Figure" not in file.read_bytes(), file.name


# ---------------------------------------------------------------- metrics


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.90) == 90.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0
    assert percentile([], 0.5) is None


def test_a_report_counts_and_starts_a_new_window() -> None:
    metrics = Metrics()
    for ms in (1.0, 2.0, 3.0, 40.0):
        metrics.count("update")
        metrics.observe(ms)
    metrics.count("error")
    first = metrics.report()
    assert first["updates"] == 4
    assert first["errors"] == 1
    assert first["window_updates"] == 4
    assert first["p50_ms"] == 2.0
    assert first["max_ms"] == 40.0
    second = metrics.report()
    assert second["updates"] == 4  # counters run on
    assert second["window_updates"] == 0
    assert second["p99_ms"] is None


# ---------------------------------------------------------------- heartbeat and health


def test_health_follows_the_heartbeat(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    assert check_health(None)[0] is False
    healthy, why = check_health(beat)
    assert not healthy
    assert "no heartbeat" in why
    write_heartbeat(beat, "polling")
    healthy, why = check_health(beat)
    assert healthy
    assert why.startswith("ok: polling mode")
    written = json.loads(beat.read_text())["time"]
    assert check_health(beat, now=written + HEARTBEAT_STALE_SECONDS)[0] is True
    stale = check_health(beat, now=written + HEARTBEAT_STALE_SECONDS + 1)
    assert stale[0] is False
    assert "not polling or serving" in stale[1]
    beat.write_text("{half")
    assert check_health(beat) == (False, f"the heartbeat at {beat} is unreadable")


def test_health_command_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    beat = tmp_path / "heartbeat"
    monkeypatch.setenv("MEGAROTH_HEARTBEAT_FILE", str(beat))
    assert cli.main(["health"]) == 1
    write_heartbeat(beat, "webhook")
    assert cli.main(["health"]) == 0
    assert "ok: webhook mode" in capsys.readouterr().out


# ---------------------------------------------------------------- logs


def test_json_logs_are_one_object_per_line_without_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("MEGAROTH_LOG_FORMAT", "json")
    configure_logging(Settings())
    root = logging.getLogger()
    sink = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(sink)
    try:
        logging.getLogger("megaroth.bot").info(
            "update %s answer -> pay", 17, extra={"event": "answer", "update_id": 17}
        )
        logging.getLogger("telegram.ext").warning("calling https://x/bot%s/getMe", TOKEN)
    finally:
        root.removeHandler(handler)
    lines = sink.getvalue().strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["event"] == "answer"
    assert first["update_id"] == 17
    assert first["level"] == "INFO"
    assert TOKEN not in sink.getvalue()
    assert "<token>" in second["message"]


# ---------------------------------------------------------------- start-up errors


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "configuration error: TELEGRAM_BOT_TOKEN must look"),
        ({"TELEGRAM_BASE_URL": "ftp://x"}, "configuration error: TELEGRAM_BASE_URL must start"),
        ({"MEGAROTH_MODE": "carrier-pigeon"}, "configuration error: MEGAROTH_MODE Input should"),
        ({"MEGAROTH_PORT": "70000"}, "configuration error: MEGAROTH_PORT Input should be less"),
        ({"MEGAROTH_PORT": "http"}, "configuration error: MEGAROTH_PORT Input should be a valid"),
        ({"MEGAROTH_RETENTION_DAYS": "0"}, "configuration error: MEGAROTH_RETENTION_DAYS"),
        ({"MEGAROTH_ADMIN_IDS": "alice"}, "configuration error: MEGAROTH_ADMIN_IDS"),
        ({"MEGAROTH_LOG_LEVEL": "LOUD"}, "configuration error: MEGAROTH_LOG_LEVEL"),
        ({"MEGAROTH_LOG_FORMAT": "xml"}, "configuration error: MEGAROTH_LOG_FORMAT"),
        ({"MEGAROTH_METRICS_INTERVAL": "-1"}, "configuration error: MEGAROTH_METRICS_INTERVAL"),
        (
            {"MEGAROTH_WEBHOOK_SECRET": "has spaces"},
            "configuration error: MEGAROTH_WEBHOOK_SECRET",
        ),
        ({"MEGAROTH_BOT_USERNAME": "a b"}, "configuration error: MEGAROTH_BOT_USERNAME"),
        (
            {"TELEGRAM_BOT_TOKEN": TOKEN, "MEGAROTH_MODE": "webhook"},
            "configuration error: MEGAROTH_WEBHOOK_URL is needed in webhook mode",
        ),
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "MEGAROTH_MODE": "webhook",
                "MEGAROTH_WEBHOOK_URL": "https://bot.example.com/telegram",
            },
            "configuration error: MEGAROTH_WEBHOOK_SECRET is needed in webhook mode",
        ),
        (
            {"MEGAROTH_WEBHOOK_URL": "http://bot.example.com/telegram"},
            "configuration error: MEGAROTH_WEBHOOK_URL must be an https:// URL",
        ),
        ({"MEGAROTH_PLANS_FILE": "/nonexistent/plans.toml"}, "MEGAROTH_PLANS_FILE"),
    ],
)
def test_each_bad_setting_stops_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    line: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(line) or line in err[0], err[0]
    assert TOKEN not in err[0]
    assert "Traceback" not in err[0]


def test_an_unusable_database_path_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("MEGAROTH_DB", str(blocker / "sub" / "bot.db"))  # under a file
    assert cli.main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("configuration error: MEGAROTH_DB can't use ")


def test_the_startup_line_names_mode_store_and_server(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    settings = Settings(token=TOKEN, db=tmp_path / "bot.db", base_url="http://127.0.0.1:8081/bot")
    line = startup_line(settings, store, curated=2)
    assert "mode=long polling" in line
    assert f"store=SQLite {tmp_path / 'bot.db'}" in line
    assert "0 conversations, 0 plan profiles, 2 curated" in line
    assert "bot_api=http://127.0.0.1:8081/bot" in line
    assert TOKEN not in line
    store.close()


# ---------------------------------------------------------------- operator commands


def test_stats_backup_and_prune_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bot.db"
    monkeypatch.setenv("MEGAROTH_DB", str(db))
    assert cli.main(["stats"]) == 1  # no database yet
    store = Store(db)
    store.save(1, 10, '{"v":1}', (), None, ("conversations_started",))
    store.save(1, 11, '{"v":1}', (), None, ("checks_completed",))
    store.save(2, 12, '{"v":1}', (), None, ("conversations_started",))
    store.close()
    capsys.readouterr()
    assert cli.main(["stats"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats == {
        "conversations_started": 2, "checks_completed": 1, "plan_link_starts": 0,
        "conversations_stored": 2, "plan_profiles": 0, "curated_plan_profiles": 0,
        "updates_waiting": 0, "calls_waiting": 0, "set_aside": 0,
    }  # fmt: skip
    copy = tmp_path / "backup.db"
    assert cli.main(["backup", str(copy)]) == 0
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 2
    assert cli.main(["backup", str(copy)]) == 1  # never overwrites
    set_updated(db, 2, 0.0)
    capsys.readouterr()
    assert cli.main(["prune"]) == 0
    assert "deleted 1 conversations idle for over 30 days" in capsys.readouterr().out


def test_debug_level_never_turns_on_ptbs_update_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB logs whole updates (typed amounts) at DEBUG; our DEBUG is ours only."""
    monkeypatch.setenv("MEGAROTH_LOG_LEVEL", "DEBUG")
    configure_logging(Settings())
    try:
        assert logging.getLogger("megaroth.bot").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram.ext.Application").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram.Bot").isEnabledFor(logging.DEBUG)
    finally:
        logging.getLogger().handlers.clear()
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("telegram").setLevel(logging.NOTSET)
