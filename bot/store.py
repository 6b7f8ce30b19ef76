"""The bots' durable state in SQLite: the work queue, subscriptions, opt-outs, cursors.

Every item moves ``seen`` → ``claimed`` → ``replied`` (or ``skipped``, with why). An item
is written here before the platform is told it was read, so a crash loses nothing; an item
found ``claimed`` again after a restart may already have been answered, which the worker
checks on the platform before answering. Each change is one statement, so it is atomic.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEEN, CLAIMED, REPLIED, SKIPPED = "seen", "claimed", "replied", "skipped"
PENDING = (SEEN, CLAIMED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    kind TEXT NOT NULL,
    author TEXT NOT NULL,
    community TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,
    seen_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    reply_id TEXT
);
CREATE INDEX IF NOT EXISTS items_pending ON items (platform, status, next_at);
CREATE TABLE IF NOT EXISTS subscriptions (
    name TEXT PRIMARY KEY,
    moderator TEXT NOT NULL,
    mode TEXT NOT NULL,
    min_score REAL NOT NULL,
    since REAL NOT NULL,
    settings_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS optouts (
    platform TEXT NOT NULL,
    user TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (platform, user)
);
CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Item:
    """One thing to answer: a summons, a subscribed post, or a command by private message."""

    platform: str
    kind: str
    id: str
    author: str
    community: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    status: str = SEEN
    reason: str = ""
    attempts: int = 0

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.kind}:{self.id}"


@dataclass(frozen=True)
class Subscription:
    name: str
    moderator: str
    mode: str
    min_score: float
    since: float
    settings_at: float


class Store:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: every statement below is its own transaction, durable when it returns.
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # The work queue.

    def add(self, item: Item, now: float | None = None) -> bool:
        """Records ``item`` unless known already; True when it is new."""
        now = time.time() if now is None else now
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO items (key, platform, kind, author, community, payload,"
            " status, reason, seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item.key,
                item.platform,
                item.kind,
                item.author,
                item.community,
                json.dumps(item.payload),
                item.status,
                item.reason,
                now,
                now,
            ),
        )
        return cursor.rowcount == 1

    def get(self, key: str) -> Item | None:
        row = self._db.execute("SELECT * FROM items WHERE key = ?", (key,)).fetchone()
        return None if row is None else _item(row)

    def due(self, platform: str, now: float | None = None) -> list[Item]:
        """Pending items whose time has come, oldest first."""
        rows = self._db.execute(
            "SELECT * FROM items WHERE platform = ? AND status IN (?, ?) AND next_at <= ?"
            " ORDER BY seen_at, key",
            (platform, *PENDING, time.time() if now is None else now),
        )
        return [_item(row) for row in rows]

    def next_due(self, platform: str) -> float | None:
        """When the earliest pending item may be tried again (None: nothing pending)."""
        row = self._db.execute(
            "SELECT MIN(next_at) FROM items WHERE platform = ? AND status IN (?, ?)",
            (platform, *PENDING),
        ).fetchone()
        return row[0]

    def claim(self, key: str) -> Item:
        self._db.execute(
            "UPDATE items SET status = ?, attempts = attempts + 1, updated_at = ? WHERE key = ?",
            (CLAIMED, time.time(), key),
        )
        return self.get(key)

    def defer(self, key: str, delay: float, reason: str) -> None:
        """Back to the queue, to be tried again after ``delay`` seconds."""
        now = time.time()
        self._db.execute(
            "UPDATE items SET status = ?, reason = ?, next_at = ?, updated_at = ? WHERE key = ?",
            (SEEN, reason, now + delay, now, key),
        )

    def finish(self, key: str, status: str, reason: str, reply_id: str | None = None) -> None:
        self._db.execute(
            "UPDATE items SET status = ?, reason = ?, reply_id = ?, updated_at = ? WHERE key = ?",
            (status, reason, reply_id, time.time(), key),
        )

    def summons_since(self, platform: str, author: str, since: float) -> int:
        """Summons by ``author`` recorded since ``since`` and not turned away."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM items WHERE platform = ? AND kind = 'summons'"
            " AND lower(author) = lower(?) AND seen_at >= ? AND status != ?",
            (platform, author, since, SKIPPED),
        ).fetchone()
        return row[0]

    # Subscribed subreddits.

    def subscribe(self, name: str, moderator: str, mode: str, min_score: float) -> None:
        """Subscribes ``name`` (keeping its settings when subscribed already)."""
        now = time.time()
        self._db.execute(
            "INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
            (name.lower(), moderator, mode, min_score, now, now),
        )

    def unsubscribe(self, name: str) -> bool:
        cursor = self._db.execute("DELETE FROM subscriptions WHERE name = ?", (name.lower(),))
        return cursor.rowcount == 1

    def subscription(self, name: str) -> Subscription | None:
        row = self._db.execute(
            "SELECT * FROM subscriptions WHERE name = ?", (name.lower(),)
        ).fetchone()
        return None if row is None else Subscription(**dict(row))

    def subscriptions(self) -> list[Subscription]:
        rows = self._db.execute("SELECT * FROM subscriptions ORDER BY name")
        return [Subscription(**dict(row)) for row in rows]

    def set_mode(self, name: str, mode: str, min_score: float, at: float) -> None:
        """Settings from a message or the wiki page; ``at`` orders the two sources."""
        self._db.execute(
            "UPDATE subscriptions SET mode = ?, min_score = ?, settings_at = ? WHERE name = ?",
            (mode, min_score, at, name.lower()),
        )

    # People who asked never to be answered.

    def opt_out(self, platform: str, user: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO optouts VALUES (?, ?, ?)", (platform, user.lower(), time.time())
        )

    def opted_out(self, platform: str, user: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM optouts WHERE platform = ? AND user = ?", (platform, user.lower())
        ).fetchone()
        return row is not None

    # Where each platform's polling stopped.

    def cursor(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def set_cursor(self, name: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO cursors VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = ?",
            (name, value, value),
        )


def _item(row: sqlite3.Row) -> Item:
    return Item(
        platform=row["platform"],
        kind=row["kind"],
        id=row["key"].split(":", 2)[2],
        author=row["author"],
        community=row["community"],
        payload=json.loads(row["payload"]),
        status=row["status"],
        reason=row["reason"],
        attempts=row["attempts"],
    )
