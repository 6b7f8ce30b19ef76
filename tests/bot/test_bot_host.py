"""A bot host installs ``fakecheck[bot]`` alone: the real bot, run as ``fakecheck bot reddit
--once`` where JAX, ONNX Runtime, numpy, Pillow, aiohttp and every other package outside
that extra cannot be imported, answers a summons (tests/hosts.py)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.bot.conftest import BOT
from tests.hosts import fakecheck_on, missing_on
from tests.images import jpeg, scene

SHA = "ab" * 32
VERDICT = {
    "id": SHA,
    "verdict": "likely_manipulated",
    "kind": "edited",
    "label": "Likely edited",
    "score": 0.93,
    "reasons": ["Region at top-left has a compression history unlike the rest of the image"],
    "report_url": f"/results/{SHA}",
}


def test_the_bot_host_lacks_the_detector_and_the_service():
    missing = set(missing_on("bot"))
    assert {"jax", "flax", "optax", "onnxruntime", "onnx", "numpy", "PIL", "aiohttp"} <= missing
    assert not {"praw", "tweepy", "requests", "psycopg", "click"} & missing


def test_the_reddit_bot_answers_on_a_host_without_the_detector(
    tmp_path, fake_reddit, stand_in_service
):
    service = stand_in_service(200, VERDICT)
    post = fake_reddit.add_post(
        "pics", "alice", url=fake_reddit.add_image("a.jpg", jpeg(scene(2), 90))
    )
    summons = fake_reddit.mention(post, "bob")
    env = {
        **os.environ,
        "FAKECHECK_BOT_NAME": BOT,
        "FAKECHECK_BOT_SERVICE_URL": service.url,
        "FAKECHECK_BOT_STATE_PATH": str(tmp_path / "bot.sqlite3"),
        "FAKECHECK_BOT_ONCE_WAIT_S": "5",
        "FAKECHECK_REDDIT_URL": fake_reddit.url,
        # The service's and training's names in the same environment are left alone.
        "FAKECHECK_PORT": "9",
        "FAKECHECK_DATASETS": str(tmp_path),
        "praw_client_id": "client-id",
        "praw_client_secret": "client-secret",
        "praw_username": BOT,
        "praw_password": "password",
        "praw_user_agent": "fakecheck-tests",
    }
    run = fakecheck_on(
        "bot", ["bot", "reddit", "--once"], env=env, stderr=subprocess.PIPE, text=True
    )
    _, stderr = run.communicate(timeout=120)

    assert run.returncode == 0, stderr
    assert service.calls == 1
    (reply,) = fake_reddit.replies_to(summons)
    assert "Likely edited" in reply


@pytest.mark.parametrize("args", [[], ["--host", "0.0.0.0", "--port", "8080"], ["--help"]])
def test_fakecheck_says_which_extra_a_command_needs(args):
    run = fakecheck_on(
        "bot", ["serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stdout, stderr = run.communicate(timeout=120)
    assert "Traceback" not in stderr
    if args == ["--help"]:
        assert run.returncode == 0 and "fakecheck[service]" in stdout
    else:
        assert run.returncode == 1 and "pip install 'fakecheck[service]'" in stderr
    listing = fakecheck_on("bot", ["--help"], stdout=subprocess.PIPE, text=True)
    stdout, _ = listing.communicate(timeout=120)
    assert listing.returncode == 0 and "bot " in stdout and "fakecheck[service]" in stdout
