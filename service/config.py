"""Every setting of the service, declared once.

Read once at start-up, in this order (later wins): the defaults below, a TOML config file,
environment variables ``FAKECHECK_<NAME>`` (``FAKECHECK_PORT=9000``,
``FAKECHECK_API_KEYS=key1,key2``), then command-line flags. The result is passed down; no
other module of the service reads the environment or a file of settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from model.config import DecodeConfig, DetectorConfig, get_config
from model.settings import BOT_PREFIXES, ConfigError, load_settings
from storage.urls import SQLITE, StoreUrl, StoreUrlError, parse_store_url

__all__ = ["ConfigError", "ServiceConfig", "load_config"]


@dataclass(frozen=True)
class ServiceConfig:
    host: str = field(default="127.0.0.1", metadata={"help": "Address to listen on."})
    port: int = field(default=8080, metadata={"help": "Port to listen on (0: any free one)."})
    data_dir: Path = field(
        default=Path("var"),
        metadata={
            "help": "Folder of the SQLite store (fakecheck.sqlite3) when store_url is empty."
        },
    )
    store_url: str = field(
        default="",
        metadata={
            "help": "The store: sqlite:///PATH, or postgresql://... shared by replicas "
            "(empty: SQLite in data_dir)."
        },
    )
    # A connection is held for one statement at a time; 10 per replica lets 8 replicas and
    # their bots stay within PostgreSQL's default of 100 connections.
    store_pool_size: int = field(
        default=10, metadata={"help": "Connections each service keeps to PostgreSQL."}
    )
    store_images: bool = field(
        default=False,
        metadata={"help": "Keep uploaded images beside their verdicts (private by default)."},
    )
    max_body_bytes: int = field(
        default=20 * 1024 * 1024,
        metadata={"help": "Largest request body, and largest image fetched from a URL."},
    )
    # A client that stalls mid-body would otherwise hold its connection, and every byte it
    # sent, for as long as it likes. 60 s lets the 20 MB cap arrive at under 3 Mbit/s.
    body_timeout_s: float = field(
        default=60.0, metadata={"help": "Whole time allowed to receive a request body (then 408)."}
    )
    # Parts are parsed one by one on the event loop: 200,000 tiny ones took 15 s, holding
    # other requests up for 2 s at a time. Forms send the image alone or beside a few fields.
    multipart_max_parts: int = field(
        default=16,
        metadata={"help": "Parts of a multipart body searched for its field 'image' (then 400)."},
    )
    max_pixels: int = field(
        default=DecodeConfig().max_pixels,
        metadata={"help": "Images declaring more pixels are refused before decoding."},
    )
    compile_cache_dir: Path | None = field(
        default=DetectorConfig().compile_cache_dir,
        metadata={"help": "Folder of the compiled networks reused at restart (empty: none)."},
    )
    api_keys: tuple[str, ...] = field(
        default=(),
        metadata={"help": "When set, POST /v1/analyze needs one (Authorization: Bearer KEY)."},
    )
    rate_per_second: float = field(
        default=2.0, metadata={"help": "Requests per second each key or IP earns (0: no limit)."}
    )
    rate_burst: int = field(
        default=30, metadata={"help": "Requests a key or IP may make at once before waiting."}
    )
    # Only the ELA-CNN runs a batch in one pass, and it costs 11-14 ms of CPU an image in
    # batches of 2 or 8 alike; the rest (about 400 ms with the AI signals) runs image by
    # image in the batch's thread, so a batch of 8 held each of its requests for all
    # eight verdicts. Threads, not batches, keep the cores busy.
    batch_max_size: int = field(
        default=2, metadata={"help": "Most images gathered into one detector pass."}
    )
    batch_max_wait_ms: float = field(
        default=5.0, metadata={"help": "Longest a request waits for others to join its batch."}
    )
    # Each waiting image adds about 0.2 s to the wait of those behind it (0.4 s of CPU with
    # the AI signals, over two cores): 16 keep a request's wait within about 4 s, and the
    # rest are refused at once (503 with Retry-After) rather than left to wait until their
    # clients give up (at 64, concurrency 64 waited 45 s and was never refused).
    queue_max: int = field(
        default=16, metadata={"help": "Images waiting for the detector before 503s start."}
    )
    # One more than the 2 cores here: each batch spends part of its time holding the GIL
    # or handing results back, and a third thread fills those gaps (make bench: 18.7
    # against 17.2 images/s at concurrency 8).
    workers: int = field(
        default=3, metadata={"help": "Detector threads (batches analysed at the same time)."}
    )
    # Analysing an image holds about 10 bytes per pixel (model/config.py, DecodeConfig):
    # 600 MB for a 60 M pixel one, whose file may weigh 100 KB. With 1 GB, such images run
    # one at a time beside dozens of photos, and the service (650 MB idle) stays under 2 GB.
    memory_budget_mb: int = field(
        default=1024,
        metadata={"help": "Memory for images being analysed at once, beyond the idle service."},
    )
    memory_wait_s: float = field(
        default=30.0,
        metadata={"help": "Longest an image waits for room in the memory budget (then 503)."},
    )
    release_memory: bool = field(
        default=True,
        metadata={"help": "After each batch, hand the memory it freed back to the system (glibc)."},
    )
    fetch_timeout_s: float = field(
        default=10.0, metadata={"help": "Whole time allowed to fetch an image URL."}
    )
    fetch_max_redirects: int = field(
        default=3, metadata={"help": "Redirects followed (each re-checked) when fetching."}
    )
    fetch_allow_loopback: bool = field(
        default=False,
        metadata={"help": "Let URLs reach 127.0.0.1 and ::1. For tests only, never in service."},
    )
    log_level: str = field(default="INFO", metadata={"help": "Level of the JSON logs."})

    def __post_init__(self) -> None:
        _check(self)

    @property
    def store(self) -> StoreUrl:
        """Where the store is: ``store_url``, else the SQLite file in ``data_dir``."""
        if not self.store_url:
            return StoreUrl(SQLITE, str(self.data_dir / "fakecheck.sqlite3"))
        return parse_store_url(self.store_url)

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
    """Defaults < config file < ``FAKECHECK_*`` variables < ``overrides`` (None is skipped)."""
    return load_settings(ServiceConfig, path, environ, overrides, owns=_owned)


def _owned(name: str) -> bool:
    """The bots' settings may share the environment; their names are theirs, the rest ours."""
    return not name.startswith(BOT_PREFIXES)


def _check(config: ServiceConfig) -> None:
    positive = (
        "max_body_bytes",
        "multipart_max_parts",
        "max_pixels",
        "batch_max_size",
        "queue_max",
        "workers",
        "memory_budget_mb",
        "store_pool_size",
    )
    for name in positive:
        if getattr(config, name) < 1:
            raise ConfigError(f"setting {name} must be at least 1")
    if config.body_timeout_s <= 0:
        raise ConfigError("setting body_timeout_s must be more than 0")
    for name in (
        "rate_per_second",
        "batch_max_wait_ms",
        "fetch_timeout_s",
        "fetch_max_redirects",
        "memory_wait_s",
    ):
        if getattr(config, name) < 0:
            raise ConfigError(f"setting {name} must not be negative")
    if config.rate_per_second and config.rate_burst < 1:
        raise ConfigError("setting rate_burst must be at least 1 when rate limiting is on")
    try:
        config.store  # noqa: B018 (parsed here to fail at start-up)
    except StoreUrlError as error:
        raise ConfigError(f"setting store_url: {error}") from error
    if not 0 <= config.port <= 65535:
        raise ConfigError("setting port must be between 0 and 65535")
