"""Sessions kept in SQLite: a plan, and every change applied to it with who applied it and when.

The database is the only state of a session: any server process (``ag18 serve --workers N``) can
rebuild a session by replaying its changes on its plan, a restart loses nothing that was applied
(each change is committed before its answer is sent), and undo marks the last change undone, so
the history keeps it.  Sessions idle for longer than ``ttl`` seconds are removed; their number and
the size of each (plan bytes, changes) are bounded.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Optional

__all__ = ["Limits", "SessionFull", "Stale", "Store", "Stored"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    plan TEXT NOT NULL,
    as_of TEXT,
    created REAL NOT NULL,
    touched REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    session TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    changes TEXT NOT NULL,
    author TEXT NOT NULL,
    applied REAL NOT NULL,
    undone REAL,
    PRIMARY KEY (session, seq)
);
"""


@dataclass(frozen=True)
class Limits:
    sessions: int = 1000           # sessions kept at once
    ttl: float = 7 * 24 * 3600.0   # seconds a session may stay idle
    plan_bytes: int = 20 * 1024 * 1024
    changes: int = 5000            # change batches in one session's history


@dataclass(frozen=True)
class Stored:
    """A session as the database holds it: the plan and the changes in force, oldest first."""

    id: str
    plan: dict
    as_of: Optional[str]
    changes: tuple[tuple, ...]     # each: (seq, [change...], author, applied)

    @property
    def version(self) -> int:
        return self.changes[-1][0] if self.changes else 0


class SessionFull(Exception):
    """The store holds as many sessions, or a session as many changes, as it may."""


class Stale(Exception):
    """Another request changed the session first."""


class Store:
    """One SQLite file shared by every server process; each thread gets its own connection."""

    def __init__(self, path: str, limits: Limits = Limits()):
        self.path, self.limits = path, limits
        self._local = threading.local()
        self._db().connection.executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # an answered change survives a power cut
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = _Transactions(db)
        return self._local.db

    def create(self, plan: dict, as_of: Optional[str], sid: Optional[str] = None) -> str:
        text = json.dumps(plan, ensure_ascii=False, separators=(",", ":"))
        if len(text.encode()) > self.limits.plan_bytes:
            raise SessionFull("plan")
        now = time.time()
        sid = sid or secrets.token_urlsafe(16)
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE touched < ?", (now - self.limits.ttl,))
            (count,) = db.execute("SELECT COUNT(*) FROM sessions").fetchone()
            if count >= self.limits.sessions:
                raise SessionFull("sessions")
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (sid, text, as_of, now, now))
        return sid

    def get(self, sid: str) -> Optional[Stored]:
        now = time.time()
        with self._db() as db:
            row = db.execute("SELECT plan, as_of, touched FROM sessions WHERE id = ?", (sid,)).fetchone()
            if row is None:
                return None
            if row[2] < now - self.limits.ttl:
                db.execute("DELETE FROM sessions WHERE id = ?", (sid,))
                return None
            rows = db.execute("SELECT seq, changes, author, applied FROM changes WHERE session = ? "
                              "AND undone IS NULL ORDER BY seq", (sid,)).fetchall()
            db.execute("UPDATE sessions SET touched = ? WHERE id = ?", (now, sid))
        changes = tuple((seq, json.loads(c), author, applied) for seq, c, author, applied in rows)
        return Stored(sid, json.loads(row[0]), row[1], changes)

    def append(self, stored: Stored, changes: list, author: str) -> int:
        """Record ``changes`` after the ones ``stored`` has; :class:`Stale` if another came first."""
        with self._db() as db:
            (last,) = db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE session = ?",
                                 (stored.id,)).fetchone()
            current = db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE session = ? AND undone IS NULL",
                                 (stored.id,)).fetchone()[0]
            if current != stored.version:
                raise Stale()
            if len(stored.changes) >= self.limits.changes:
                raise SessionFull("changes")
            seq = last + 1
            now = time.time()
            db.execute("INSERT INTO changes VALUES (?, ?, ?, ?, ?, NULL)",
                       (stored.id, seq, json.dumps(changes, ensure_ascii=False), author, now))
            db.execute("UPDATE sessions SET touched = ? WHERE id = ?", (now, stored.id))
        return seq

    def undo(self, stored: Stored) -> None:
        """Mark the last change in force undone (it stays in the history)."""
        with self._db() as db:
            cur = db.execute("UPDATE changes SET undone = ? WHERE session = ? AND seq = ? AND undone IS NULL",
                             (time.time(), stored.id, stored.version))
            if cur.rowcount != 1:
                raise Stale()

    def history(self, sid: str) -> list[dict]:
        with self._db() as db:
            rows = db.execute("SELECT seq, changes, author, applied, undone FROM changes WHERE session = ? "
                              "ORDER BY seq", (sid,)).fetchall()
        return [{"seq": seq, "changes": json.loads(c), "author": author, "applied": applied, "undone": undone}
                for seq, c, author, applied, undone in rows]

    def delete(self, sid: str) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM sessions WHERE id = ?", (sid,)).rowcount == 1

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.connection.close()
            self._local.db = None


class _Transactions:
    """A connection used as ``with store._db() as db``: one immediate transaction per block."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, kind, *exc) -> None:
        self.connection.execute("ROLLBACK" if kind else "COMMIT")
