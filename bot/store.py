"""SQLite storage: sessions, handled update ids, the message that asked each question,
and HR plan profiles (owner NULL: curated by the operator; a start count, never who).

One file in WAL mode, written through on every handled update: the session and the
update's id are saved in one transaction *before* any reply goes out, so a crash at any
moment either loses the whole update (Telegram redelivers it) or keeps it whole (and
the redelivery is recognised by its id and skipped). `secure_delete` overwrites erased
rows, and `/forget` checkpoints the WAL, so erased data does not linger in the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dialogs import CountStart, DeletePlan, Effect, PlanAnswers, PlanBook, PlanProfile, SavePlan

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    chat_id INTEGER PRIMARY KEY,
    data TEXT NOT NULL,
    outbox TEXT NOT NULL DEFAULT '[]',
    question_message_id INTEGER,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS handled_updates (
    update_id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    handled REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS handled_updates_chat ON handled_updates (chat_id);
CREATE TABLE IF NOT EXISTS blocked_chats (
    chat_id INTEGER PRIMARY KEY,
    since REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    code TEXT PRIMARY KEY,
    owner_id INTEGER,
    name TEXT NOT NULL,
    answers TEXT NOT NULL,
    updated TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    starts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS plans_owner ON plans (owner_id);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
COUNTERS = ("conversations_started", "checks_completed", "plan_link_starts")  # aggregates
HANDLED_KEEP_SECONDS = 2 * 24 * 3600  # Telegram keeps unconfirmed updates about 24 h


@dataclass(frozen=True, slots=True)
class Stored:
    data: str  # the dialog session's JSON
    outbox: str  # JSON list of replies not yet delivered
    question_message_id: int | None  # the message whose buttons answer the current question


class StoreError(Exception):
    """The database can't be opened; the message is the line to print."""


def open_store(path: Path) -> Store:
    """The SQLite file, or StoreError with one line saying why it can't be used."""
    try:
        return Store(path)
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        line = f"configuration error: MEGAROTH_DB can't use {path}: {reason}"
        raise StoreError(line) from None


class ConversationStore(PlanBook, Protocol):
    """What the bot needs of a store (SQLite below; deploy/README.md says what a shared
    PostgreSQL one for two replicas would need). Plan profiles come with it (PlanBook)."""

    def load(self, chat_id: int) -> Stored | None: ...

    def was_handled(self, update_id: int) -> bool: ...

    def save(
        self,
        chat_id: int,
        update_id: int | None,
        data: str,
        outbox: str,
        question_message_id: int | None,
        counters: tuple[str, ...] = (),
        effects: Iterable[Effect] = (),
    ) -> None: ...

    def delivered(self, chat_id: int, question_message_id: int | None) -> None: ...

    def chats_with_outbox(self) -> list[int]: ...

    def forget(
        self, chat_id: int, update_id: int | None = None, effects: Iterable[Effect] = ()
    ) -> None: ...

    def block(self, chat_id: int) -> None: ...

    def is_blocked(self, chat_id: int) -> bool: ...

    def unblock(self, chat_id: int) -> None: ...

    def prune(self, retention_days: int, now: float | None = None) -> int: ...

    def count_sessions(self) -> int: ...

    def count_plans(self) -> int: ...

    def close(self) -> None: ...


class Store:
    """The bot's SQLite file. Thread-safe; calls are short and made from one event loop."""

    def __init__(self, path: Path | str) -> None:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the lock: committed whole, or rolled back whole
        (never left open, which would fail every later write)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def load(self, chat_id: int) -> Stored | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data, outbox, question_message_id FROM sessions WHERE chat_id = ?",
                (chat_id,),
            ).fetchone()
        return None if row is None else Stored(row[0], row[1], row[2])

    def was_handled(self, update_id: int) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM handled_updates WHERE update_id = ?", (update_id,)
            ).fetchone()
        return row is not None

    def save(
        self,
        chat_id: int,
        update_id: int | None,
        data: str,
        outbox: str,
        question_message_id: int | None,
        counters: tuple[str, ...] = (),
        effects: Iterable[Effect] = (),
    ) -> None:
        """The session, its replies still to send, the update's id and the dialog's
        storage effects (profiles saved, deleted, counted): one transaction.
        `counters` names aggregate counts this update adds one to (never who)."""
        now = time.time()
        with self._transaction() as db:
            self._apply(db, effects)
            db.execute(
                "INSERT INTO sessions (chat_id, data, outbox, question_message_id, updated) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
                "data = excluded.data, outbox = excluded.outbox, "
                "question_message_id = excluded.question_message_id, "
                "updated = excluded.updated",
                (chat_id, data, outbox, question_message_id, now),
            )
            if update_id is not None:
                db.execute(
                    "INSERT OR IGNORE INTO handled_updates VALUES (?, ?, ?)",
                    (update_id, chat_id, now),
                )
            for name in counters:
                self._bump(name)

    def delivered(self, chat_id: int, question_message_id: int | None) -> None:
        """The outbox is out; remember which message now asks the question."""
        with self._lock:
            self._db.execute(
                "UPDATE sessions SET outbox = '[]', "
                "question_message_id = COALESCE(?, question_message_id) WHERE chat_id = ?",
                (question_message_id, chat_id),
            )

    def chats_with_outbox(self) -> list[int]:
        with self._lock:
            rows = self._db.execute("SELECT chat_id FROM sessions WHERE outbox != '[]'")
            return [int(row[0]) for row in rows.fetchall()]

    def mark_handled(self, update_id: int, chat_id: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO handled_updates VALUES (?, ?, ?)",
                (update_id, chat_id, time.time()),
            )

    def forget(
        self, chat_id: int, update_id: int | None = None, effects: Iterable[Effect] = ()
    ) -> None:
        """Erase everything about this chat (and the profiles the effects delete), and
        push it out of the WAL too."""
        with self._transaction() as db:
            self._apply(db, effects)
            db.execute("DELETE FROM sessions WHERE chat_id = ?", (chat_id,))
            db.execute("DELETE FROM handled_updates WHERE chat_id = ?", (chat_id,))
            db.execute("DELETE FROM blocked_chats WHERE chat_id = ?", (chat_id,))
            if update_id is not None:  # remember the /forget itself, with no chat attached
                db.execute(
                    "INSERT OR IGNORE INTO handled_updates VALUES (?, 0, ?)",
                    (update_id, time.time()),
                )
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def block(self, chat_id: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO blocked_chats VALUES (?, ?)", (chat_id, time.time())
            )

    def is_blocked(self, chat_id: int) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM blocked_chats WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return row is not None

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM blocked_chats WHERE chat_id = ?", (chat_id,))

    def prune(self, retention_days: int, now: float | None = None) -> int:
        """The retention job: drop conversations idle for longer than `retention_days`
        (exactly: idle for the whole period is kept, a second more is not), blocked-chat
        marks as old, and update ids Telegram can no longer resend. Returns how many
        conversations went."""
        now = time.time() if now is None else now
        cutoff = now - retention_days * 86400
        with self._transaction() as db:
            gone = db.execute("DELETE FROM sessions WHERE updated < ?", (cutoff,)).rowcount
            db.execute("DELETE FROM blocked_chats WHERE since < ?", (cutoff,))
            db.execute(
                "DELETE FROM handled_updates WHERE handled < ?", (now - HANDLED_KEEP_SECONDS,)
            )
        if gone:
            with self._lock:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # out of the WAL too
        return int(gone)

    # ------------------------------------------------------------ plan profiles (PlanBook)

    _PLAN_COLUMNS = "code, owner_id, name, answers, updated, verified, starts"

    @staticmethod
    def _plan(row: tuple[object, ...]) -> PlanProfile:
        code, owner_id, name, answers, updated, verified, starts = row
        return PlanProfile(
            code=str(code),
            owner_id=None if owner_id is None else int(str(owner_id)),
            name=str(name),
            answers=PlanAnswers.model_validate_json(str(answers)),
            updated=dt.date.fromisoformat(str(updated)),
            verified=bool(verified),
            starts=int(str(starts)),
        )

    def get_plan(self, code: str) -> PlanProfile | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._PLAN_COLUMNS} FROM plans WHERE code = ?", (code,)
            ).fetchone()
        return None if row is None else self._plan(row)

    def _apply(self, db: sqlite3.Connection, effects: Iterable[Effect]) -> None:
        """A dialog outcome's storage effects, inside the caller's transaction."""
        for effect in effects:
            if isinstance(effect, SavePlan):
                self._save_plan(db, effect.profile)
            elif isinstance(effect, DeletePlan):
                self._delete_plan(db, effect.code, effect.owner_id)
            elif isinstance(effect, CountStart):
                self._count_start(db, effect.code)

    def save_plan(self, profile: PlanProfile) -> None:
        """Insert or replace by code, keeping the start count."""
        with self._lock:
            self._save_plan(self._db, profile)

    @staticmethod
    def _save_plan(db: sqlite3.Connection, profile: PlanProfile) -> None:
        db.execute(
            "INSERT INTO plans (code, owner_id, name, answers, updated, verified) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
            "owner_id = excluded.owner_id, name = excluded.name, "
            "answers = excluded.answers, updated = excluded.updated, "
            "verified = excluded.verified",
            (
                profile.code,
                profile.owner_id,
                profile.name,
                profile.answers.model_dump_json(exclude_none=True),
                profile.updated.isoformat(),
                int(profile.verified),
            ),
        )

    def delete_plan(self, code: str, owner_id: int) -> bool:
        with self._lock:
            return self._delete_plan(self._db, code, owner_id)

    @staticmethod
    def _delete_plan(db: sqlite3.Connection, code: str, owner_id: int) -> bool:
        gone = db.execute(
            "DELETE FROM plans WHERE code = ? AND owner_id = ?", (code, owner_id)
        ).rowcount
        return bool(gone)

    def plans_of(self, owner_id: int) -> list[PlanProfile]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._PLAN_COLUMNS} FROM plans WHERE owner_id = ? "
                "ORDER BY lower(name), code",
                (owner_id,),
            ).fetchall()
        return [self._plan(row) for row in rows]

    def count_start(self, code: str) -> None:
        with self._lock:
            self._count_start(self._db, code)

    def _count_start(self, db: sqlite3.Connection, code: str) -> None:
        counted = db.execute("UPDATE plans SET starts = starts + 1 WHERE code = ?", (code,))
        if counted.rowcount:
            self._bump("plan_link_starts")

    def load_curated(self, profiles: Iterable[PlanProfile]) -> None:
        """Make the curated profiles exactly the operator's file: add, update, and drop
        those no longer in it. A code a person's profile already uses is refused."""
        profiles = list(profiles)
        codes = [p.code for p in profiles]
        with self._lock:
            taken = self._db.execute(
                f"SELECT code FROM plans WHERE owner_id IS NOT NULL AND code IN "
                f"({','.join('?' * len(codes))})",
                codes,
            ).fetchall()
        if taken:
            raise ValueError(f"code {taken[0][0]!r} is already used by a profile set up in chat")
        for profile in profiles:
            self.save_plan(profile)
        with self._lock:
            self._db.execute(
                f"DELETE FROM plans WHERE owner_id IS NULL AND code NOT IN "
                f"({','.join('?' * len(codes))})",
                codes,
            )

    def count_sessions(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])

    def count_plans(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM plans").fetchone()[0])

    # ------------------------------------------------------------ aggregates and backups

    def _bump(self, name: str) -> None:
        """Add one to an aggregate counter (call with the lock held)."""
        assert name in COUNTERS, name
        self._db.execute(
            "INSERT INTO counters VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1",
            (name,),
        )

    def stats(self) -> dict[str, int]:
        """Aggregate counts for an operator: nothing about any one person."""
        with self._lock:
            counted = dict(self._db.execute("SELECT name, value FROM counters").fetchall())
            plans = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(verified), 0) FROM plans"
            ).fetchone()
            sessions = self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        figures = {name: int(counted.get(name, 0)) for name in COUNTERS}
        figures.update(
            conversations_stored=int(sessions),
            plan_profiles=int(plans[0]),
            curated_plan_profiles=int(plans[1]),
        )
        return figures

    def backup(self, destination: Path | str) -> None:
        """A consistent copy of the live database (SQLite's online backup, which sees
        the WAL too; a file copy of a live database may be torn)."""
        target = sqlite3.connect(str(destination))
        try:
            with self._lock:
                self._db.backup(target)
        finally:
            target.close()

    def close(self) -> None:
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()
