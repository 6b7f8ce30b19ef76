"""The service under load, as ratios measured in this one run (``make bench``).

A real ``fakecheck serve`` process on loopback; clients post distinct images (a counter in a
JPEG comment makes every file new, so nothing is answered from the store).
Goals (issue: the service): throughput at concurrency 8 at least 1.7x the single-request
rate on 2 cores; RSS after 5,000 requests within 10 % of RSS after 500; under overload,
503s rather than timeouts. Printed, not asserted: speed depends on the machine.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp

from tests.benchmarks.__main__ import photo

ONE_MP = (1155, 866)
SMALL = (320, 240)
CONCURRENCY_RUNS = ((1, 30), (8, 120), (32, 200))  # (concurrent clients, requests)
MEMORY_CHECKPOINTS = (500, 5000)
OVERLOAD_REQUESTS = 400


def numbered(base: bytes) -> Iterator[bytes]:
    """The same picture with a different JPEG comment each time: new bytes, same pixels."""
    for n in itertools.count():
        text = f"fakecheck bench {n}".encode()
        yield base[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + base[2:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Served:
    """``fakecheck serve`` in a process of its own, with a store in a temporary folder."""

    def __init__(self, data_dir: str, **settings: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            # FAKECHECK_DATASETS is the tests' own, not a setting: serve refuses unknown ones.
            **{k: v for k, v in os.environ.items() if k != "FAKECHECK_DATASETS"},
            "FAKECHECK_PORT": str(self.port),
            "FAKECHECK_DATA_DIR": data_dir,
            "FAKECHECK_RATE_PER_SECOND": "0",
            "FAKECHECK_LOG_LEVEL": "WARNING",
            **{f"FAKECHECK_{k.upper()}": v for k, v in settings.items()},
        }
        command = [sys.executable, "-c", "from model.cli import main; main()", "serve"]
        self.process = subprocess.Popen(command, env=env)

    async def wait_loaded(self, session: aiohttp.ClientSession) -> None:
        for _ in range(1200):
            try:
                async with session.get(f"{self.url}/healthz") as response:
                    if (await response.json())["model_loaded"]:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError("the service did not start")

    def wait_loaded_here(self) -> None:
        """``wait_loaded`` for callers that run no event loop of their own."""

        async def wait() -> None:
            async with aiohttp.ClientSession() as session:
                await self.wait_loaded(session)

        asyncio.run(wait())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


async def load(
    session: aiohttp.ClientSession, url: str, images: Iterator[bytes], clients: int, total: int
) -> tuple[list[float], Counter, float]:
    """``total`` requests from ``clients`` concurrent clients: latencies, statuses, seconds."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    remaining = iter(range(total))

    async def client() -> None:
        for _ in remaining:
            started = time.perf_counter()
            try:
                async with session.post(
                    f"{url}/v1/analyze", data=next(images), headers={"Content-Type": "image/jpeg"}
                ) as response:
                    await response.read()
                    statuses[response.status] += 1
            except TimeoutError:
                statuses["timeout"] += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, statuses, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[round(share * 100) - 1]


async def run() -> None:
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=0)
    with tempfile.TemporaryDirectory() as data_dir:
        served = Served(data_dir)
        try:
            async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
                await served.wait_loaded(session)
                await measure(session, served)
        finally:
            served.stop()


async def measure(session: aiohttp.ClientSession, served: Served) -> None:
    big = numbered(photo(*ONE_MP))
    for clients in (1, 2, 4, 8, 16):  # warm-up: every batch size compiles once
        await load(session, served.url, big, clients, clients * 2)
    print(f"\n{'service, 1 MP JPEG':<28}{'p50':>10}{'p99':>10}{'req/s':>10}  statuses")
    rates = {}
    for clients, total in CONCURRENCY_RUNS:
        latencies, statuses, seconds = await load(session, served.url, big, clients, total)
        rates[clients] = total / seconds
        print(
            f"{'concurrency ' + str(clients):<28}{percentile(latencies, 0.5) * 1000:>7.0f} ms"
            f"{percentile(latencies, 0.99) * 1000:>7.0f} ms{rates[clients]:>10.1f}  "
            f"{dict(statuses)}"
        )
    print(f"{'throughput 8 / 1':<28}{rates[8] / rates[1]:>30.2f}  goal >= 1.7")

    small = numbered(photo(*SMALL))
    rss = {}
    done = 0
    for checkpoint in MEMORY_CHECKPOINTS:
        await load(session, served.url, small, 8, checkpoint - done)
        done = checkpoint
        rss[checkpoint] = rss_mb(served.process.pid)
    first, last = MEMORY_CHECKPOINTS
    growth = rss[last] / rss[first] - 1
    print(
        f"{'RSS after 500 / 5,000':<28}{rss[first]:>7.0f} MB{rss[last]:>7.0f} MB"
        f"{growth * 100:>+9.1f} %  goal <= +10 %"
    )

    latencies, statuses, seconds = await load(
        session, served.url, big, OVERLOAD_REQUESTS, OVERLOAD_REQUESTS
    )
    share = statuses[503] / OVERLOAD_REQUESTS
    print(
        f"{'overload (400 at once)':<28}{share * 100:>8.0f} % 503  "
        f"timeouts {statuses['timeout']}, slowest {max(latencies):.1f} s, {dict(statuses)}"
    )


def main() -> None:
    asyncio.run(run())
