"""Long polling that confirms an update only once it is in the inbox.

PTB's `Updater` asks for the next batch (`offset = last + 1`, which tells Telegram the
last batch arrived) as soon as it has put the previous one on its in-memory queue,
before any handler ran; it also parses a whole batch at once, so one update it can't
parse makes it fetch the same batch again and again. This loop does what it must
instead: each batch goes into the inbox (`bot.inbox.receive`, one transaction, each
update parsed on its own) before the offset moves past it; a full inbox pauses polling
(Telegram keeps the rest); and the heartbeat counts only polls whose answer parsed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram.error import InvalidToken, RetryAfter, TelegramError

from bot.delivery import retry_seconds
from bot.inbox import Received, receive
from bot.ops import Metrics
from bot.store import ConversationStore, Queue

_LOGGER = logging.getLogger("megaroth.polling")
POLL_SECONDS = 10  # how long one getUpdates waits for something to arrive
BACKLOG = 2_000  # updates waiting in the inbox before polling pauses


class Poller:
    """getUpdates in a loop, into the inbox."""

    def __init__(
        self,
        bot: Any,
        store: ConversationStore,
        metrics: Metrics,
        on_arrival: Callable[[Received], None],
        *,
        allowed_updates: Sequence[str],
        max_delay: float = 30.0,
        backlog: int = BACKLOG,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.store = store
        self.metrics = metrics
        self.on_arrival = on_arrival
        self.allowed_updates = list(allowed_updates)
        self.max_delay = max_delay
        self.backlog = backlog
        self.sleep = sleep
        self.offset: int | None = None
        self.room = asyncio.Event()  # set by the dispatcher as the inbox empties

    async def run(self) -> None:
        """Until cancelled; InvalidToken (the token was revoked) ends it."""
        delay = min(0.5, self.max_delay)
        while True:
            if self.store.pending(Queue.INBOX) >= self.backlog:
                self.room.clear()
                await self.room.wait()
                continue
            try:
                result = await self._get_updates()
                if not isinstance(result, list):
                    raise TypeError("getUpdates did not answer a list")
            except InvalidToken:
                raise
            except RetryAfter as error:
                await self.sleep(retry_seconds(error))
                continue
            except (TelegramError, TypeError, ValueError) as error:
                _LOGGER.warning(
                    "polling failed (%s); retrying in %.1fs",
                    type(error).__name__,
                    delay,
                    extra={"event": "poll_error", "error": type(error).__name__},
                )
                await self.sleep(delay)
                delay = min(delay * 2, self.max_delay)
                continue
            delay = min(0.5, self.max_delay)
            self.take(result)

    def take(self, result: list[Any]) -> None:
        """One poll's answer: into the inbox, then the offset past it."""
        received = receive(self.store, result, self.bot)
        self.metrics.last_poll = time.monotonic()  # a poll that parsed, stored
        if received.seen:
            self.offset = max(received.seen) + 1
            self.on_arrival(received)

    async def _get_updates(self) -> Any:
        parameters: dict[str, Any] = {
            "timeout": POLL_SECONDS,
            "allowed_updates": self.allowed_updates,
        }
        if self.offset is not None:
            parameters["offset"] = self.offset
        # The raw JSON, so that each update is parsed on its own (Bot.get_updates parses
        # the batch whole); bot/app.py filters PTB's warning about this use.
        return await self.bot.do_api_request(
            "getUpdates", api_kwargs=parameters, read_timeout=POLL_SECONDS + 10.0
        )
