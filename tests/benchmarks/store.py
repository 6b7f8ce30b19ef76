"""``make bench``, the store: verdict lookups per second from SQLite and from PostgreSQL (the
cached-image path: one primary-key read of a verdict), one caller and 8 at once; and the
store's share of the time of a request whose image was analysed before, on each backend.

PostgreSQL is the tests' throw-away cluster (``tests/postgres.py``) on this machine, reached
by its Unix socket: a networked server adds a round trip to each lookup. Printed, not
asserted: speed depends on the machine.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time

import requests

from service.app import create_app
from service.config import load_config
from service.store import Store
from service.typedefs import STORE
from tests.images import jpeg, scene
from tests.postgres import running_cluster
from tests.service.harness import ThreadedServer, wait_until_loaded

LOOKUPS = 2000
CONCURRENCY = 8
REQUESTS = 200


async def lookups_per_second(store: Store, key: str, version: str, callers: int) -> float:
    """Lookups of one stored verdict per second, by ``callers`` at once."""

    async def caller() -> None:
        for _ in range(LOOKUPS // callers):
            assert await store.cached(key, version) is not None

    start = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(callers)))
    return LOOKUPS / (time.perf_counter() - start)


def cached_request_seconds(url: str, image: bytes) -> float:
    """The median time of ``POST /v1/analyze`` for an image analysed before."""
    with requests.Session() as session:
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            answer = session.post(
                f"{url}/v1/analyze", data=image, headers={"Content-Type": "image/jpeg"}
            )
            times.append(time.perf_counter() - start)
            assert answer.status_code == 200 and answer.json()["cached"] is True
    return statistics.median(times)


def measure(name: str, store_url: str, detector) -> None:
    config = load_config(None, {}, store_url=store_url, rate_per_second=0.0, port=0)
    server = ThreadedServer(create_app(config, load_detector=lambda: detector))
    try:
        wait_until_loaded(server.url)
        image = jpeg(scene(7, 480, 640), 90)
        url = f"{server.url}/v1/analyze"
        stored = requests.post(url, data=image, headers={"Content-Type": "image/jpeg"}).json()
        key, version = stored["id"], stored["model"]["version"]
        store = server.app[STORE]
        alone = server.call(lookups_per_second(store, key, version, 1))
        together = server.call(lookups_per_second(store, key, version, CONCURRENCY))
        request = cached_request_seconds(server.url, image)
    finally:
        server.stop()
    share = (1 / alone) / request
    print(
        f"{'store: ' + name:<28}{alone:>9.0f} /s{together:>9.0f} /s"
        f"{request * 1000:>9.2f} ms{share:>8.0%}"
    )


def main() -> None:
    from model import Detector

    detector = Detector.load()
    print(
        f"{'verdict lookups':<28}{'1 caller':>12}{f'{CONCURRENCY} at once':>12}"
        f"{'request':>12}{'store':>8}  (cached image: lookups/s; a request, the store's share)"
    )
    with running_cluster() as cluster, tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/bench.sqlite3", detector)
        measure("PostgreSQL", cluster.new_database(), detector)


if __name__ == "__main__":
    main()
