"""``fakecheck db upgrade``: migrates the service's and the bots' stores to this program's schema.

The service and the bots migrate their store themselves when they start; this command does it
beforehand (before rolling out replicas, say), with the same settings they read. It is the
one place that reads both programs' settings, as the command line is the one place that sees
both programs.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from bot.config import load_config as load_bot_config
from bot.migrations import MIGRATIONS as BOT_MIGRATIONS
from model.settings import ConfigError
from service.config import load_config as load_service_config
from service.migrations import MIGRATIONS as SERVICE_MIGRATIONS
from storage.migrations import SchemaTooNew, upgrade_url


@click.group()
def db() -> None:
    """The stores' schemas."""


_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@db.command()
@click.option("--config", "config_file", type=_FILE, help="The service's TOML settings file.")
@click.option("--bot-config", "bot_config_file", type=_FILE, help="The bots' TOML settings file.")
@click.argument("stores", nargs=-1, type=click.Choice(["service", "bots"]))
def upgrade(
    config_file: Path | None, bot_config_file: Path | None, stores: tuple[str, ...]
) -> None:
    """Applies the migrations STORES lack (service, bots; default both), at store_url and
    bot_store_url as the files and FAKECHECK_* variables set them."""
    try:
        targets = {
            "service": (load_service_config(config_file, os.environ).store, SERVICE_MIGRATIONS),
            "bots": (load_bot_config(bot_config_file, os.environ).bot_store, BOT_MIGRATIONS),
        }
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    for name in stores or tuple(targets):
        url, migrations = targets[name]
        try:
            applied = upgrade_url(url, migrations)
        except SchemaTooNew as error:
            raise click.ClickException(f"{name}: {error}") from error
        done = ", ".join(map(str, applied)) if applied else "none"
        click.echo(f"{name} store at version {len(migrations)} (applied now: {done})")
