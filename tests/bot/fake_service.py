"""A stand-in for the FakeCheck service that gives every image one fixed answer, for the
answers the real service gives only when something breaks (500) or that come from a proxy
in front of it (502 or 504 without a FakeCheck body), and for an analysis held as long as a
test needs."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web

from tests.service.harness import ThreadedServer


class StandInService:
    """``POST /v1/analyze`` always answers ``status`` with ``body`` (JSON when a dict, else
    plain text); ``calls`` counts the requests."""

    def __init__(self, status: int, body: dict[str, Any] | str):
        self.status, self.body, self.calls = status, body, 0
        self._gate: threading.Event | None = None
        app = web.Application()
        app.router.add_post("/v1/analyze", self._analyze)
        self.server = ThreadedServer(app)
        self.url = self.server.url

    def hold(self) -> threading.Event:
        """Every analysis from now on waits to answer until the returned event is set."""
        self._gate = threading.Event()
        return self._gate

    async def _analyze(self, request: web.Request) -> web.Response:
        self.calls += 1
        if self._gate is not None:
            await asyncio.to_thread(self._gate.wait, 120)
        if isinstance(self.body, dict):
            return web.json_response(self.body, status=self.status)
        return web.Response(status=self.status, text=self.body)

    def stop(self) -> None:
        self.server.stop()
