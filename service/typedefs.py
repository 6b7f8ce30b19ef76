"""The typed keys under which the app keeps what its handlers share."""

from __future__ import annotations

from aiohttp import web

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
