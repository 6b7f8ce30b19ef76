"""The typed keys under which the app keeps what its handlers share, and a request its body."""

from __future__ import annotations

from aiohttp import StreamReader, web

from service.access import Access
from service.analysis import Analyzer
from service.config import ServiceConfig
from service.fetch import Fetcher
from service.metrics import Metrics
from service.store import Store

CONFIG = web.AppKey("config", ServiceConfig)
METRICS = web.AppKey("metrics", Metrics)
ACCESS = web.AppKey("access", Access)
STORE = web.AppKey("store", Store)
FETCHER = web.AppKey("fetcher", Fetcher)
ANALYZER = web.AppKey("analyzer", Analyzer)
# The request body as handlers read it: as sent, or inflated by the decode_body middleware.
BODY = web.RequestKey("body", StreamReader)
