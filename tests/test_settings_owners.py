"""One environment, many programs: each reads the ``FAKECHECK_*`` names it owns and leaves
the others' (model/settings.py). The service owns every name no other program registered,
so a misspelt one still stops it."""

from __future__ import annotations

from dataclasses import fields

import pytest
from click.testing import CliRunner

import bot.config
import model.cli
import model.settings
from bot.config import BotConfig
from model.settings import registered_owners
from service.config import ConfigError, ServiceConfig
from service.config import load_config as load_service_config

SHARED = {
    "FAKECHECK_PORT": "9000",
    "FAKECHECK_BOT_NAME": "CheckBot",
    "FAKECHECK_X_API_URL": "http://127.0.0.1:9",
    "FAKECHECK_DATASETS": "/srv/datasets",
}


def test_the_training_commands_and_the_bots_register_their_names():
    assert registered_owners() == {"bot": bot.config.OWNED, "train": model.cli.OWNED}


def test_each_program_reads_its_own_names_from_one_environment():
    assert load_service_config(None, SHARED).port == 9000
    config = bot.config.load_config(None, SHARED)
    assert (config.bot_name, config.x_api_url) == ("CheckBot", "http://127.0.0.1:9")


def test_the_datasets_variable_does_not_stop_serve():
    """The tests and the training commands read FAKECHECK_DATASETS; the service refused it
    as an unknown setting of its own, so serve never started where it was set."""
    result = CliRunner().invoke(
        model.cli.main, ["serve"], env={"FAKECHECK_DATASETS": "/srv/d", "FAKECHECK_PORT": "http"}
    )
    assert result.exit_code == 1
    assert "setting port" in result.output and "datasets" not in result.output


def test_the_training_commands_read_the_datasets_variable(tmp_path):
    nowhere = tmp_path / "nowhere"
    result = CliRunner().invoke(
        model.cli.main,
        ["train-fusion", "--workdir", str(tmp_path)],
        env={"FAKECHECK_DATASETS": str(nowhere)},
    )
    assert result.exit_code == 1
    assert f"no manifest at {nowhere / 'casia1' / 'manifest.csv'}" in result.output


@pytest.mark.parametrize("name", ["FAKECHECK_DATASET", "FAKECHECK_PROT", "FAKECHECK_BOTNAME"])
def test_a_name_nobody_owns_stops_the_service(name):
    with pytest.raises(ConfigError, match="unknown setting"):
        load_service_config(None, {name: "1"})


def test_no_program_owns_a_name_of_anothers():
    """A bot setting outside the bots' names would be the service's (and refused there); a
    name claimed by two programs would be read by both."""
    owners = registered_owners()
    service = {f.name for f in fields(ServiceConfig)}
    for program, names in owners.items():
        claimed = {s for s in service if any(s.startswith(n) or s == n for n in names)}
        assert not claimed, f"{program} owns settings of the service: {claimed}"
    bots = {f.name for f in fields(BotConfig)}
    assert all(name.startswith(owners["bot"]) for name in bots)
    assert not {n for n in owners["train"] if n in bots or n.startswith(owners["bot"])}


def test_code_run_without_its_installed_metadata_says_so(monkeypatch):
    # A checkout on PYTHONPATH, or an install older than the code: no program registered.
    monkeypatch.setattr(model.settings, "entry_points", lambda group: [])
    with pytest.raises(ConfigError, match="install fakecheck"):
        registered_owners.__wrapped__()
