"""A service host installs ``fakecheck[service]`` alone: ``fakecheck serve``, where praw,
tweepy and every other package outside that extra cannot be imported, loads its detector
and answers, with the bots' and training's variables in its environment (tests/hosts.py)."""

from __future__ import annotations

import os
import socket
import subprocess

import requests

from tests.hosts import fakecheck_on, missing_on
from tests.images import jpeg, scene
from tests.service.harness import wait_until_loaded


def test_the_service_host_lacks_the_bots_and_training():
    missing = set(missing_on("service"))
    assert {"praw", "prawcore", "tweepy", "matplotlib", "tqdm"} <= missing
    assert not {"jax", "flax", "onnxruntime", "onnx", "aiohttp", "PIL"} & missing


def test_serve_answers_on_a_host_without_the_bots(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "FAKECHECK_PORT": str(port),
        "FAKECHECK_DATA_DIR": str(tmp_path),
        # Not the service's: training's and the bots' (serve refused the first one once).
        "FAKECHECK_DATASETS": str(tmp_path),
        "FAKECHECK_BOT_NAME": "CheckBot",
    }
    served = fakecheck_on(
        "service", ["serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_loaded(url, process=served)
        answer = requests.post(f"{url}/v1/analyze", data=jpeg(scene(3), 90), timeout=120)
        assert answer.status_code == 200, answer.text
        assert answer.json()["verdict"] in ("likely_manipulated", "inconclusive", "no_evidence")
    finally:
        served.terminate()
        served.wait(30)
        served.stderr.close()
