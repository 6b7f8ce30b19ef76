"""Every setting of the bots, declared once.

Read once at start-up like the service's (see ``model.settings``): defaults, a TOML file,
``FAKECHECK_<NAME>`` variables, flags. Reddit's own credentials stay where praw keeps them:
a ``praw.ini`` site or praw's ``praw_*`` variables. X's keys come from the environment.
The result is passed down; no other module of the bot reads the environment. The bots own
the ``FAKECHECK_*`` names in ``OWNED``: other programs sharing the environment leave them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.settings import ConfigError, check_bounds, load_settings, setting
from storage.urls import StoreUrl, StoreUrlError, store_at

__all__ = ["OWNED", "BotConfig", "ConfigError", "load_config"]


# The FAKECHECK_* names the bots own (see model.settings), registered in pyproject.toml.
OWNED = ("bot_", "reddit_", "x_")


@dataclass(frozen=True)
class BotConfig:
    bot_name: str = setting("FakeCheckBot", "The bot's account name on Reddit and X.")
    bot_service_url: str = setting("http://127.0.0.1:8080", "Where the FakeCheck service answers.")
    bot_service_api_key: str = setting(
        "", "Sent as Authorization: Bearer if the service wants one."
    )
    bot_service_timeout_s: float = setting(120.0, "Longest wait for one verdict.", above=0)
    bot_public_url: str = setting("", "The service as readers reach it (default: service URL).")
    bot_state_path: Path = setting(Path("var/bot.sqlite3"), "The SQLite queue if no store URL.")
    bot_store_url: str = setting(
        "",
        "The bots' store: sqlite:///PATH, or postgresql://... shared by many bot runs "
        "(empty: bot_state_path).",
    )
    bot_ignore_users: tuple[str, ...] = setting((), "Bots never answered (and AutoModerator).")
    bot_summons_per_hour: int = setting(5, "Summons answered per user per hour.", at_least=1)
    bot_summons_max_age_h: float = setting(24.0, "Summons older than this many hours are skipped.")
    bot_poll_interval_s: float = setting(30.0, "Pause between rounds.", at_least=0)
    bot_retry_base_s: float = setting(
        30.0, "First wait after a fault; doubles per attempt.", at_least=0
    )
    bot_retry_max_s: float = setting(1800.0, "Longest wait between tries.", at_least=0)
    bot_max_attempts: int = setting(
        8, "Tries before an item failing for an unknown reason is dropped.", at_least=1
    )
    bot_reply_search_pages: int = setting(
        10,
        "Before answering an item again, how many pages (100 each) of the bot's own posts "
        "since the item are searched for an earlier answer.",
        at_least=1,
    )
    bot_once_wait_s: float = setting(
        60.0, "With --once, how long to wait for items the platform asked to delay.", at_least=0
    )
    bot_log_level: str = setting("INFO", "Level of the JSON logs.")
    reddit_site: str = setting("DEFAULT", "The praw.ini site holding the Reddit credentials.")
    reddit_url: str = setting("", "Another Reddit endpoint (tests); empty: reddit.com.")
    x_api_url: str = setting("", "Another X API endpoint (tests); empty: api.twitter.com.")
    x_consumer_key: str = setting("", "X app key (OAuth 1.0a).")
    x_consumer_secret: str = setting("", "X app secret.")
    x_access_token: str = setting("", "The bot account's access token.")
    x_access_token_secret: str = setting("", "The bot account's access token secret.")

    def __post_init__(self) -> None:
        _check(self)

    @property
    def bot_store(self) -> StoreUrl:
        """Where the bots' store is: ``bot_store_url``, else the SQLite ``bot_state_path``."""
        return store_at(self.bot_store_url, self.bot_state_path)

    @property
    def report_base(self) -> str:
        """The base of the links in replies: the public address, else the service's."""
        return (self.bot_public_url or self.bot_service_url).rstrip("/")


def load_config(
    path: Path | None = None, environ: Mapping[str, str] | None = None, **overrides: Any
) -> BotConfig:
    """Defaults < config file < ``FAKECHECK_*`` variables < ``overrides`` (None is skipped)."""
    return load_settings(BotConfig, path, environ, overrides, owns=OWNED)


def _check(config: BotConfig) -> None:
    check_bounds(config)
    try:
        config.bot_store  # noqa: B018 (parsed here to fail at start-up)
    except StoreUrlError as error:
        raise ConfigError(f"setting bot_store_url: {error}") from error
    if not config.bot_service_url.startswith(("http://", "https://")):
        raise ConfigError("setting bot_service_url must be an http(s) URL")
