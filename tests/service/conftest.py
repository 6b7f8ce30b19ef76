"""Fixtures of the service tests: a real service on 127.0.0.1 with a real SQLite store in
tmp_path. The detector loads once per session and is handed to every app (loading takes
seconds); each test starts the services it needs through ``start_service``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from aiohttp.abc import AbstractResolver

from model import Detector
from service.app import create_app
from service.config import ServiceConfig, load_config
from tests.service.harness import ThreadedServer, wait_until_loaded


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector.load()


@pytest.fixture
def service_config(tmp_path) -> Callable[..., ServiceConfig]:
    """The test config: store in tmp_path, no rate limit, unless a test says otherwise."""

    def make(**overrides) -> ServiceConfig:
        settings = {"data_dir": tmp_path / "var", "rate_per_second": 0.0, "port": 0}
        return load_config(None, {}, **{**settings, **overrides})

    return make


@pytest.fixture
def start_service(detector, service_config) -> Iterator[Callable[..., ThreadedServer]]:
    """Starts a service (more than one may run, e.g. to restart on the same store)."""
    servers: list[ThreadedServer] = []

    def start(
        resolver: AbstractResolver | None = None, load_detector=None, wait: bool = True, **settings
    ) -> ThreadedServer:
        app = create_app(
            service_config(**settings),
            load_detector=load_detector or (lambda: detector),
            resolver=resolver,
        )
        server = ThreadedServer(app)
        servers.append(server)
        if wait:
            wait_until_loaded(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def service(start_service) -> ThreadedServer:
    return start_service()
