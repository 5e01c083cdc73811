"""The SQLite store: sessions, the inbox and outbox (`work_items`), handled update ids,
HR plan profiles (owner NULL: curated by the operator), counters.

One file in WAL mode, written through on every step. An update is in the inbox before
Telegram hears it arrived; it leaves the inbox in the transaction that saves its session
and queues its replies, so a crash at any moment loses nothing and applies nothing twice.
`secure_delete` overwrites erased rows, and erasure checkpoints the WAL, so erased data
does not linger in the files. The files are created 0600 (owner only), whatever the
umask of whoever runs the bot; an older, wider file is narrowed when opened.

Claims live in this object's memory: a SQLite file is served by one process, and what a
dead process had claimed is simply pending again when the next one opens the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path

from bot.store import NewWork, Queue, Stored, StoreError, Work
from dialogs import CountStart, DeletePlan, Effect, PlanAnswers, PlanProfile, SavePlan

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    chat_id INTEGER PRIMARY KEY,
    data TEXT NOT NULL,
    outbox TEXT NOT NULL DEFAULT '[]',  -- replies as an older version kept them; now '[]'
    question_message_id INTEGER,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS work_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    ref INTEGER,
    payload TEXT NOT NULL,
    created REAL NOT NULL,
    due REAL NOT NULL DEFAULT 0,
    set_aside TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS work_items_ref ON work_items (queue, ref);
CREATE INDEX IF NOT EXISTS work_items_chat ON work_items (queue, chat_id, seq);
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
CREATE TABLE IF NOT EXISTS plan_starters (
    code TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    PRIMARY KEY (code, chat_id)
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
COUNTERS = ("conversations_started", "checks_completed", "plan_link_starts")  # aggregates
HANDLED_KEEP_SECONDS = 2 * 24 * 3600  # Telegram keeps unconfirmed updates about 24 h
FORGOTTEN = 0  # the chat id handled update ids keep once their chat is forgotten
OWNER_ONLY = 0o600


def open_store(path: Path) -> Store:
    """The SQLite file, or StoreError with one line saying why it can't be used."""
    try:
        return Store(path)
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        line = f"configuration error: MEGAROTH_DB can't use {path}: {reason}"
        raise StoreError(line) from None


def create_private(path: Path, exclusive: bool = False) -> None:
    """Create `path` (if missing) readable and writable by its owner only, and narrow an
    existing file to that. SQLite gives the -wal and -shm files the database's mode."""
    flags = os.O_RDWR | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    descriptor = os.open(path, flags, OWNER_ONLY)
    try:
        if stat.S_IMODE(os.fstat(descriptor).st_mode) != OWNER_ONLY:
            os.fchmod(descriptor, OWNER_ONLY)
    finally:
        os.close(descriptor)


class Store:
    """The bot's SQLite file. Thread-safe; calls are short and made from one event loop."""

    def __init__(self, path: Path | str) -> None:
        path = Path(path)
        memory = str(path) == ":memory:"
        if not memory:
            path.parent.mkdir(parents=True, exist_ok=True)
            for file in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
                if file == path or file.exists():
                    create_private(file)
        self._lock = threading.Lock()
        self._claimed: dict[Queue, dict[int, Work]] = {queue: {} for queue in Queue}  # by seq
        self._claimed_updates: dict[int, int] = {}  # update id -> seq, of claimed inbox items
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

    def _checkpoint(self) -> None:
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # ------------------------------------------------------------ sessions

    def load(self, chat_id: int) -> Stored | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data, question_message_id FROM sessions WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return None if row is None else Stored(row[0], row[1])

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
        outbox: Sequence[str],
        question_message_id: int | None,
        counters: tuple[str, ...] = (),
        effects: Iterable[Effect] = (),
    ) -> None:
        """The session, its calls to make, the update done and the dialog's storage
        effects: one transaction. `question_message_id` is for a new session only:
        afterwards only a delivered call moves it (`done`), so a save can't put back an
        older one. `counters` names aggregate counts this update adds one to (never who)."""
        now = time.time()
        with self._transaction() as db:
            self._apply(db, effects, chat_id)
            db.execute(
                "INSERT INTO sessions (chat_id, data, question_message_id, updated) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
                "data = excluded.data, updated = excluded.updated",
                (chat_id, data, question_message_id, now),
            )
            self._queue_calls(db, chat_id, outbox, now)
            if update_id is not None:
                self._update_done(db, update_id, chat_id, now)
            for name in counters:
                self._bump(name)

    def finish_update(self, update_id: int, chat_id: int, outbox: Sequence[str] = ()) -> None:
        now = time.time()
        with self._transaction() as db:
            self._queue_calls(db, chat_id, outbox, now)
            self._update_done(db, update_id, chat_id, now)

    def _update_done(
        self, db: sqlite3.Connection, update_id: int, chat_id: int, now: float
    ) -> None:
        db.execute("DELETE FROM work_items WHERE queue = ? AND ref = ?", (Queue.INBOX, update_id))
        db.execute(
            "INSERT OR IGNORE INTO handled_updates VALUES (?, ?, ?)", (update_id, chat_id, now)
        )
        seq = self._claimed_updates.pop(update_id, None)
        if seq is not None:
            self._claimed[Queue.INBOX].pop(seq, None)

    @staticmethod
    def _queue_calls(
        db: sqlite3.Connection, chat_id: int, outbox: Sequence[str], now: float
    ) -> None:
        db.executemany(
            "INSERT INTO work_items (queue, chat_id, payload, created) VALUES (?, ?, ?, ?)",
            [(Queue.OUTBOX, chat_id, payload, now) for payload in outbox],
        )

    def legacy_outboxes(self) -> list[tuple[int, str]]:
        with self._lock:
            rows = self._db.execute("SELECT chat_id, outbox FROM sessions WHERE outbox != '[]'")
            return [(int(chat_id), str(text)) for chat_id, text in rows.fetchall()]

    def clear_legacy_outbox(self, chat_id: int) -> None:
        with self._lock:
            self._db.execute("UPDATE sessions SET outbox = '[]' WHERE chat_id = ?", (chat_id,))

    # ------------------------------------------------------------ the work queues

    def put(self, queue: Queue, items: Sequence[NewWork], done_refs: Sequence[int] = ()) -> int:
        now = time.time()
        queued = 0
        with self._transaction() as db:
            for item in items:
                if item.ref is not None and self._ref_done(db, queue, item.ref):
                    continue
                queued += db.execute(
                    "INSERT OR IGNORE INTO work_items (queue, chat_id, ref, payload, created) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (queue, item.chat_id, item.ref, item.payload, now),
                ).rowcount
            if queue is Queue.INBOX:
                db.executemany(
                    "INSERT OR IGNORE INTO handled_updates VALUES (?, ?, ?)",
                    [(ref, FORGOTTEN, now) for ref in done_refs],
                )
        return queued

    @staticmethod
    def _ref_done(db: sqlite3.Connection, queue: Queue, ref: int) -> bool:
        if queue is not Queue.INBOX:
            return False
        found = db.execute("SELECT 1 FROM handled_updates WHERE update_id = ?", (ref,))
        return found.fetchone() is not None

    def claim(self, queue: Queue, limit: int, chat_id: int | None = None) -> list[Work]:
        with self._lock:
            held = self._claimed[queue]
            where = "queue = ? AND set_aside IS NULL AND due <= ?"
            args: list[object] = [queue, time.time()]
            if chat_id is not None:
                where += " AND chat_id = ?"
                args.append(chat_id)
            if held:
                where += " AND seq NOT IN (SELECT value FROM json_each(?))"
                args.append(json.dumps(list(held)))
            rows = self._db.execute(
                f"SELECT seq, chat_id, payload, ref FROM work_items WHERE {where} "
                "ORDER BY seq LIMIT ?",
                (*args, limit),
            ).fetchall()
            claimed = [Work(queue, int(s), int(c), str(p), r) for s, c, p, r in rows]
            for work in claimed:
                held[work.seq] = work
                if work.ref is not None and queue is Queue.INBOX:
                    self._claimed_updates[work.ref] = work.seq
        return claimed

    def done(
        self, work: Work, *, question_message_id: int | None = None, scrub: bool = False
    ) -> None:
        if work.queue is Queue.INBOX and work.ref is not None:
            with self._transaction() as db:
                self._update_done(db, work.ref, work.chat_id, time.time())
            return
        with self._transaction() as db:
            db.execute("DELETE FROM work_items WHERE seq = ?", (work.seq,))
            if question_message_id is not None:
                db.execute(
                    "UPDATE sessions SET question_message_id = ? WHERE chat_id = ?",
                    (question_message_id, work.chat_id),
                )
        with self._lock:
            self._claimed[work.queue].pop(work.seq, None)
        if scrub:
            self._checkpoint()

    def set_aside(self, work: Work, reason: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE work_items SET set_aside = ? WHERE seq = ?", (reason[:200], work.seq)
            )
            self._unclaim(work)

    def release(self, work: Work) -> None:
        """Give a claimed item back, untouched (the claimer is stopping)."""
        with self._lock:
            self._unclaim(work)

    def _unclaim(self, work: Work) -> None:
        """Drop a claim (call with the lock held)."""
        self._claimed[work.queue].pop(work.seq, None)
        if work.ref is not None and work.queue is Queue.INBOX:
            self._claimed_updates.pop(work.ref, None)

    def pending(self, queue: Queue, chat_id: int | None = None) -> int:
        where, args = "queue = ? AND set_aside IS NULL", [str(queue)]
        if chat_id is not None:
            where += " AND chat_id = ?"
            args.append(str(chat_id))
        with self._lock:
            row = self._db.execute(f"SELECT COUNT(*) FROM work_items WHERE {where}", args)
            return int(row.fetchone()[0])

    def chats_pending(self, queue: Queue, limit: int, exclude: Collection[int] = ()) -> list[int]:
        with self._lock:
            busy = set(exclude) | {work.chat_id for work in self._claimed[queue].values()}
            rows = self._db.execute(
                "SELECT chat_id FROM work_items WHERE queue = ? AND set_aside IS NULL "
                "AND due <= ? AND chat_id NOT IN (SELECT value FROM json_each(?)) "
                "GROUP BY chat_id ORDER BY MIN(seq) LIMIT ?",
                (queue, time.time(), json.dumps(sorted(busy)), limit),
            )
            return [int(row[0]) for row in rows.fetchall()]

    def set_aside_count(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM work_items WHERE set_aside IS NOT NULL")
            return int(row.fetchone()[0])

    # ------------------------------------------------------------ erasure and retention

    def forget(
        self,
        chat_id: int,
        update_id: int | None = None,
        outbox: Sequence[str] = (),
        effects: Iterable[Effect] = (),
    ) -> None:
        """Erase everything about this chat (and the profiles the effects delete) and push
        it out of the WAL too. Handled update ids stay (unlinked), so a redelivery of an
        earlier input is still skipped."""
        now = time.time()
        with self._transaction() as db:
            self._apply(db, effects, chat_id)
            db.execute("DELETE FROM sessions WHERE chat_id = ?", (chat_id,))
            # Its outbox, and anything set aside; inbox items still pending came after the
            # /forget (a chat's updates are handled in order): the person writing again.
            db.execute(
                "DELETE FROM work_items WHERE chat_id = ? "
                "AND (queue != ? OR set_aside IS NOT NULL)",
                (chat_id, Queue.INBOX),
            )
            db.execute(
                "UPDATE handled_updates SET chat_id = ? WHERE chat_id = ?", (FORGOTTEN, chat_id)
            )
            db.execute("DELETE FROM blocked_chats WHERE chat_id = ?", (chat_id,))
            db.execute("DELETE FROM plan_starters WHERE chat_id = ?", (chat_id,))
            if update_id is not None:
                self._update_done(db, update_id, FORGOTTEN, now)
            self._queue_calls(db, chat_id, outbox, now)
        with self._lock:
            held = self._claimed[Queue.OUTBOX]
            for work in [w for w in held.values() if w.chat_id == chat_id]:
                del held[work.seq]
        self._checkpoint()

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
        (exactly: idle for the whole period is kept, a second more is not), queued items
        and blocked-chat marks as old, and update ids Telegram can no longer resend.
        Returns how many conversations went."""
        now = time.time() if now is None else now
        cutoff = now - retention_days * 86400
        with self._transaction() as db:
            gone = db.execute("DELETE FROM sessions WHERE updated < ?", (cutoff,)).rowcount
            db.execute("DELETE FROM blocked_chats WHERE since < ?", (cutoff,))
            db.execute("DELETE FROM work_items WHERE created < ?", (cutoff,))
            db.execute(
                "DELETE FROM plan_starters WHERE chat_id NOT IN (SELECT chat_id FROM sessions)"
            )
            db.execute(
                "DELETE FROM handled_updates WHERE handled < ?", (now - HANDLED_KEEP_SECONDS,)
            )
        if gone:
            self._checkpoint()  # out of the WAL too
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

    def _apply(self, db: sqlite3.Connection, effects: Iterable[Effect], chat_id: int) -> None:
        """A dialog outcome's storage effects, inside the caller's transaction; a start is
        counted once for this chat."""
        for effect in effects:
            if isinstance(effect, SavePlan):
                self._save_plan(db, effect.profile)
            elif isinstance(effect, DeletePlan):
                self._delete_plan(db, effect.code, effect.owner_id)
            elif isinstance(effect, CountStart):
                self._count_start(db, effect.code, chat_id)

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
        with self._transaction() as db:
            return self._delete_plan(db, code, owner_id)

    @staticmethod
    def _delete_plan(db: sqlite3.Connection, code: str, owner_id: int) -> bool:
        gone = db.execute(
            "DELETE FROM plans WHERE code = ? AND owner_id = ?", (code, owner_id)
        ).rowcount
        if gone:
            db.execute("DELETE FROM plan_starters WHERE code = ?", (code,))
        return bool(gone)

    def plans_of(self, owner_id: int) -> list[PlanProfile]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._PLAN_COLUMNS} FROM plans WHERE owner_id = ? "
                "ORDER BY lower(name), code",
                (owner_id,),
            ).fetchall()
        return [self._plan(row) for row in rows]

    def count_start(self, code: str, person: int | None = None) -> None:
        """One more check started through this profile's link; with `person` (their
        chat), only their first start through it counts, redeliveries included."""
        with self._transaction() as db:
            self._count_start(db, code, person)

    def _count_start(self, db: sqlite3.Connection, code: str, person: int | None) -> None:
        if person is not None:
            known = db.execute("SELECT 1 FROM plans WHERE code = ?", (code,)).fetchone()
            first = (
                known is not None
                and db.execute(
                    "INSERT OR IGNORE INTO plan_starters VALUES (?, ?)", (code, person)
                ).rowcount
            )
            if not first:
                return
        counted = db.execute(
            "UPDATE plans SET starts = starts + 1 WHERE code = ?", (code,)
        ).rowcount
        if counted:
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

    # ------------------------------------------------------------ aggregates, meta, backups

    def _bump(self, name: str) -> None:
        """Add one to an aggregate counter (call with the lock held)."""
        assert name in COUNTERS, name
        self._db.execute(
            "INSERT INTO counters VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1",
            (name,),
        )

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                "value = excluded.value",
                (key, value),
            )

    def stats(self) -> dict[str, int]:
        """Aggregate counts for an operator: nothing about any one person."""
        with self._lock:
            counted = dict(self._db.execute("SELECT name, value FROM counters").fetchall())
            plans = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(verified), 0) FROM plans"
            ).fetchone()
            sessions = self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
            queued = dict(
                self._db.execute(
                    "SELECT CASE WHEN set_aside IS NULL THEN queue ELSE 'set_aside' END, "
                    "COUNT(*) FROM work_items GROUP BY 1"
                ).fetchall()
            )
        figures = {name: int(counted.get(name, 0)) for name in COUNTERS}
        figures.update(
            conversations_stored=int(sessions),
            plan_profiles=int(plans[0]),
            curated_plan_profiles=int(plans[1]),
            updates_waiting=int(queued.get(Queue.INBOX, 0)),
            calls_waiting=int(queued.get(Queue.OUTBOX, 0)),
            set_aside=int(queued.get("set_aside", 0)),
        )
        return figures

    def backup(self, destination: Path | str) -> None:
        """A consistent copy of the live database (SQLite's online backup, which sees
        the WAL too; a file copy of a live database may be torn), created 0600."""
        create_private(Path(destination), exclusive=True)
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
