"""The bots' store schema, step by step (applied by ``storage.migrations``).

Step 1 is the schema the bots created before it was versioned, so it adopts a state file made
then (``IF NOT EXISTS``); every later step runs exactly once. Times are seconds since the
epoch (``DOUBLE PRECISION``: SQLite's REAL, PostgreSQL's 8-byte float).
"""

from __future__ import annotations

from storage.migrations import Migration

MIGRATIONS = (
    Migration(
        1,
        "queue, subscriptions, opt-outs and cursors",
        sqlite=(
            """CREATE TABLE IF NOT EXISTS items (
                key TEXT PRIMARY KEY,
                platform TEXT NOT NULL,
                kind TEXT NOT NULL,
                author TEXT NOT NULL,
                community TEXT NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                attempts INTEGER NOT NULL DEFAULT 0,
                next_at DOUBLE PRECISION NOT NULL DEFAULT 0,
                seen_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                reply_id TEXT
            )""",
            "CREATE INDEX IF NOT EXISTS items_pending ON items (platform, status, next_at)",
            """CREATE TABLE IF NOT EXISTS subscriptions (
                name TEXT PRIMARY KEY,
                moderator TEXT NOT NULL,
                mode TEXT NOT NULL,
                min_score DOUBLE PRECISION NOT NULL,
                since DOUBLE PRECISION NOT NULL,
                settings_at DOUBLE PRECISION NOT NULL
            )""",
            """CREATE TABLE IF NOT EXISTS optouts (
                platform TEXT NOT NULL,
                "user" TEXT NOT NULL,
                at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (platform, "user")
            )""",
            "CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ),
    ),
    Migration(
        2,
        "the worker holding each claimed item",
        sqlite=("ALTER TABLE items ADD COLUMN owner BIGINT",),
    ),
)
