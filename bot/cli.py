"""``fakecheck bot reddit`` and ``fakecheck bot x``: read the settings once, then run."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import click

from bot.config import BotConfig, ConfigError, load_config
from bot.platform import Platform
from bot.presence import Busy, Lost, present
from bot.service_client import ServiceClient
from bot.store import Store
from bot.worker import Worker

log = logging.getLogger(__name__)

_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML file of settings (see README); FAKECHECK_* variables override it.",
)
_once_option = click.option(
    "--once", is_flag=True, help="Process what is pending, then exit (for cron and tests)."
)


@click.group()
def bot() -> None:
    """Answer mentions on Reddit or X with FakeCheck's verdicts."""


@bot.command()
@_config_option
@_once_option
def reddit(config_file: Path | None, once: bool) -> None:
    """Answer Reddit summons, subscribed subreddits and commands by private message.

    Reddit credentials come from the praw.ini site named by reddit_site, or from praw's
    own praw_client_id, praw_client_secret, praw_username, praw_password variables.
    """
    from bot.reddit import RedditPlatform, connect

    _run(
        config_file,
        once,
        lambda config, store, service: RedditPlatform(connect(config), store, service, config),
    )


@bot.command()
@_config_option
@_once_option
def x(config_file: Path | None, once: bool) -> None:
    """Answer posts on X that mention the bot (keys from FAKECHECK_X_* variables)."""
    from bot.x import XPlatform, connect

    _run(
        config_file,
        once,
        lambda config, store, service: XPlatform(connect(config), store, service, config),
    )


def _run(
    config_file: Path | None,
    once: bool,
    make: Callable[[BotConfig, Store, ServiceClient], Platform],
) -> None:
    try:
        config = load_config(config_file, os.environ)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    logging.basicConfig(
        level=config.bot_log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    store = Store(config.bot_store)
    service = ServiceClient(
        config.bot_service_url, config.bot_service_api_key, config.bot_service_timeout_s
    )
    try:
        try:
            platform = make(config, store, service)
        except ConfigError as error:
            raise click.ClickException(str(error)) from error
        try:
            presence = present(config.bot_store, platform.name)
        except Busy as error:
            raise click.ClickException(str(error)) from None
        try:
            worker = Worker(platform, store, presence, config)
            log.info("%s bot started (service %s)", worker.name, config.bot_service_url)
            if once:
                worker.run_once()
            else:
                worker.run_forever()
        except Lost as error:
            raise click.ClickException(
                f"stopping, claims left to the other runs: {error}"
            ) from None
        finally:
            presence.close()
    finally:
        service.close()
        store.close()
