"""Helpers of the service tests and benchmarks: a real server in a thread, a resolver
that tests control, the one check of the error shape, and a picture a generator made."""

from __future__ import annotations

import asyncio
import io
import socket
import subprocess
import threading
import time
from concurrent.futures import Future

import requests
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from PIL import Image
from PIL.PngImagePlugin import PngInfo


class ThreadedServer:
    """Runs an aiohttp app on ``host``, any free port, in a thread of its own."""

    def __init__(self, app: web.Application, host: str = "127.0.0.1"):
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(app, access_log=None)
        started: Future[int] = Future()
        self._thread = threading.Thread(target=self._run, args=(host, started), daemon=True)
        self._thread.start()
        self.port = started.result(timeout=30)
        self.url = f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def _run(self, host: str, started: Future[int]) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, host, 0)
            self.loop.run_until_complete(site.start())
            started.set_result(self._runner.addresses[0][1])
        except OSError as error:
            started.set_exception(error)
            return
        self.loop.run_forever()
        self.loop.run_until_complete(self._runner.cleanup())
        self.loop.close()

    def call(self, coroutine) -> object:
        """Runs ``coroutine`` on the server's loop and returns its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def stop(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=60)


class StaticResolver(AbstractResolver):
    """Resolves names from a table, as a poisoned or internal DNS would; others fail."""

    def __init__(self, table: dict[str, str]):
        self.table = table

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self.table:
            raise OSError(f"{host} does not resolve here")
        address = self.table[host]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": family,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        pass


def wait_until_loaded(
    url: str, timeout: float = 300.0, process: subprocess.Popen | None = None
) -> None:
    """Polls the service at ``url`` until its detector is loaded. A service still starting
    may refuse the connection; one started as ``process`` that died says why at once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None:
            assert process.poll() is None, process.stderr.read().decode()
        try:
            if requests.get(f"{url}/healthz", timeout=10).json()["model_loaded"]:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not load its detector")


def assert_error(response: requests.Response, status: int, code: str) -> dict:
    """Every error has one shape: {"error": {"code", "message"}}, as JSON."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


def analyses(server: ThreadedServer) -> int:
    """How many images the detector has analysed (the batch-size histogram's sum)."""
    # Imported here: the app's keys bring the detector (JAX), and the bot and extension
    # tests import this module for its server alone.
    from service.typedefs import METRICS

    registry = server.app[METRICS].registry
    return int(registry.get_sample_value("fakecheck_batch_size_sum") or 0)


class Origin:
    """A web server standing in for the sites images are fetched from; counts every hit.

    ``files`` maps paths to bodies (always served as text/plain: the service must trust
    magic bytes, not Content-Type); ``redirects`` maps paths to Location headers.
    """

    def __init__(
        self,
        files: dict[str, bytes] | None = None,
        redirects: dict[str, str] | None = None,
        host: str = "127.0.0.1",
    ):
        self.files = files or {}
        self.redirects = redirects or {}
        self.hits: list[str] = []
        app = web.Application()
        app.router.add_get("/{path:.*}", self._handle)
        self.server = ThreadedServer(app, host)
        self.port = self.server.port

    async def _handle(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        if request.path in self.redirects:
            raise web.HTTPFound(self.redirects[request.path])
        if request.path not in self.files:
            raise web.HTTPNotFound()
        return web.Response(body=self.files[request.path], content_type="text/plain")

    def stop(self) -> None:
        self.server.stop()


def generated(width: int = 320, height: int = 240) -> bytes:
    """A PNG carrying Stable Diffusion's generation parameters, as its web UI saves them: the
    detector calls it likely AI-generated on that declaration alone, whatever its pixels."""
    info = PngInfo()
    info.add_text("parameters", "a lighthouse at dusk\nSteps: 20, Sampler: Euler a, Seed: 7")
    picture = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()
