"""Store URLs: ``sqlite:///path`` (relative, or absolute with four slashes) or ``postgresql://``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SQLITE, POSTGRESQL = "sqlite", "postgresql"


class StoreUrlError(ValueError):
    """A store URL names no database this program can open."""


@dataclass(frozen=True)
class StoreUrl:
    """Which database, and where: a file for SQLite, a libpq connection string for PostgreSQL."""

    dialect: str
    target: str

    @property
    def path(self) -> Path:
        """The SQLite file (only for ``sqlite``)."""
        assert self.dialect == SQLITE
        return Path(self.target)


def parse_store_url(url: str) -> StoreUrl:
    """``sqlite:///var/a.sqlite3`` → var/a.sqlite3 (``sqlite:////srv/a`` → /srv/a);
    ``postgresql://`` and ``postgres://`` URLs go to libpq as written."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme == SQLITE:
        if not rest.startswith("/") or len(rest) < 2:
            raise StoreUrlError(f"a SQLite store URL is sqlite:///PATH, not {url!r}")
        return StoreUrl(SQLITE, rest[1:])
    if sep and scheme in ("postgresql", "postgres"):
        return StoreUrl(POSTGRESQL, url)
    raise StoreUrlError(f"a store URL starts sqlite:/// or postgresql://, not {url!r}")


def store_at(url: str, sqlite_file: Path) -> StoreUrl:
    """The store a program's settings name: ``url`` when given, else the SQLite file beside
    it, the default that needs no server."""
    return parse_store_url(url) if url else StoreUrl(SQLITE, str(sqlite_file))
