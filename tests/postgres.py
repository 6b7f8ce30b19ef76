"""A throw-away PostgreSQL cluster for the test session, and a fresh database per test.

Debian's server (installed by ``make test``) is started from ``initdb`` in a temporary folder,
listening only on a Unix socket there, and removed at the end. The server refuses to run as
root, so under root (CI) it runs as Debian's ``postgres`` system user; otherwise as the user
running the tests. Durability is switched off: the tests' data dies with the cluster anyway.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

_USER = "fakecheck"


@dataclass(frozen=True)
class Cluster:
    """A running server: its socket folder, and the next database name to give out."""

    socket_dir: Path
    counter: itertools.count

    def url(self, database: str) -> str:
        return f"postgresql:///{database}?host={self.socket_dir}&user={_USER}"

    def new_database(self) -> str:
        """The URL of a database made empty for one test."""
        name = f"test_{next(self.counter)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    assert found, "PostgreSQL is not installed: `make test` installs Debian's postgresql"
    return found[-1].parent


def _as_server_user(folder: Path) -> list[str]:
    """The command prefix that runs the server's programs as a user it accepts."""
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, "postgres", "postgres")
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def running_cluster() -> Iterator[Cluster]:
    """A cluster started in a temporary folder, stopped and removed on leaving."""
    binaries = _binaries()
    folder = Path(tempfile.mkdtemp(prefix="fakecheck-pg-"))
    folder.chmod(0o755)  # the server's user reaches its data and socket through it
    run_as = _as_server_user(folder)
    data, log = folder / "data", folder / "server.log"
    subprocess.run(
        [*run_as, binaries / "initdb", "-D", data, "-U", _USER, "-A", "trust", "--no-sync",
         "-E", "UTF8", "--locale=C"],
        stdout=subprocess.DEVNULL, check=True,
    )  # fmt: skip
    options = (
        f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
        " -c full_page_writes=off -c max_connections=200"
    )
    start = [*run_as, binaries / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start"]
    subprocess.run(start, stdout=subprocess.DEVNULL, check=True)
    try:
        yield Cluster(folder, itertools.count())
    finally:
        stop = [*run_as, binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]
        subprocess.run(stop, stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """An empty database of the session's cluster, for one test."""
    return postgres_cluster.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each backend in turn: a fresh SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("postgres_url")
