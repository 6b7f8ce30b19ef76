"""Every setting of the bots, declared once.

Read once at start-up like the service's (see ``model.settings``): defaults, a TOML file,
``FAKECHECK_<NAME>`` variables, flags. Reddit's own credentials stay where praw keeps them:
a ``praw.ini`` site or praw's ``praw_*`` variables. X's keys come from the environment.
The result is passed down; no other module of the bot reads the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.settings import BOT_PREFIXES, ConfigError, load_settings
from storage.urls import SQLITE, StoreUrl, StoreUrlError, parse_store_url

__all__ = ["BotConfig", "ConfigError", "load_config"]


@dataclass(frozen=True)
class BotConfig:
    bot_name: str = field(
        default="FakeCheckBot", metadata={"help": "The bot's account name on Reddit and X."}
    )
    bot_service_url: str = field(
        default="http://127.0.0.1:8080", metadata={"help": "Where the FakeCheck service answers."}
    )
    bot_service_api_key: str = field(
        default="", metadata={"help": "Sent as Authorization: Bearer when the service wants one."}
    )
    bot_service_timeout_s: float = field(
        default=120.0, metadata={"help": "Longest wait for the service's answer on one image."}
    )
    bot_public_url: str = field(
        default="",
        metadata={"help": "The service's address as readers reach it (default: service URL)."},
    )
    bot_state_path: Path = field(
        default=Path("var/bot.sqlite3"),
        metadata={"help": "The bots' SQLite work queue when bot_store_url is empty."},
    )
    bot_store_url: str = field(
        default="",
        metadata={
            "help": "The bots' store: sqlite:///PATH, or postgresql://... shared by many bot "
            "runs (empty: bot_state_path)."
        },
    )
    bot_ignore_users: tuple[str, ...] = field(
        default=(), metadata={"help": "Other bots never answered (AutoModerator always is)."}
    )
    bot_summons_per_hour: int = field(
        default=5, metadata={"help": "Summons answered per user per hour; more are skipped."}
    )
    bot_summons_max_age_h: float = field(
        default=24.0, metadata={"help": "Summons older than this many hours are skipped."}
    )
    bot_poll_interval_s: float = field(
        default=30.0, metadata={"help": "Pause between rounds when running continuously."}
    )
    bot_retry_base_s: float = field(
        default=30.0, metadata={"help": "First wait after a fault; doubles per attempt."}
    )
    bot_retry_max_s: float = field(default=1800.0, metadata={"help": "Longest wait between tries."})
    bot_max_attempts: int = field(
        default=8,
        metadata={"help": "Tries before an item failing for an unknown reason is dropped."},
    )
    bot_reply_search_pages: int = field(
        default=10,
        metadata={
            "help": "Before answering an item again, how many pages (100 each) of the bot's "
            "own posts since the item are searched for an earlier answer."
        },
    )
    bot_once_wait_s: float = field(
        default=60.0,
        metadata={"help": "With --once, how long to wait for items the platform asked to delay."},
    )
    bot_log_level: str = field(default="INFO", metadata={"help": "Level of the JSON logs."})
    reddit_site: str = field(
        default="DEFAULT", metadata={"help": "The praw.ini site holding the Reddit credentials."}
    )
    reddit_url: str = field(
        default="", metadata={"help": "Another Reddit endpoint (tests); empty: reddit.com."}
    )
    x_api_url: str = field(
        default="", metadata={"help": "Another X API endpoint (tests); empty: api.twitter.com."}
    )
    x_consumer_key: str = field(default="", metadata={"help": "X app key (OAuth 1.0a)."})
    x_consumer_secret: str = field(default="", metadata={"help": "X app secret."})
    x_access_token: str = field(default="", metadata={"help": "The bot account's access token."})
    x_access_token_secret: str = field(
        default="", metadata={"help": "The bot account's access token secret."}
    )

    def __post_init__(self) -> None:
        _check(self)

    @property
    def bot_store(self) -> StoreUrl:
        """Where the bots' store is: ``bot_store_url``, else the SQLite ``bot_state_path``."""
        if not self.bot_store_url:
            return StoreUrl(SQLITE, str(self.bot_state_path))
        return parse_store_url(self.bot_store_url)

    @property
    def report_base(self) -> str:
        """The base of the links in replies: the public address, else the service's."""
        return (self.bot_public_url or self.bot_service_url).rstrip("/")


def load_config(
    path: Path | None = None, environ: Mapping[str, str] | None = None, **overrides: Any
) -> BotConfig:
    """Defaults < config file < ``FAKECHECK_*`` variables < ``overrides`` (None is skipped)."""
    return load_settings(BotConfig, path, environ, overrides, owns=_owned)


def _owned(name: str) -> bool:
    return name.startswith(BOT_PREFIXES)


def _check(config: BotConfig) -> None:
    for name in ("bot_summons_per_hour", "bot_max_attempts", "bot_reply_search_pages"):
        if getattr(config, name) < 1:
            raise ConfigError(f"setting {name} must be at least 1")
    waits = ("bot_poll_interval_s", "bot_retry_base_s", "bot_retry_max_s", "bot_once_wait_s")
    for name in waits:
        if getattr(config, name) < 0:
            raise ConfigError(f"setting {name} must not be negative")
    if config.bot_service_timeout_s <= 0:
        raise ConfigError("setting bot_service_timeout_s must be positive")
    try:
        config.bot_store  # noqa: B018 (parsed here to fail at start-up)
    except StoreUrlError as error:
        raise ConfigError(f"setting bot_store_url: {error}") from error
    if not config.bot_service_url.startswith(("http://", "https://")):
        raise ConfigError("setting bot_service_url must be an http(s) URL")
