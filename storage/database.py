"""A database as the synchronous bots and the migrations use it: statements in, dict rows out.

Every statement commits when it returns, unless it runs inside ``exclusive()``: one
transaction holding the database's writer lock (SQLite's ``BEGIN IMMEDIATE``, a PostgreSQL
advisory lock), so two processes starting at once apply a migration once.
"""

from __future__ import annotations

import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import psycopg
from psycopg.rows import dict_row as pg_dict_row
from psycopg_pool import ConnectionPool

from storage.dialects import MIGRATION_LOCK, dict_row, postgresql_sql
from storage.urls import POSTGRESQL, SQLITE, StoreUrl

Row = dict[str, Any]
Params = Sequence[Any]


class Database(ABC):
    dialect: str

    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> int:
        """Runs one statement; returns how many rows it changed."""

    @abstractmethod
    def one(self, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    def all(self, sql: str, params: Params = ()) -> list[Row]: ...

    @abstractmethod
    def exclusive(self) -> AbstractContextManager[Database]:
        """One transaction, alone among writers; the database given runs inside it."""

    @abstractmethod
    def close(self) -> None: ...


# How long a SQLite connection waits for another process's writer lock.
_WAIT_S = 30.0


def _write_ahead(db: sqlite3.Connection) -> None:
    """Switches the file to write-ahead logging, which lets readers go on while another
    process writes; the file keeps it, so every later connection finds it on. Switching
    needs the file alone, and SQLite refuses at once rather than wait while another
    connection writes (waiting could deadlock): two programs starting together on a new
    file (a service and ``fakecheck db upgrade``) retry, as a busy wait would."""
    deadline = time.monotonic() + _WAIT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


class SQLiteDatabase(Database):
    dialect = SQLITE

    def __init__(self, url: StoreUrl):
        url.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: each statement is its own transaction, durable when it returns.
        self._db = sqlite3.connect(url.path, isolation_level=None, timeout=_WAIT_S)
        self._db.row_factory = dict_row
        _write_ahead(self._db)

    def execute(self, sql: str, params: Params = ()) -> int:
        return self._db.execute(sql, params).rowcount

    def one(self, sql: str, params: Params = ()) -> Row | None:
        return self._db.execute(sql, params).fetchone()

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        return self._db.execute(sql, params).fetchall()

    @contextmanager
    def exclusive(self) -> Iterator[Database]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()


class PostgreSQLDatabase(Database):
    dialect = POSTGRESQL

    def __init__(self, url: StoreUrl, pool_size: int = 2):
        self._pool = ConnectionPool(
            url.target,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "row_factory": pg_dict_row},
            open=True,
        )

    def _connection(self) -> AbstractContextManager[psycopg.Connection]:
        return self._pool.connection()

    def execute(self, sql: str, params: Params = ()) -> int:
        with self._connection() as connection:
            return connection.execute(postgresql_sql(sql), params).rowcount

    def one(self, sql: str, params: Params = ()) -> Row | None:
        with self._connection() as connection:
            return connection.execute(postgresql_sql(sql), params).fetchone()

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        with self._connection() as connection:
            return connection.execute(postgresql_sql(sql), params).fetchall()

    @contextmanager
    def exclusive(self) -> Iterator[Database]:
        with self._connection() as connection, connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            yield _InTransaction(connection)

    def close(self) -> None:
        self._pool.close()


class _InTransaction(PostgreSQLDatabase):
    """The one connection of a transaction that ``exclusive`` opened, lent by its pool."""

    def __init__(self, connection: psycopg.Connection):
        self._held = connection

    def _connection(self) -> AbstractContextManager[psycopg.Connection]:
        return nullcontext(self._held)


def connect(url: StoreUrl, pool_size: int = 2) -> Database:
    """The database ``url`` names; PostgreSQL through a pool of ``pool_size`` connections."""
    if url.dialect == SQLITE:
        return SQLiteDatabase(url)
    return PostgreSQLDatabase(url, pool_size)
