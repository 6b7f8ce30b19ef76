"""Fixtures of more than one test folder: the detector, loaded once per session (loading
takes seconds), and real services on 127.0.0.1 with a real SQLite store in tmp_path, each
handed that detector; each test starts the services it needs through ``start_service``.

Nothing heavy is imported here: the detector (JAX) and the service's app load inside the
fixtures, so the bot and storage tests never load them unless they start a service. The
pictures the tests make are in ``tests/images.py``, the shared datasets in
``tests/datasets.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from aiohttp.abc import AbstractResolver

    from model import Detector
    from service.config import ServiceConfig
    from tests.service.harness import ThreadedServer

# The throw-away PostgreSQL cluster, one per session, and the backends' parametrised store_url.
pytest_plugins = ["tests.postgres"]


@pytest.fixture(scope="session")
def detector() -> Detector:
    from model import Detector

    return Detector.load()


@pytest.fixture
def service_config(tmp_path) -> Callable[..., ServiceConfig]:
    """The test config: store in tmp_path, no rate limit, unless a test says otherwise."""
    from service.config import load_config

    def make(**overrides) -> ServiceConfig:
        settings = {"data_dir": tmp_path / "var", "rate_per_second": 0.0, "port": 0}
        return load_config(None, {}, **{**settings, **overrides})

    return make


@pytest.fixture
def start_service(detector, service_config) -> Iterator[Callable[..., ThreadedServer]]:
    """Starts a service (more than one may run, e.g. to restart on the same store)."""
    from service.app import create_app
    from tests.service.harness import ThreadedServer, wait_until_loaded

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
            wait_until_loaded(server.url)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def service(start_service) -> ThreadedServer:
    return start_service()
