"""The app factory: wires config, store, fetcher, detector, routes and middlewares.

Tests call the same factory; they may hand in an already loaded detector (loading takes
seconds) and a resolver of their own (to make a name resolve to a private address).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from aiohttp import ThreadedResolver, web
from aiohttp.abc import AbstractResolver

from model import Detector
from service import typedefs
from service.access import Access, Buckets, TokenBuckets
from service.analysis import Analyzer
from service.config import ServiceConfig
from service.fetch import Fetcher
from service.metrics import create_metrics
from service.middlewares import check_access, check_expect, decode_body, handle_errors, observe
from service.routes import setup_routes
from service.shared_limits import SharedBuckets
from service.store import Store
from storage.urls import POSTGRESQL


def create_app(
    config: ServiceConfig,
    *,
    load_detector: Callable[[], Detector] | None = None,
    resolver: AbstractResolver | None = None,
) -> web.Application:
    app = web.Application(
        middlewares=[observe, handle_errors, check_expect, check_access, decode_body],
        client_max_size=config.max_body_bytes,
        # Bodies are inflated by the decode_body middleware, which can answer in JSON.
        handler_args={"auto_decompress": False},
    )
    app[typedefs.CONFIG] = config
    app[typedefs.METRICS] = create_metrics()
    app.cleanup_ctx.append(_store)
    app.cleanup_ctx.append(_fetcher(resolver))
    app.cleanup_ctx.append(
        _analyzer(load_detector or (lambda: Detector.load(config.detector_config())))
    )
    setup_routes(app)
    return app


async def _store(app: web.Application) -> AsyncIterator[None]:
    """The store, and the rate limits: in this process alone on SQLite, shared by every
    replica on PostgreSQL."""
    config = app[typedefs.CONFIG]
    store = await Store.open(config.store, config.store_pool_size)
    app[typedefs.STORE] = store
    buckets: Buckets | None = None
    if config.rate_per_second > 0 and store.db.dialect == POSTGRESQL:
        buckets = SharedBuckets(store.db, config.rate_per_second, config.rate_burst)
    elif config.rate_per_second > 0:
        buckets = TokenBuckets(config.rate_per_second, config.rate_burst)
    app[typedefs.ACCESS] = Access(config.api_keys, buckets)
    yield
    await store.close()


def _fetcher(resolver: AbstractResolver | None):
    async def context(app: web.Application) -> AsyncIterator[None]:
        config = app[typedefs.CONFIG]
        fetcher = Fetcher(
            resolver or ThreadedResolver(),  # made here: it needs the running loop
            allow_loopback=config.fetch_allow_loopback,
            max_bytes=config.max_body_bytes,
            timeout=config.fetch_timeout_s,
            max_redirects=config.fetch_max_redirects,
        )
        app[typedefs.FETCHER] = fetcher
        yield
        await fetcher.close()

    return context


def _analyzer(load_detector: Callable[[], Detector]):
    """The detector loads in the background: the service answers while it loads."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        analyzer = Analyzer(app[typedefs.CONFIG], app[typedefs.STORE], app[typedefs.METRICS])
        app[typedefs.ANALYZER] = analyzer
        loading = asyncio.create_task(analyzer.load(load_detector))
        yield
        loading.cancel()
        await asyncio.gather(loading, return_exceptions=True)
        await analyzer.close()

    return context
