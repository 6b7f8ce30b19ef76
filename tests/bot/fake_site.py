"""What the fake Reddit and X share: a server on loopback in its own thread, the images
posts link to, answers a test can hold back, a log of every request, and base 36 (Reddit's
ids, X's page tokens).

Handlers run on the server's thread, tests call in from theirs: one lock guards the state.
"""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web

from tests.service.harness import ThreadedServer


def base36(number: int) -> str:
    digits, text = "0123456789abcdefghijklmnopqrstuvwxyz", ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"


class FakeSite:
    def __init__(self, image_prefix: str):
        self.requests: list[tuple[str, str]] = []
        # The client (User-Agent) of each request held back, in order.
        self.held_clients: list[str] = []
        self._lock = threading.Lock()
        self._image_prefix = image_prefix
        self._images: dict[str, tuple[bytes, int, str]] = {}
        self._holds: dict[str, threading.Event] = {}
        self._stopping = threading.Event()
        self.url = ""

    def _app(self) -> web.Application:
        """The application, already logging requests and serving images; add routes, then
        ``_serve`` it."""
        app = web.Application(middlewares=[self._log])
        app.router.add_get(f"{self._image_prefix}/{{name}}", self._image)
        return app

    def _serve(self, app: web.Application) -> None:
        self.server = ThreadedServer(app)
        self.url = self.server.url

    def stop(self) -> None:
        self._stopping.set()
        self.server.stop()

    def add_image(
        self, name: str, data: bytes, status: int = 200, content_type: str = "image/jpeg"
    ) -> str:
        """Serves ``data`` as ``content_type`` (or only ``status``, for a deleted image);
        returns its URL. An image link may also answer a web page about the image."""
        with self._lock:
            self._images[name] = (data, status, content_type)
        return f"{self.url}{self._image_prefix}/{name}"

    def hold_image(self, name: str) -> threading.Event:
        """The next fetch of the image waits until the event is set."""
        return self._hold(f"image:{name}")

    def _hold(self, key: str) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._holds[key] = event
        return event

    async def _wait(self, key: str, request: web.Request) -> None:
        """Holds this answer back while the test wants (never past stop)."""
        with self._lock:
            event = self._holds.pop(key, None)
            if event is not None:
                self.held_clients.append(request.headers.get("User-Agent", ""))
        while event is not None and not event.is_set() and not self._stopping.is_set():
            await asyncio.sleep(0.02)

    @web.middleware
    async def _log(self, request: web.Request, handler) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        return await handler(request)

    async def _image(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        await self._wait(f"image:{name}", request)
        with self._lock:
            data, status, content_type = self._images.get(name, (b"", 404, ""))
        if status != 200:
            return web.Response(status=status, text="gone")
        return web.Response(body=data, content_type=content_type)
