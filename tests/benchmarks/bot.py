"""The Reddit bot's own cost, as a ratio measured in this one run (``make bench``).

A real ``fakecheck serve`` process and the fake Reddit of the bot tests on loopback. The same
number of distinct 1 MP photos is checked twice: once by posting their URLs to the service
one after another (what the bot cannot do faster), once as summons answered by
``fakecheck bot reddit --once`` (process start, inbox, post pages, replies, SQLite state
included). Printed, not asserted: speed depends on the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.benchmarks.__main__ import photo
from tests.benchmarks.service import Served, tagged
from tests.bot.fake_reddit import FakeReddit
from tests.service.harness import wait_until_loaded

SUMMONS = 30
BOT = "FakeCheckBot"


def main() -> None:
    images = tagged([photo(1155, 866)], "bot")
    with tempfile.TemporaryDirectory() as folder:
        served = Served(folder, fetch_allow_loopback="1")
        reddit = FakeReddit(BOT)
        try:
            wait_until_loaded(served.url)
            for n in range(3):  # warm-up: the first passes compile
                warm = reddit.add_image(f"w{n}.jpg", next(images))
                requests.post(f"{served.url}/v1/analyze", json={"url": warm}, timeout=120)
            direct_urls = [reddit.add_image(f"d{n}.jpg", next(images)) for n in range(SUMMONS)]
            started = time.perf_counter()
            for url in direct_urls:
                response = requests.post(f"{served.url}/v1/analyze", json={"url": url}, timeout=120)
                response.raise_for_status()
            direct = time.perf_counter() - started

            summons = []
            for n in range(SUMMONS):
                post = reddit.add_post(
                    "pics", "alice", url=reddit.add_image(f"b{n}.jpg", next(images))
                )
                summons.append(reddit.mention(post, "bob"))
            started = time.perf_counter()
            _run_bot(served.url, reddit.url, Path(folder) / "bot.sqlite3")
            bot = time.perf_counter() - started
            answered = sum(len(reddit.replies_to(s)) == 1 for s in summons)
        finally:
            reddit.stop()
            served.stop()
    print(
        f"{'bot: 30 summons, 1 MP':<28}{bot:>9.2f} s{direct:>9.2f} s{bot / direct:>8.2f}  "
        f"bot / service alone; {answered}/{SUMMONS} answered once, "
        f"{(bot - direct) / SUMMONS * 1000:.0f} ms bot overhead per summons"
    )


def _run_bot(service_url: str, reddit_url: str, state: Path) -> None:
    env = {
        **os.environ,
        "FAKECHECK_BOT_SERVICE_URL": service_url,
        "FAKECHECK_BOT_STATE_PATH": str(state),
        "FAKECHECK_BOT_SUMMONS_PER_HOUR": str(SUMMONS),
        "FAKECHECK_BOT_LOG_LEVEL": "WARNING",
        "FAKECHECK_REDDIT_URL": reddit_url,
        "praw_client_id": "bench",
        "praw_client_secret": "bench",
        "FAKECHECK_BOT_NAME": BOT,
        "praw_username": BOT,
        "praw_password": "bench",
        "praw_user_agent": "fakecheck-bench",
    }
    command = [
        sys.executable,
        "-c",
        "from model.cli import main; main()",
        "bot",
        "reddit",
        "--once",
    ]
    subprocess.run(command, env=env, check=True)
