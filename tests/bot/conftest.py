"""Fixtures of the bot tests: fake Reddit and X servers on loopback, a real FakeCheck
service that fetches the images from them, and the bot run as ``fakecheck bot ... --once``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import bot
from bot.config import load_config
from bot.store import Store
from tests.bot.fake_reddit import FakeReddit
from tests.bot.fake_service import StandInService
from tests.bot.fake_x import FakeX
from tests.service.harness import ThreadedServer

BOT = "FakeCheckBot"
FAKECHECK = str(Path(sys.executable).parent / "fakecheck")


@pytest.fixture
def fake_reddit() -> Iterator[FakeReddit]:
    fake = FakeReddit(BOT)
    yield fake
    fake.stop()


@pytest.fixture
def fake_x() -> Iterator[FakeX]:
    fake = FakeX(BOT)
    yield fake
    fake.stop()


@pytest.fixture
def service(start_service) -> ThreadedServer:
    # The images live on the fake platforms, on loopback.
    return start_service(fetch_allow_loopback=True)


@pytest.fixture
def stand_in_service() -> Iterator[Callable[..., StandInService]]:
    """Starts services that give every image one fixed answer (see ``StandInService``)."""
    started: list[StandInService] = []

    def start(status: int, body: dict[str, Any] | str) -> StandInService:
        started.append(StandInService(status, body))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def bot_env(tmp_path, service, fake_reddit, fake_x) -> dict[str, str]:
    """The environment of every bot run here: fakes' endpoints, quick retries, the state."""
    return {
        "FAKECHECK_BOT_NAME": BOT,
        "FAKECHECK_BOT_SERVICE_URL": service.url,
        "FAKECHECK_BOT_STATE_PATH": str(tmp_path / "bot.sqlite3"),
        "FAKECHECK_BOT_RETRY_BASE_S": "0.2",
        "FAKECHECK_BOT_ONCE_WAIT_S": "5",
        "FAKECHECK_REDDIT_URL": fake_reddit.url,
        "FAKECHECK_X_API_URL": fake_x.url,
        "FAKECHECK_X_CONSUMER_KEY": "consumer-key",
        "FAKECHECK_X_CONSUMER_SECRET": "consumer-secret",
        "FAKECHECK_X_ACCESS_TOKEN": "access-token",
        "FAKECHECK_X_ACCESS_TOKEN_SECRET": "access-secret",
        # praw reads its credentials from its own variables (or a praw.ini site).
        "praw_client_id": "client-id",
        "praw_client_secret": "client-secret",
        "praw_username": BOT,
        "praw_password": "password",
        "praw_user_agent": "fakecheck-tests",
    }


@pytest.fixture
def run_bot(bot_env) -> Callable[..., None]:
    """Runs ``fakecheck bot PLATFORM --once`` in this process, with ``bot_env`` (+ changes)."""

    def run(platform: str, **changes: str) -> None:
        result = CliRunner().invoke(
            bot, [platform, "--once"], env={**bot_env, **changes}, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output

    return run


@pytest.fixture
def state(bot_env) -> Iterator[Callable[[], Store]]:
    """Opens the bots' store to look at what happened to each item."""
    opened: list[Store] = []

    def open_store() -> Store:
        opened.append(Store(load_config(None, bot_env).bot_store))
        return opened[-1]

    yield open_store
    for store in opened:
        store.close()


def start(bot_env: dict[str, str], platform: str = "reddit") -> subprocess.Popen:
    """``fakecheck bot PLATFORM --once`` as a process of its own, to be killed for real."""
    return subprocess.Popen(
        [FAKECHECK, "bot", platform, "--once"],
        env={**os.environ, **bot_env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
