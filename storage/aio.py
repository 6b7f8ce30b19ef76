"""A database as the service uses it, without blocking its event loop: statements in, dict
rows out, each committed when it returns. Its schema is migrated before it opens
(``storage.migrations``, run in a thread)."""

from __future__ import annotations

from abc import ABC, abstractmethod

import aiosqlite
from psycopg.rows import dict_row as pg_dict_row
from psycopg_pool import AsyncConnectionPool

from storage.database import Params, Row
from storage.dialects import dict_row, postgresql_sql
from storage.urls import POSTGRESQL, SQLITE, StoreUrl


class AsyncDatabase(ABC):
    dialect: str

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Runs one statement; returns how many rows it changed."""

    @abstractmethod
    async def one(self, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    async def close(self) -> None: ...


class AsyncSQLite(AsyncDatabase):
    dialect = SQLITE

    def __init__(self, db: aiosqlite.Connection):
        self._db = db

    @classmethod
    async def open(cls, url: StoreUrl) -> AsyncSQLite:
        url.path.parent.mkdir(parents=True, exist_ok=True)
        # The file is migrated first (``Store.open``), which left it in WAL mode for good.
        db = await aiosqlite.connect(url.path, isolation_level=None)
        db.row_factory = dict_row
        return cls(db)

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._db.execute(sql, params) as cursor:
            return cursor.rowcount

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def close(self) -> None:
        await self._db.close()


class AsyncPostgreSQL(AsyncDatabase):
    dialect = POSTGRESQL

    def __init__(self, pool: AsyncConnectionPool):
        self._pool = pool

    @classmethod
    async def open(cls, url: StoreUrl, pool_size: int) -> AsyncPostgreSQL:
        pool = AsyncConnectionPool(
            url.target,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "row_factory": pg_dict_row},
            open=False,
        )
        await pool.open(wait=True)
        return cls(pool)

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._pool.connection() as connection:
            return (await connection.execute(postgresql_sql(sql), params)).rowcount

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._pool.connection() as connection:
            return await (await connection.execute(postgresql_sql(sql), params)).fetchone()

    async def close(self) -> None:
        await self._pool.close()


async def open_async(url: StoreUrl, pool_size: int) -> AsyncDatabase:
    """The database ``url`` names; PostgreSQL through a pool of ``pool_size`` connections."""
    if url.dialect == SQLITE:
        return await AsyncSQLite.open(url)
    return await AsyncPostgreSQL.open(url, pool_size)
