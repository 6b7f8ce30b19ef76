"""The bots' durable state in SQLite or PostgreSQL: work queue, subscriptions, opt-outs, cursors.

Every item moves ``seen`` → ``claimed`` → ``replied`` (or ``skipped``, with why). An item
is written here before the platform is told it was read, so a crash loses nothing; an item
found ``claimed`` again after a restart may already have been answered, which the worker
checks on the platform before answering. Each change is one statement, so it is atomic, and
many runs may share one PostgreSQL queue: each takes items no other live run holds.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from bot.migrations import MIGRATIONS
from storage.database import Row, connect
from storage.migrations import upgrade
from storage.urls import POSTGRESQL, SQLITE, StoreUrl

SEEN, CLAIMED, REPLIED, SKIPPED = "seen", "claimed", "replied", "skipped"
PENDING = (SEEN, CLAIMED)

# A claimed item whose run is gone (``bot.presence``), to be taken over. On SQLite one run per
# platform works at a time, so a claim by any other run is a dead run's; on PostgreSQL a run
# is alive while it holds the advisory lock keyed by its owner id.
_ABANDONED = "status = 'claimed' AND owner IS DISTINCT FROM ?"
_ABANDONED_IN = {
    SQLITE: _ABANDONED,
    POSTGRESQL: _ABANDONED + " AND NOT EXISTS (SELECT 1 FROM pg_locks"
    " WHERE locktype = 'advisory' AND granted AND objsubid = 1"
    " AND classid = (items.owner >> 32)::oid AND objid = (items.owner & 4294967295)::oid)",
}
# Two runs taking items at once never take the same one: PostgreSQL skips rows another
# transaction holds; SQLite runs one writer at a time.
_SKIP_LOCKED = {SQLITE: "", POSTGRESQL: " FOR UPDATE SKIP LOCKED"}


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
    """The bots' store on SQLite or PostgreSQL (``bot_store_url``), migrated when opened."""

    def __init__(self, url: StoreUrl):
        self._db = connect(url)
        try:
            upgrade(self._db, MIGRATIONS)
        except BaseException:
            self._db.close()
            raise
        self._abandoned = _ABANDONED_IN[self._db.dialect]
        self._skip_locked = _SKIP_LOCKED[self._db.dialect]

    def close(self) -> None:
        self._db.close()

    # The work queue.

    def add(self, item: Item, now: float | None = None) -> bool:
        """Records ``item`` unless known already; True when it is new."""
        now = time.time() if now is None else now
        return 1 == self._db.execute(
            "INSERT INTO items (key, platform, kind, author, community, payload,"
            " status, reason, seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (key) DO NOTHING",
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

    def get(self, key: str) -> Item | None:
        row = self._db.one("SELECT * FROM items WHERE key = ?", (key,))
        return None if row is None else _item(row)

    def claim_next(self, platform: str, owner: int, due_by: float | None = None) -> Item | None:
        """Takes the oldest item due by ``due_by`` (a pending one, or one a dead run had
        claimed) for the run ``owner``, counting the attempt; None when there is none. An
        item deferred after ``due_by`` waits for the next call with a later one."""
        row = self._db.one(
            "UPDATE items SET status = ?, attempts = attempts + 1, owner = ?, updated_at = ?"
            " WHERE key = (SELECT key FROM items WHERE platform = ? AND"
            f" ((status = ? AND next_at <= ?) OR ({self._abandoned}))"
            f" ORDER BY seen_at, key LIMIT 1{self._skip_locked}) RETURNING *",
            (
                CLAIMED,
                owner,
                time.time(),
                platform,
                SEEN,
                time.time() if due_by is None else due_by,
                owner,
            ),
        )
        return None if row is None else _item(row)

    def next_due(self, platform: str, owner: int) -> float | None:
        """When an item may next be taken by ``owner`` (None: nothing it could take)."""
        row = self._db.one(
            "SELECT MIN(next_at) AS next_at FROM items WHERE platform = ?"
            f" AND (status = ? OR ({self._abandoned}))",
            (platform, SEEN, owner),
        )
        return None if row is None else row["next_at"]

    def defer(self, key: str, owner: int, delay: float, reason: str) -> bool:
        """Back to the queue, to be tried again after ``delay`` seconds. False, and nothing
        written, when the run ``owner`` no longer holds the item's claim."""
        now = time.time()
        return self._release(key, owner, SEEN, reason, None, now + delay)

    def finish(
        self, key: str, owner: int, status: str, reason: str, reply_id: str | None = None
    ) -> bool:
        """The item's last word. False, and nothing written, when the run ``owner`` no
        longer holds the item's claim (another run took it over: the word is its)."""
        return self._release(key, owner, status, reason, reply_id, None)

    def _release(
        self,
        key: str,
        owner: int,
        status: str,
        reason: str,
        reply_id: str | None,
        next_at: float | None,
    ) -> bool:
        changed = self._db.execute(
            "UPDATE items SET status = ?, reason = ?, reply_id = ?,"
            " next_at = COALESCE(?, next_at), updated_at = ?"
            " WHERE key = ? AND owner = ? AND status = ?",
            (status, reason, reply_id, next_at, time.time(), key, owner, CLAIMED),
        )
        return changed == 1

    def summons_since(self, platform: str, author: str, since: float) -> int:
        """Summons by ``author`` recorded since ``since`` and not turned away."""
        row = self._db.one(
            "SELECT COUNT(*) AS n FROM items WHERE platform = ? AND kind = 'summons'"
            " AND lower(author) = lower(?) AND seen_at >= ? AND status != ?",
            (platform, author, since, SKIPPED),
        )
        return 0 if row is None else int(row["n"])

    # Subscribed subreddits.

    def subscribe(self, name: str, moderator: str, mode: str, min_score: float) -> None:
        """Subscribes ``name`` (keeping its settings when subscribed already)."""
        now = time.time()
        self._db.execute(
            "INSERT INTO subscriptions (name, moderator, mode, min_score, since, settings_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
            (name.lower(), moderator, mode, min_score, now, now),
        )

    def unsubscribe(self, name: str) -> bool:
        return self._db.execute("DELETE FROM subscriptions WHERE name = ?", (name.lower(),)) == 1

    def subscription(self, name: str) -> Subscription | None:
        row = self._db.one("SELECT * FROM subscriptions WHERE name = ?", (name.lower(),))
        return None if row is None else Subscription(**row)

    def subscriptions(self) -> list[Subscription]:
        rows = self._db.all("SELECT * FROM subscriptions ORDER BY name")
        return [Subscription(**row) for row in rows]

    def set_mode(self, name: str, mode: str, min_score: float, at: float) -> None:
        """Settings from a message or the wiki page; ``at`` orders the two sources."""
        self._db.execute(
            "UPDATE subscriptions SET mode = ?, min_score = ?, settings_at = ? WHERE name = ?",
            (mode, min_score, at, name.lower()),
        )

    # People who asked never to be answered.

    def opt_out(self, platform: str, user: str) -> None:
        self._db.execute(
            'INSERT INTO optouts (platform, "user", at) VALUES (?, ?, ?)'
            ' ON CONFLICT (platform, "user") DO NOTHING',
            (platform, user.lower(), time.time()),
        )

    def opted_out(self, platform: str, user: str) -> bool:
        row = self._db.one(
            'SELECT 1 AS found FROM optouts WHERE platform = ? AND "user" = ?',
            (platform, user.lower()),
        )
        return row is not None

    # Where each platform's polling stopped.

    def cursor(self, name: str) -> str | None:
        row = self._db.one("SELECT value FROM cursors WHERE name = ?", (name,))
        return None if row is None else row["value"]

    def set_cursor(self, name: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO cursors (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            (name, value),
        )


def _item(row: Row) -> Item:
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
