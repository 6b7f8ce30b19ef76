"""Versioned schemas: each store lists its migrations; a database records which it has.

A migration is applied once, in order, inside one transaction that also records it in
``schema_migrations``, under the database's writer lock: replicas starting together, or
``fakecheck db upgrade`` beside a running program, apply each step exactly once. A database
whose version is newer than the program knows is refused, never written to.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from storage.database import Database, connect
from storage.urls import POSTGRESQL, StoreUrl

_VERSIONS = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at DOUBLE PRECISION NOT NULL
)"""


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer program than this one."""


@dataclass(frozen=True)
class Migration:
    """One step of a schema: its statements for SQLite and, where they differ, PostgreSQL."""

    version: int
    name: str
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...] | None = None

    def statements(self, dialect: str) -> tuple[str, ...]:
        if dialect == POSTGRESQL and self.postgresql is not None:
            return self.postgresql
        return self.sqlite


def upgrade(db: Database, migrations: tuple[Migration, ...]) -> list[int]:
    """Applies the migrations ``db`` lacks; returns the versions applied now."""
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    with db.exclusive() as locked:
        locked.execute(_VERSIONS)
        row = locked.one("SELECT MAX(version) AS version FROM schema_migrations")
        current = (row["version"] or 0) if row else 0
        if current > len(migrations):
            raise SchemaTooNew(
                f"the database is at schema version {current}; this program knows "
                f"{len(migrations)}: upgrade the program"
            )
        for migration in migrations[current:]:
            for statement in migration.statements(locked.dialect):
                locked.execute(statement)
            locked.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                (migration.version, migration.name, time.time()),
            )
        return [m.version for m in migrations[current:]]


def upgrade_url(url: StoreUrl, migrations: tuple[Migration, ...]) -> list[int]:
    """``upgrade`` on a connection of its own, closed after (for start-up and the CLI)."""
    db = connect(url, pool_size=1)
    try:
        return upgrade(db, migrations)
    finally:
        db.close()
