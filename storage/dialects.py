"""What differs between SQLite and PostgreSQL below the SQL a store writes: placeholders, rows."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

# The key of PostgreSQL's advisory lock under which one process at a time migrates a database.
MIGRATION_LOCK = 0x46616B65436B


def postgresql_sql(sql: str) -> str:
    """A store's SQL, written with ``?`` placeholders (SQLite's), as psycopg takes it."""
    return re.sub(r"\?", "%s", sql)


def dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    """SQLite rows by column name, as psycopg's ``dict_row`` gives PostgreSQL's."""
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}
