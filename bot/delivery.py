"""Delivering the outbox: each chat's calls in order, chats concurrently, nothing given up.

A chat's drain claims its oldest call, makes it, and marks it done before the next, so a
crash repeats at most the call that was in flight. Telegram's rules: a 429 waits exactly
the `retry_after` it names, however often it comes; a 5xx, a timeout or a dropped
connection backs off (doubling up to `max_delay`) and tries again, however long Telegram
is away; a 403 means the person blocked the bot (the chat's calls are dropped); a 400 is
a call Telegram will never take (logged by class, skipped). An unreadable row is set
aside, so it never holds up its chat.

A drain starts right after an update is handled (`kick`); a background job starts one
for every chat with calls still waiting (left by a crash, or by a drain that was full),
at most `concurrency` at once, so a start-up backlog drains alongside new conversations.

The retry loop is written here rather than taken from a retry library (tenacity,
stamina, backoff): Telegram's 429 is "wait exactly this long, with no cap on attempts",
which those model as a custom wait plus an unbounded stop, and the loop is shorter than
the configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot import outbox
from bot.ops import Metrics
from bot.store import ConversationStore, Queue, Work
from dialogs import MAX_CAPTION, qr_png, render_bucket_chart, render_paycheck_chart

_LOGGER = logging.getLogger("megaroth.delivery")

# Charts (the bucket, the paycheck plan) and QR codes are drawn off the event loop, one at
# a time: each render holds about 10 MB, and asyncio's default pool (up to 32 threads) let
# a burst of results take the peak from 93 to 146 MB in benchmarks/bench_bot.py, for no
# gain in throughput.
_RENDERER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="megaroth-render")
HTML_DEFAULTS = {"parse_mode": "HTML", "link_preview_options": {"is_disabled": True}}
SWEEP_SECONDS = 5.0  # the background job looks for waiting calls at least this often


class _Blocked(Exception):
    """The person blocked the bot: the chat's calls are dropped."""


async def api(bot: Any, method: str, params: dict[str, Any]) -> Any:
    """One Bot API call returning Telegram's JSON result (a dict, or True).

    sendMessage and editMessageText go through Bot.do_api_request, which PTB documents
    but warns about for methods it wraps (the warning is filtered in bot/app.py). The
    wrapped methods build a full Message object from every reply, which this bot never
    reads (it needs the message id at most); skipping that took the bot's CPU per input
    from 4.7-5.0 to 3.4-3.8 ms in benchmarks/bench_bot.py. Errors (RetryAfter,
    Forbidden, BadRequest...) are raised exactly as by the wrapped methods.
    """
    return await bot.do_api_request(method, api_kwargs={**params, **HTML_DEFAULTS})


def retry_seconds(error: RetryAfter) -> float:
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


class Delivery:
    """The outbox's drains, and the background job that keeps them going."""

    def __init__(
        self,
        store: ConversationStore,
        bot: Any,
        metrics: Metrics,
        *,
        concurrency: int = 64,
        max_delay: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.store = store
        self.bot = bot
        self.metrics = metrics
        self.concurrency = concurrency
        self.max_delay = max_delay
        self.sleep = sleep
        self._drains: dict[int, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopped = False

    # ------------------------------------------------------------ starting drains

    def kick(self, chat_id: int) -> None:
        """A chat has new calls: drain it now if there is room, else the job will."""
        if self._stopped or chat_id in self._drains:
            return  # its drain claims the new calls after the ones before them
        if len(self._drains) >= self.concurrency:
            self._wake.set()
            return
        self._start(chat_id)

    def _start(self, chat_id: int) -> None:
        self._idle.clear()
        task = asyncio.create_task(self._drain(chat_id), name=f"megaroth-drain-{chat_id}")
        self._drains[chat_id] = task
        task.add_done_callback(partial(self._finished, chat_id))

    def _finished(self, chat_id: int, _task: object = None) -> None:
        self._drains.pop(chat_id, None)
        if not self._drains:
            self._idle.set()
        self._wake.set()  # a slot is free: the job looks for waiting chats

    def sweep(self) -> int:
        """Start drains for chats with waiting calls, as far as there is room."""
        room = self.concurrency - len(self._drains)
        if room <= 0 or self._stopped:
            return 0
        chats = self.store.chats_pending(Queue.OUTBOX, room, exclude=self._drains.keys())
        for chat_id in chats:
            self._start(chat_id)
        return len(chats)

    async def run(self) -> None:
        """The background job: every waiting outbox, drained (until cancelled)."""
        while not self._stopped:
            self._wake.clear()
            try:
                self.sweep()
            except Exception as error:  # the store is having a moment: the next round
                _LOGGER.error(
                    "outbox sweep failed: %s", type(error).__name__, extra={"event": "sweep_error"}
                )
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
            # cancellation that comes as the event is set (a drain ending at stop).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SWEEP_SECONDS):
                    await self._wake.wait()

    async def settle(self) -> None:
        """Wait until no drain is running (tests, and a clean stop)."""
        while self._drains:
            await self._idle.wait()
            await asyncio.sleep(0)  # let a drain started meanwhile register

    async def stop(self) -> None:
        """Cancel every drain; what they had not sent stays in the outbox."""
        self._stopped = True
        self._wake.set()
        drains = list(self._drains.values())
        for task in drains:
            task.cancel()
        for task in drains:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # ------------------------------------------------------------ one chat

    async def _drain(self, chat_id: int) -> None:
        blocked = False
        while True:
            claimed = self.store.claim(Queue.OUTBOX, 1, chat_id=chat_id)
            if not claimed:
                return
            [work] = claimed
            if blocked:
                self.store.done(work)
                continue
            try:
                call = outbox.parse(work.payload)
            except ValueError as error:
                self._set_aside(work, error)
                continue
            try:
                asked = await self._make(chat_id, call)
            except _Blocked:
                _LOGGER.info("chat blocked the bot; its replies are dropped")
                self.store.block(chat_id)
                blocked = True
                self.store.done(work)
                continue
            except asyncio.CancelledError:
                self.store.release(work)
                raise
            except Exception as error:  # e.g. a chart that can't be drawn from this row
                self._set_aside(work, error)
                continue
            scrub = isinstance(call, outbox.Send) and call.erased  # /forget's confirmation
            self.store.done(work, question_message_id=asked, scrub=scrub)
            self.metrics.count("call")

    def _set_aside(self, work: Work, error: Exception) -> None:
        self.metrics.count("set_aside")
        _LOGGER.error(
            "outbox row set aside: %s",
            type(error).__name__,
            extra={"event": "set_aside", "error": type(error).__name__},
        )
        self.store.set_aside(work, type(error).__name__)

    async def _make(self, chat_id: int, call: outbox.Call) -> int | None:
        """Make one call; returns the message id if this message asks the question."""
        bot = self.bot
        if isinstance(call, outbox.Edit):
            message_id = call.message_id
            if message_id is None:
                stored = self.store.load(chat_id)
                message_id = stored.question_message_id if stored else None
            if message_id is not None:
                params: dict[str, Any] = {
                    "chat_id": chat_id, "message_id": message_id, "text": call.text
                }  # fmt: skip
                if call.buttons:
                    params["reply_markup"] = keyboard(call.buttons)
                await self._call(lambda: api(bot, "editMessageText", params), quiet=True)
                return message_id if call.buttons else None  # a re-ask: it still asks
            return None
        if isinstance(call, outbox.Send):
            send: dict[str, Any] = {"chat_id": chat_id, "text": call.text}
            if call.buttons:
                send["reply_markup"] = keyboard(call.buttons)
            sent = await self._call(lambda: api(bot, "sendMessage", send))
            if call.asks and isinstance(sent, dict) and "message_id" in sent:
                return int(sent["message_id"])
            return None
        if isinstance(call, outbox.Chart):
            chart = outbox.chart_from_json(call.chart)
            await self._photo(chat_id, partial(render_bucket_chart, chart), chart.title)
        elif isinstance(call, outbox.PlanChart):
            plan = outbox.plan_chart_from_json(call.chart)
            await self._photo(chat_id, partial(render_paycheck_chart, plan), plan.title)
        else:
            await self._photo(chat_id, partial(qr_png, call.link), call.caption)
        return None

    async def _photo(self, chat_id: int, draw: Callable[[], bytes], caption: str) -> None:
        """sendPhoto of a picture drawn in the renderer thread, under its caption (cut to
        Telegram's limit; none when empty)."""
        png = await asyncio.get_running_loop().run_in_executor(_RENDERER, draw)
        label = caption[:MAX_CAPTION] or None
        bot = self.bot
        await self._call(lambda: bot.send_photo(chat_id=chat_id, photo=png, caption=label))

    async def _call(self, make: Callable[[], Awaitable[Any]], quiet: bool = False) -> Any:
        """One Bot API call, tried until Telegram takes it or refuses it for good."""
        delay = min(0.5, self.max_delay)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await make()
            except RetryAfter as error:
                seconds = retry_seconds(error)
                self.metrics.count("retry")
                _LOGGER.warning(
                    "flood limit: retrying in %.1fs (attempt %d)",
                    seconds,
                    attempt,
                    extra={"event": "retry_after", "seconds": seconds, "attempt": attempt},
                )
                await self.sleep(seconds)
            except Forbidden:
                raise _Blocked() from None
            except BadRequest as error:
                # e.g. "message is not modified", or an edit of a message that is gone.
                _LOGGER.log(
                    logging.DEBUG if quiet else logging.WARNING,
                    "bad request: %s",
                    type(error).__name__,
                )
                return None
            except TelegramError as error:  # 5xx, timeouts, dropped connections...
                self.metrics.count("retry")
                _LOGGER.warning(
                    "network error %s; retrying in %.1fs (attempt %d)",
                    type(error).__name__,
                    delay,
                    attempt,
                    extra={"event": "retry", "error": type(error).__name__, "attempt": attempt},
                )
                await self.sleep(delay)
                delay = min(delay * 2, self.max_delay)


def keyboard(rows: outbox.Buttons) -> dict[str, Any]:
    """An inline keyboard: callback buttons, and link buttons (label, "", https url)."""
    return {
        "inline_keyboard": [
            [
                {"text": b[0], "url": b[2]}
                if len(b) == 3
                else {"text": b[0], "callback_data": b[1]}
                for b in row
            ]
            for row in rows
        ]
    }
