"""SQLite storage: sessions, handled update ids, and the message that asked each question.

One file in WAL mode, written through on every handled update: the session and the
update's id are saved in one transaction *before* any reply goes out, so a crash at any
moment either loses the whole update (Telegram redelivers it) or keeps it whole (and
the redelivery is recognised by its id and skipped). `secure_delete` overwrites erased
rows, and `/forget` checkpoints the WAL, so erased data does not linger in the file.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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
"""
HANDLED_KEEP_SECONDS = 2 * 24 * 3600  # Telegram keeps unconfirmed updates about 24 h


@dataclass(frozen=True, slots=True)
class Stored:
    data: str  # the dialog session's JSON
    outbox: str  # JSON list of replies not yet delivered
    question_message_id: int | None  # the message whose buttons answer the current question


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
    ) -> None:
        """The session, its replies still to send, and the update's id: one transaction."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO sessions (chat_id, data, outbox, question_message_id, updated) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
                    "data = excluded.data, outbox = excluded.outbox, "
                    "question_message_id = excluded.question_message_id, "
                    "updated = excluded.updated",
                    (chat_id, data, outbox, question_message_id, now),
                )
                if update_id is not None:
                    self._db.execute(
                        "INSERT OR IGNORE INTO handled_updates VALUES (?, ?, ?)",
                        (update_id, chat_id, now),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

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

    def forget(self, chat_id: int, update_id: int | None = None) -> None:
        """Erase everything about this chat, and push it out of the WAL too."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM sessions WHERE chat_id = ?", (chat_id,))
            self._db.execute("DELETE FROM handled_updates WHERE chat_id = ?", (chat_id,))
            self._db.execute("DELETE FROM blocked_chats WHERE chat_id = ?", (chat_id,))
            if update_id is not None:  # remember the /forget itself, with no chat attached
                self._db.execute(
                    "INSERT OR IGNORE INTO handled_updates VALUES (?, 0, ?)",
                    (update_id, time.time()),
                )
            self._db.execute("COMMIT")
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

    def prune(self, retention_days: int) -> int:
        """Drop sessions idle past retention, and update ids Telegram can't resend."""
        now = time.time()
        with self._lock:
            gone = self._db.execute(
                "DELETE FROM sessions WHERE updated < ?", (now - retention_days * 86400,)
            ).rowcount
            self._db.execute(
                "DELETE FROM handled_updates WHERE handled < ?", (now - HANDLED_KEEP_SECONDS,)
            )
        return int(gone)

    def count_sessions(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()
