"""Running the bot: structured logs, metrics, the heartbeat the health check reads, and
the hourly retention job.

Logs are one line per event. In JSON (MEGAROTH_LOG_FORMAT=json, via python-json-logger)
each line carries `event` and, for updates, `update_id`; never message text or amounts:
the dialog's log calls name only classes, states and commands, and the token is
redacted from every record whoever logs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from bot.config import Settings
from bot.store import ConversationStore

_LOGGER = logging.getLogger("megaroth.ops")
HEARTBEAT_STALE_SECONDS = 90.0  # the health check fails past this (3+ missed beats)
POLL_STALE_SECONDS = 60.0  # getUpdates long-polls for 10 s; 60 s without one is stuck
PRUNE_SECONDS = 3600.0


# ---------------------------------------------------------------- logs


class RedactToken(logging.Filter):
    """Belt and braces: no log line can carry the token, whoever logs it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = ()
        if record.exc_info:  # a traceback may quote a URL: format it here, redacted
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        if record.stack_info and self.token in record.stack_info:
            record.stack_info = record.stack_info.replace(self.token, "<token>")
        return True


def redact_uncaught(token: str) -> None:
    """Print any uncaught exception as Python would, with the token replaced: the
    default hooks print a traceback whose messages may quote a URL that carries it."""

    def show(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, error, tb))
        sys.stderr.write(text.replace(token, "<token>"))

    def show_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            show(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = show
    threading.excepthook = show_thread


def configure_logging(settings: Settings) -> None:
    """Text or JSON lines on stderr; noisy or URL-logging libraries turned down."""
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if settings.token is not None:
        handler.addFilter(RedactToken(settings.token.get_secret_value()))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # python-telegram-bot logs whole updates and request parameters (what people typed,
    # amounts) at DEBUG: even MEGAROTH_LOG_LEVEL=DEBUG keeps its loggers at INFO.
    logging.getLogger("telegram").setLevel(max(logging.INFO, root.level))
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token
    logging.getLogger("aiohttp").setLevel(logging.WARNING)
    logging.getLogger("transitions").setLevel(logging.WARNING)  # a line per state change


# ---------------------------------------------------------------- metrics


def percentile(ordered: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not ordered:
        return None
    rank = max(1, min(len(ordered), int(fraction * len(ordered) + 0.999999)))
    return ordered[rank - 1]


@dataclass
class Metrics:
    """Counts since start and handling times since the last report."""

    started: float = field(default_factory=time.monotonic)
    events: Counter[str] = field(default_factory=Counter)
    window: list[float] = field(default_factory=list)  # ms, since the last report
    last_poll: float | None = None  # monotonic time of the last successful getUpdates

    def count(self, event: str) -> None:
        self.events[event] += 1

    def observe(self, milliseconds: float) -> None:
        self.window.append(milliseconds)
        if len(self.window) > 100_000:  # a bounded window, whatever the interval
            del self.window[: len(self.window) // 2]

    def report(self) -> dict[str, Any]:
        """The counters and this window's latency percentiles; starts a new window."""
        ordered = sorted(self.window)
        self.window = []
        return {
            "uptime_s": round(time.monotonic() - self.started),
            "updates": self.events["update"],
            "redeliveries": self.events["redelivery"],
            "errors": self.events["error"],
            "retries": self.events["retry"],
            "completions": self.events["completion"],
            "window_updates": len(ordered),
            "p50_ms": _rounded(percentile(ordered, 0.50)),
            "p90_ms": _rounded(percentile(ordered, 0.90)),
            "p99_ms": _rounded(percentile(ordered, 0.99)),
            "max_ms": _rounded(ordered[-1] if ordered else None),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# ---------------------------------------------------------------- heartbeat and health


def write_heartbeat(path: Path, mode: str) -> None:
    """Atomically replace the heartbeat file (a reader never sees half a file)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(
        json.dumps({"time": time.time(), "mode": mode, "pid": os.getpid()}), encoding="utf-8"
    )
    os.replace(temporary, path)


def check_health(path: Path | None, now: float | None = None) -> tuple[bool, str]:
    """Is the bot alive and really polling or serving? From its heartbeat file."""
    if path is None:
        return False, "no MEGAROTH_HEARTBEAT_FILE set, so there is nothing to check"
    try:
        beat = json.loads(path.read_text(encoding="utf-8"))
        written = float(beat["time"])
    except FileNotFoundError:
        return False, f"no heartbeat at {path} yet: starting, or not running"
    except (OSError, ValueError, KeyError, TypeError):
        return False, f"the heartbeat at {path} is unreadable"
    age = (time.time() if now is None else now) - written
    if age > HEARTBEAT_STALE_SECONDS:
        return False, f"the last heartbeat is {age:.0f} s old: not polling or serving"
    return True, f"ok: {beat.get('mode', '?')} mode, heartbeat {max(age, 0):.0f} s ago"


async def _webhook_listening(settings: Settings) -> bool:
    host = "127.0.0.1" if settings.listen in ("0.0.0.0", "::", "") else settings.listen
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, settings.port), timeout=2.0
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


class Housekeeping:
    """The bot's periodic work, as asyncio tasks started after start-up: the heartbeat
    (only while Telegram is really being polled, or the webhook port really listens),
    the metrics line, and the retention job."""

    def __init__(self, settings: Settings, store: ConversationStore, metrics: Metrics) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        if self.settings.heartbeat_file is not None:
            self.tasks.append(asyncio.create_task(self._heartbeat(self.settings.heartbeat_file)))
        if self.settings.metrics_interval:
            self.tasks.append(asyncio.create_task(self._metrics(self.settings.metrics_interval)))
        self.tasks.append(asyncio.create_task(self._prune()))

    async def stop(self) -> None:
        try:
            for task in self.tasks:
                task.cancel()
            for task in self.tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            self.tasks = []
        finally:
            path = self.settings.heartbeat_file
            if path is not None:
                with contextlib.suppress(OSError):
                    path.unlink()  # stopped: the health check must not see a fresh beat

    async def healthy(self) -> bool:
        if self.settings.mode == "webhook":
            return await _webhook_listening(self.settings)
        last = self.metrics.last_poll
        return last is not None and time.monotonic() - last < POLL_STALE_SECONDS

    async def _heartbeat(self, path: Path) -> None:
        while True:
            try:
                if await self.healthy():
                    await asyncio.to_thread(write_heartbeat, path, self.settings.mode)
                elif time.monotonic() - self.metrics.started > POLL_STALE_SECONDS:
                    _LOGGER.warning("not healthy: no heartbeat", extra={"event": "unhealthy"})
            except Exception as error:
                _failed("heartbeat", error)
            await asyncio.sleep(self.settings.heartbeat_interval)

    async def _metrics(self, interval: int) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                figures = self.metrics.report()
                figures["sessions"] = await asyncio.to_thread(self.store.count_sessions)
                _LOGGER.info(
                    "metrics %s",
                    " ".join(f"{k}={v}" for k, v in figures.items()),
                    extra={"event": "metrics", **figures},
                )
            except Exception as error:  # the next interval tries again
                _failed("metrics", error)

    async def _prune(self) -> None:
        while True:
            await asyncio.sleep(PRUNE_SECONDS)
            try:
                gone = await asyncio.to_thread(self.store.prune, self.settings.retention_days)
                _LOGGER.info(
                    "retention: deleted %d idle conversations",
                    gone,
                    extra={"event": "prune", "deleted": gone},
                )
            except Exception as error:  # the next hour tries again
                _failed("prune", error)


def _failed(job: str, error: Exception) -> None:
    """A periodic job failed this time: say which and why (the class), and carry on."""
    _LOGGER.error("%s job failed: %s", job, type(error).__name__, extra={"event": f"{job}_error"})


def startup_line(settings: Settings, store: ConversationStore, curated: int) -> str:
    """Which mode, which store, which Bot API server: the first thing an operator reads."""
    server = settings.base_url or "https://api.telegram.org/bot (Telegram)"
    where = f"{settings.webhook_url} on {settings.listen}:{settings.port}"
    mode = f"webhook {where}" if settings.mode == "webhook" else "long polling"
    return (
        f"megaroth starting: mode={mode}; store=SQLite {settings.db.resolve()} "
        f"({store.count_sessions()} conversations, {store.count_plans()} plan profiles, "
        f"{curated} curated); bot_api={server}; retention={settings.retention_days} days"
    )
