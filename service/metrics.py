"""The service's Prometheus metrics, in a registry of their own per app (tests build many)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_BATCH_BUCKETS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    queue_depth: Gauge
    batch_size: Histogram
    cache: Counter
    model_loaded: Gauge


def create_metrics() -> Metrics:
    registry = CollectorRegistry()
    # process_resident_memory_bytes and CPU seconds: what a deployment (and the service
    # benchmark run against a URL) watches to see memory stay flat under load.
    ProcessCollector(registry=registry)
    return Metrics(
        registry=registry,
        requests=Counter(
            "fakecheck_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ("route", "method", "status"),
            registry=registry,
        ),
        latency=Histogram(
            "fakecheck_http_request_seconds",
            "Time to answer an HTTP request, by route template and status.",
            ("route", "status"),
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        ),
        queue_depth=Gauge(
            "fakecheck_queue_depth",
            "Images waiting for the detector.",
            registry=registry,
        ),
        batch_size=Histogram(
            "fakecheck_batch_size",
            "Images analysed together in one detector pass.",
            buckets=_BATCH_BUCKETS,
            registry=registry,
        ),
        cache=Counter(
            "fakecheck_cache_lookups",
            "Stored-verdict lookups before analysis, by result (hit or miss).",
            ("result",),
            registry=registry,
        ),
        model_loaded=Gauge(
            "fakecheck_model_loaded",
            "1 once the detector is loaded and serving.",
            registry=registry,
        ),
    )
