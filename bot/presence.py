"""Which bot runs are alive, and which one reads a platform's new items.

A run holds a lock for as long as it lives, released by the system when it dies however it
dies (kill -9 included), so an item it claimed is taken over only once it is gone. On
PostgreSQL the lock also goes with its connection (a restarted server, a network cut); the
run then ends as soon as it finds out (``Lost``, see ``bot.worker``):
- PostgreSQL: a session advisory lock keyed by the run's ``owner`` id, on a connection of its
  own; ``leads(name)`` takes another such lock, so exactly one run reads an account's inbox
  and subreddits while any number answer items.
- SQLite: a file lock per platform beside the state file, so one run per platform at a time
  (cron may start one while another still works); any claim not its own is a dead run's.
"""

from __future__ import annotations

import fcntl
import hashlib
import secrets
from abc import ABC, abstractmethod
from pathlib import Path

import psycopg

from storage.urls import SQLITE, StoreUrl


class Busy(RuntimeError):
    """Another run holds what this one needs alone."""


class Lost(RuntimeError):
    """This run no longer holds its lock: its claims may be another run's by now."""


class Presence(ABC):
    """This run's lock; ``owner`` marks the items it claims."""

    def __init__(self) -> None:
        # Positive and under 2**62: PostgreSQL's advisory keys are signed 64-bit integers.
        self.owner = secrets.randbits(62)

    @abstractmethod
    def leads(self, name: str) -> bool:
        """True while this run alone holds ``name`` (kept until it closes)."""

    @abstractmethod
    def confirm(self) -> None:
        """Raises Lost unless this run still holds its lock. Called just before an answer
        is posted: a run whose lock went with its connection must not post what another
        run may be posting already."""

    @abstractmethod
    def close(self) -> None: ...


class FilePresence(Presence):
    def __init__(self, state: Path, platform: str):
        super().__init__()
        self._lock = open(state.with_name(f"{state.name}.{platform}.lock"), "w")  # noqa: SIM115
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise Busy(f"another {platform} bot run is using {state}") from None

    def leads(self, name: str) -> bool:
        return True  # alone on its platform

    def confirm(self) -> None:
        """A file lock lasts as long as the process: there is nothing it can lose."""

    def close(self) -> None:
        self._lock.close()


class AdvisoryPresence(Presence):
    def __init__(self, url: StoreUrl):
        super().__init__()
        # Keepalives, so a connection cut without a word fails within a minute or so,
        # instead of a confirm() waiting for the kernel's retransmissions to give up.
        self._connection = psycopg.connect(
            url.target,
            autocommit=True,
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
            tcp_user_timeout=60000,
        )
        self._connection.execute("SELECT pg_advisory_lock(%s)", (self.owner,))
        self._held: set[str] = set()

    def leads(self, name: str) -> bool:
        if name not in self._held:
            row = self._connection.execute(
                "SELECT pg_try_advisory_lock(%s)", (_key(name),)
            ).fetchone()
            if row is not None and row[0]:
                self._held.add(name)
        return name in self._held

    def confirm(self) -> None:
        # Session locks last as long as the session: an answer on it means the lock holds.
        try:
            self._connection.execute("SELECT 1")
        except psycopg.Error as error:
            raise Lost(f"the connection holding this run's lock failed: {error}") from error

    def close(self) -> None:
        self._connection.close()


def _key(name: str) -> int:
    """A name as an advisory key: negative, so it never meets an ``owner`` id."""
    return -1 - int.from_bytes(hashlib.sha256(name.encode()).digest()[:7], "big")


def present(url: StoreUrl, platform: str) -> Presence:
    """This run's presence on the store ``url`` (raises Busy when SQLite's is taken)."""
    if url.dialect == SQLITE:
        return FilePresence(url.path, platform)
    return AdvisoryPresence(url)
