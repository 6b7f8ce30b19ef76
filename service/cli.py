"""``fakecheck serve``: read the settings once, then run the service until stopped."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click
from aiohttp import web
from aiohttp.abc import AbstractResolver

from service.app import create_app
from service.config import ConfigError, ServiceConfig, load_config
from service.logs import configure

log = logging.getLogger(__name__)


@click.command()
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default 8080).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML file of settings (see README); FAKECHECK_* variables override it.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the SQLite store (default ./var).",
)
def serve(host: str | None, port: int | None, config_file: Path | None, data_dir: Path | None):
    """Serve the HTTP API, the upload page and the report pages."""
    try:
        config = load_config(config_file, os.environ, host=host, port=port, data_dir=data_dir)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    run(config)


def run(config: ServiceConfig, resolver: AbstractResolver | None = None) -> None:
    """Serves ``config`` until stopped; tests hand in a ``resolver`` of their own."""
    configure(config.log_level)
    log.info("serving", extra={"url": f"http://{config.host}:{config.port}"})
    # aiohttp's banner and access log would be plain text among the JSON lines.
    app = create_app(config, resolver=resolver)
    web.run_app(app, host=config.host, port=config.port, access_log=None, print=None)
