"""``fakecheck serve`` as a process of its own, as one replica among several behind a
balancer would run: started with settings, waited for until its detector is loaded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.service.harness import wait_until_loaded

FAKECHECK = str(Path(sys.executable).parent / "fakecheck")
ROOT = Path(__file__).resolve().parents[2]
OFFLINE = "tests.service.offline_serve"


class Replica:
    """A service process on a free loopback port; ``settings`` become FAKECHECK_* variables.
    ``offline`` runs it with a fetcher that resolves no name (``tests.service.offline_serve``)."""

    def __init__(self, offline: bool = False, **settings: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        # Warnings and errors only: nothing reads the pipe until the process dies, and a
        # line per request would fill it and stop the replica.
        settings = {"log_level": "WARNING", **settings}
        environ = {f"FAKECHECK_{name.upper()}": value for name, value in settings.items()}
        command = [sys.executable, "-m", OFFLINE] if offline else [FAKECHECK, "serve"]
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **environ, "FAKECHECK_PORT": str(port)},
            cwd=ROOT,  # where ``tests`` is a package, for the offline replica
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.process.stderr.close()


def start_replicas(count: int, offline: bool = False, **settings: str) -> list[Replica]:
    """``count`` replicas with the same settings, each loaded (stopped again on failure)."""
    started = [Replica(offline, **settings) for _ in range(count)]
    try:
        for replica in started:
            wait_until_loaded(replica.url, process=replica.process)
    except BaseException:
        for replica in started:
            replica.stop()
        raise
    return started
