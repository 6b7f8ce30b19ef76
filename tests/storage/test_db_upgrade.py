"""``fakecheck db upgrade`` migrates the service's and the bots' stores where the settings
say, on either backend, once; a store migrated by a newer program is refused."""

from __future__ import annotations

from click.testing import CliRunner

from model.cli import main
from storage.database import connect
from storage.urls import parse_store_url


def upgrade(environ: dict[str, str], *stores: str):
    return CliRunner().invoke(main, ["db", "upgrade", *stores], env=environ)


def test_upgrade_applies_each_migration_once(store_url, tmp_path):
    environ = {
        "FAKECHECK_STORE_URL": store_url,
        "FAKECHECK_BOT_STATE_PATH": str(tmp_path / "bot.sqlite3"),
    }
    first = upgrade(environ)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        "service store at version 3 (applied now: 1, 2, 3)",
        "bots store at version 2 (applied now: 1, 2)",
    ]
    again = upgrade(environ, "service")
    assert again.output.splitlines() == ["service store at version 3 (applied now: none)"]

    db = connect(parse_store_url(store_url))
    try:
        db.execute("INSERT INTO schema_migrations VALUES (4, 'from a newer program', 0)")
    finally:
        db.close()
    refused = upgrade(environ, "service")
    assert refused.exit_code == 1 and "schema version 4" in refused.output


def test_a_store_url_naming_no_database_stops_it():
    refused = upgrade({"FAKECHECK_BOT_STORE_URL": "mysql://db/bots"}, "bots")
    assert refused.exit_code == 1 and "setting bot_store_url" in refused.output
