"""The inbox: updates in, durably, before Telegram hears they arrived; then handled.

`receive` is the one way in, for polling and the webhook alike: it reads each update on
its own (one PTB can't parse is confirmed and skipped, logged by its id and the error's
class, never its content) and writes the batch to the store in one transaction. Only
after it returns does the poller ask for the next offset or the webhook answer 200.

`Dispatcher` claims what the inbox holds, oldest first, at most `capacity` updates in
memory at once, and runs each through the application (its processor keeps one chat's
updates in order). A handled update leaves the inbox in the transaction that saves its
session; what a crash left is claimed again at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.store import ConversationStore, NewWork, Queue, Work

_LOGGER = logging.getLogger("megaroth.inbox")


@dataclass
class Received:
    """What one batch brought: every update id seen (the unreadable ones too: they are
    confirmed and skipped), and the updates as parsed, so they are not parsed again."""

    seen: list[int] = field(default_factory=list)
    parsed: dict[int, Update] = field(default_factory=dict)


def receive(store: ConversationStore, raw_updates: Iterable[Any], bot: Any) -> Received:
    """Write what Telegram sent into the inbox, in one transaction."""
    received = Received()
    items: list[NewWork] = []
    unreadable: list[int] = []
    for raw in raw_updates:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int):
            _LOGGER.warning("an update without an id was ignored", extra={"event": "no_id"})
            continue
        received.seen.append(update_id)
        try:
            update = Update.de_json(raw, bot)
        except Exception as error:
            _LOGGER.warning(
                "update %s can't be read (%s): confirmed and skipped",
                update_id,
                type(error).__name__,
                extra={"event": "unreadable_update", "update_id": update_id,
                       "error": type(error).__name__},
            )  # fmt: skip
            unreadable.append(update_id)
            continue
        chat = update.effective_chat
        payload = json.dumps(raw, separators=(",", ":"), ensure_ascii=False)
        items.append(NewWork(chat.id if chat is not None else 0, payload, ref=update_id))
        received.parsed[update_id] = update
    if items or unreadable:
        store.put(Queue.INBOX, items, unreadable)
    return received


class Dispatcher:
    """Handles what the inbox holds, a bounded number of updates at a time."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        store: ConversationStore,
        capacity: int = 256,
    ) -> None:
        self.application = application
        self.store = store
        self.capacity = min(capacity, application.update_processor.max_concurrent_updates)
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self.on_room: Callable[[], None] | None = None  # an update left the inbox
        # Updates as intake parsed them (Update.de_json costs ~0.8 ms for a tap): used
        # once when claimed; bounded, and anything missing is parsed from the inbox row.
        self._parsed: dict[int, Update] = {}

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def wake(self) -> None:
        """Something new is in the inbox (or a slot came free)."""
        self._wake.set()

    def arrived(self, received: Received) -> None:
        """A batch is in the inbox: remember how it parsed, and get to it."""
        if len(self._parsed) >= 4 * self.capacity:  # left by redeliveries never claimed
            self._parsed.clear()
        self._parsed.update(received.parsed)
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            room = self.capacity - len(self._tasks)
            claimed = self.store.claim(Queue.INBOX, room) if room > 0 else []
            for work in claimed:
                update = self._parse(work)
                if update is not None:
                    task = asyncio.create_task(self._process(work, update))
                    self._tasks.add(task)
                    task.add_done_callback(self._finished)
            if len(claimed) < room or room <= 0:
                await self._wake.wait()

    def _parse(self, work: Work) -> Update | None:
        parsed = self._parsed.pop(work.ref, None) if work.ref is not None else None
        if parsed is not None:
            return parsed
        try:
            return Update.de_json(json.loads(work.payload), self.application.bot)
        except Exception as error:  # written by another version, say
            _LOGGER.error(
                "inbox row %s set aside: %s",
                work.ref,
                type(error).__name__,
                extra={"event": "set_aside", "update_id": work.ref},
            )
            self.store.set_aside(work, type(error).__name__)
            return None

    async def _process(self, work: Work, update: Update) -> None:
        application = self.application
        try:
            await application.update_processor.process_update(
                update, application.process_update(update)
            )
        except Exception as error:  # handler errors go to on_error; this is the rest
            _LOGGER.error(
                "update %s not finished: %s",
                work.ref,
                type(error).__name__,
                extra={"event": "error", "update_id": work.ref},
            )

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._wake.set()
        if self.on_room is not None:
            self.on_room()

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Claim nothing more; let the updates in progress finish (within `timeout`)."""
        self._stopping = True
        self._wake.set()
        if self._tasks:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await asyncio.gather(*self._tasks, return_exceptions=True)
