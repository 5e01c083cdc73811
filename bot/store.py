"""What the bot needs of a store: sessions, plan profiles, and two work queues.

The two queues are one pattern the store owns: **claim, act, mark done**.

- The **inbox** holds updates from Telegram. An update is written to it (durably) before
  Telegram is told it arrived (the next getUpdates offset, or the webhook's 200), then
  claimed, handled, and marked done in the same transaction that saves the session.
- The **outbox** holds Bot API calls still to make, one row per call. A chat's calls are
  claimed one at a time, in order; each is marked done as soon as Telegram accepted it,
  so a crash repeats at most the one call that was in flight.

`claim` hands out the oldest pending items, never an item another claimer holds, and
never items of one chat to two claimers at once (so a chat's items are acted on in
order). `done` removes an item; `set_aside` parks one that can't be acted on (an
unreadable row, say) so it never blocks its chat or start-up again. The SQLite store
keeps claims in the process's memory (one process per file); a PostgreSQL store shared
by replicas would claim with `SELECT ... FOR UPDATE SKIP LOCKED` plus a per-chat
advisory lock, and scheduled reminders would be a third queue whose items are due later
(`due`). The SQLite implementation is in `bot/sqlite_store.py`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from dialogs import Effect, PlanBook


class Queue(StrEnum):
    INBOX = "inbox"  # updates from Telegram, not yet handled
    OUTBOX = "outbox"  # Bot API calls, not yet made


@dataclass(frozen=True, slots=True)
class Stored:
    data: str  # the dialog session's JSON
    question_message_id: int | None  # the message whose buttons answer the current question


@dataclass(frozen=True, slots=True)
class NewWork:
    """An item to queue. `ref` identifies it across deliveries (the update id in the
    inbox): an item whose ref is already queued or done is not queued again."""

    chat_id: int
    payload: str
    ref: int | None = None


@dataclass(frozen=True, slots=True)
class Work:
    """A claimed item: act on it, then `done` or `set_aside` it."""

    queue: Queue
    seq: int  # the order items were queued in
    chat_id: int
    payload: str
    ref: int | None = None


class StoreError(Exception):
    """The database can't be opened; the message is the line to print."""


class WorkQueues(Protocol):
    """Claim, act, mark done: the inbox, the outbox, and later any other queue."""

    def put(self, queue: Queue, items: Sequence[NewWork], done_refs: Sequence[int] = ()) -> int:
        """Queue `items` durably in one transaction (skipping refs already queued or
        done); `done_refs` are recorded as done without being queued (an update that
        can't be read: confirmed and skipped). Returns how many were queued."""
        ...

    def claim(self, queue: Queue, limit: int, chat_id: int | None = None) -> list[Work]:
        """The oldest pending items (of one chat, if given), now held by this claimer."""
        ...

    def done(
        self, work: Work, *, question_message_id: int | None = None, scrub: bool = False
    ) -> None:
        """The item was acted on: remove it (an inbox item's update id is kept, so a
        redelivery is skipped). An outbox call that asked a question records its message
        (`question_message_id`); `scrub` pushes erased data out of the database files."""
        ...

    def set_aside(self, work: Work, reason: str) -> None:
        """Never claim this item again (kept, with `reason`, until the retention job)."""
        ...

    def release(self, work: Work) -> None:
        """Give a claimed item back untouched (its claimer is stopping)."""
        ...

    def pending(self, queue: Queue, chat_id: int | None = None) -> int:
        """How many items wait (set-aside ones not counted)."""
        ...

    def chats_pending(self, queue: Queue, limit: int, exclude: Collection[int] = ()) -> list[int]:
        """Chats with unclaimed items, the longest-waiting first."""
        ...


class ConversationStore(WorkQueues, PlanBook, Protocol):
    """What the bot needs of a store (SQLite in bot/sqlite_store.py; deploy/README.md says
    what a shared PostgreSQL one for two replicas would need). Plan profiles come with it
    (PlanBook)."""

    def load(self, chat_id: int) -> Stored | None: ...

    def was_handled(self, update_id: int) -> bool: ...

    def save(
        self,
        chat_id: int,
        update_id: int | None,
        data: str,
        outbox: Sequence[str],
        question_message_id: int | None,
        counters: tuple[str, ...] = (),
        effects: Iterable[Effect] = (),
    ) -> None:
        """One transaction: the session, the calls to make (queued in the outbox), the
        update marked done (out of the inbox, its id kept), aggregate counters, and the
        dialog's storage effects (a profile saved or deleted, a link start counted once
        for this chat)."""
        ...

    def finish_update(self, update_id: int, chat_id: int, outbox: Sequence[str] = ()) -> None:
        """Mark an update done that changed no session (ignored, or failed: `outbox` may
        carry an apology), in one transaction."""
        ...

    def forget(
        self,
        chat_id: int,
        update_id: int | None = None,
        outbox: Sequence[str] = (),
        effects: Iterable[Effect] = (),
    ) -> None:
        """Erase everything about this chat; keep handled update ids, unlinked from it;
        queue `outbox` (the confirmation) and apply `effects` (the person's profiles
        deleted) in the same transaction."""
        ...

    def count_start(self, code: str, person: int | None = None) -> None:
        """A check started through a profile's link; a person counts once per profile."""
        ...

    def legacy_outboxes(self) -> list[tuple[int, str]]:
        """Replies an older version kept in the session row, to move into the outbox."""
        ...

    def clear_legacy_outbox(self, chat_id: int) -> None: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def block(self, chat_id: int) -> None: ...

    def is_blocked(self, chat_id: int) -> bool: ...

    def unblock(self, chat_id: int) -> None: ...

    def prune(self, retention_days: int, now: float | None = None) -> int: ...

    def count_sessions(self) -> int: ...

    def count_plans(self) -> int: ...

    def close(self) -> None: ...
