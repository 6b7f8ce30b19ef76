"""Every setting of the service, declared once.

Read once at start-up, in this order (later wins): the defaults below, a TOML config file,
environment variables ``FAKECHECK_<NAME>`` (``FAKECHECK_PORT=9000``,
``FAKECHECK_API_KEYS=key1,key2``), then command-line flags. The result is passed down; no
other module of the service reads the environment or a file of settings. The service owns
every ``FAKECHECK_*`` name that no other program registered as its own (``model.settings``):
those are the bots' and training's, and any other name it does not know stops it at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from model.config import DecodeConfig, DetectorConfig, get_config
from model.settings import ConfigError, check_bounds, load_settings, setting
from storage.urls import StoreUrl, StoreUrlError, store_at

__all__ = ["ConfigError", "ServiceConfig", "load_config"]


@dataclass(frozen=True)
class ServiceConfig:
    host: str = setting("127.0.0.1", "Address to listen on.")
    port: int = setting(8080, "Port to listen on (0: any free one).", at_least=0, at_most=65535)
    data_dir: Path = setting(
        Path("var"), "Folder of the SQLite store (fakecheck.sqlite3) when store_url is empty."
    )
    store_url: str = setting(
        "",
        "The store: sqlite:///PATH, or postgresql://... shared by replicas (empty: SQLite in data_dir).",
    )
    # A connection is held for one statement at a time; 10 per replica lets 8 replicas and
    # their bots stay within PostgreSQL's default of 100 connections.
    store_pool_size: int = setting(10, "Connections each service keeps to PostgreSQL.", at_least=1)
    store_images: bool = setting(
        False, "Keep uploaded images beside their verdicts (private by default)."
    )
    max_body_bytes: int = setting(
        20 * 1024 * 1024, "Largest request body, and largest image fetched from a URL.", at_least=1
    )
    # A client that stalls mid-body would otherwise hold its connection, and every byte it
    # sent, for as long as it likes. 60 s lets the 20 MB cap arrive at under 3 Mbit/s.
    body_timeout_s: float = setting(
        60.0, "Whole time allowed to receive a request body (then 408).", above=0
    )
    # Parts are parsed one by one on the event loop: 200,000 tiny ones took 15 s, holding
    # other requests up for 2 s at a time. Forms send the image alone or beside a few fields.
    multipart_max_parts: int = setting(
        16, "Parts of a multipart body searched for its field 'image' (then 400).", at_least=1
    )
    max_pixels: int = setting(
        DecodeConfig().max_pixels,
        "Images declaring more pixels are refused before decoding.",
        at_least=1,
    )
    compile_cache_dir: Path | None = setting(
        DetectorConfig().compile_cache_dir,
        "Folder of the compiled networks reused at restart (empty: none).",
    )
    api_keys: tuple[str, ...] = setting(
        (), "When set, POST /v1/analyze needs one (Authorization: Bearer KEY)."
    )
    rate_per_second: float = setting(
        2.0, "Requests per second each key or IP earns (0: no limit).", at_least=0
    )
    rate_burst: int = setting(30, "Requests a key or IP may make at once before waiting.")
    # Only the ELA-CNN runs a batch in one pass, and it costs 11-14 ms of CPU an image in
    # batches of 2 or 8 alike; the rest (about 400 ms with the AI signals) runs image by
    # image in the batch's thread, so a batch of 8 held each of its requests for all
    # eight verdicts. Threads, not batches, keep the cores busy.
    batch_max_size: int = setting(2, "Most images gathered into one detector pass.", at_least=1)
    batch_max_wait_ms: float = setting(
        5.0, "Longest a request waits for others to join its batch.", at_least=0
    )
    # Each waiting image adds about 0.2 s to the wait of those behind it (0.4 s of CPU with
    # the AI signals, over two cores): 16 keep a request's wait within about 4 s, and the
    # rest are refused at once (503 with Retry-After) rather than left to wait until their
    # clients give up (at 64, concurrency 64 waited 45 s and was never refused).
    queue_max: int = setting(16, "Images waiting for the detector before 503s start.", at_least=1)
    # One more than the 2 cores here: each batch spends part of its time holding the GIL
    # or handing results back, and a third thread fills those gaps (make bench: 18.7
    # against 17.2 images/s at concurrency 8).
    workers: int = setting(3, "Detector threads (batches analysed at the same time).", at_least=1)
    # Analysing an image holds about 10 bytes per pixel (model/config.py, DecodeConfig):
    # 600 MB for a 60 M pixel one, whose file may weigh 100 KB. With 1 GB, such images run
    # one at a time beside dozens of photos, and the service (650 MB idle) stays under 2 GB.
    memory_budget_mb: int = setting(
        1024, "Memory for images being analysed at once, beyond the idle service.", at_least=1
    )
    memory_wait_s: float = setting(
        30.0, "Longest an image waits for room in the memory budget (then 503).", at_least=0
    )
    release_memory: bool = setting(
        True, "After each batch, hand the memory it freed back to the system (glibc)."
    )
    fetch_timeout_s: float = setting(10.0, "Whole time allowed to fetch an image URL.", at_least=0)
    fetch_max_redirects: int = setting(
        3, "Redirects followed (each re-checked) when fetching.", at_least=0
    )
    fetch_allow_loopback: bool = setting(
        False, "Let URLs reach 127.0.0.1 and ::1. For tests only, never in service."
    )
    log_level: str = setting("INFO", "Level of the JSON logs.")

    def __post_init__(self) -> None:
        _check(self)

    @property
    def store(self) -> StoreUrl:
        """Where the store is: ``store_url``, else the SQLite file in ``data_dir``."""
        return store_at(self.store_url, self.data_dir / "fakecheck.sqlite3")

    def detector_config(self) -> DetectorConfig:
        """The model's defaults with the limits the service owns applied."""
        config = get_config()
        return replace(
            config,
            decode=replace(config.decode, max_pixels=self.max_pixels),
            compile_cache_dir=self.compile_cache_dir,
        )


def load_config(
    path: Path | None = None, environ: Mapping[str, str] | None = None, **overrides: Any
) -> ServiceConfig:
    """Defaults < config file < ``FAKECHECK_*`` variables < ``overrides`` (None is skipped).
    The service owns every ``FAKECHECK_*`` name no other program registered as its own."""
    return load_settings(ServiceConfig, path, environ, overrides, owns=None)


def _check(config: ServiceConfig) -> None:
    check_bounds(config)
    if config.rate_per_second and config.rate_burst < 1:
        raise ConfigError("setting rate_burst must be at least 1 when rate limiting is on")
    try:
        config.store  # noqa: B018 (parsed here to fail at start-up)
    except StoreUrlError as error:
        raise ConfigError(f"setting store_url: {error}") from error
