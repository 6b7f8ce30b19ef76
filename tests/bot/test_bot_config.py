"""The bots' settings: one declaration, shared environment with the service."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_config
from service.config import load_config as load_service_config


def test_environment_file_and_flags(tmp_path):
    path = tmp_path / "bot.toml"
    path.write_text('bot_name = "CheckBot"\nbot_summons_per_hour = 3\n')
    environ = {
        "FAKECHECK_REDDIT_URL": "http://127.0.0.1:9",
        "FAKECHECK_BOT_IGNORE_USERS": "a_bot, b_bot",
        "FAKECHECK_BOT_SUMMONS_PER_HOUR": "4",
        "FAKECHECK_PORT": "9000",  # the service's, not ours
        "FAKECHECK_DATASETS": "/srv/datasets",  # training's, neither ours nor the service's
    }
    config = load_config(path, environ, bot_public_url="https://fc.example/")
    assert config.bot_name == "CheckBot" and config.bot_summons_per_hour == 4
    assert config.reddit_url == "http://127.0.0.1:9"
    assert config.bot_ignore_users == ("a_bot", "b_bot")
    assert config.report_base == "https://fc.example"
    assert load_service_config(None, environ).port == 9000  # and the service ignores ours


@pytest.mark.parametrize(
    "environ",
    [
        {"FAKECHECK_BOT_NAMEE": "x"},
        {"FAKECHECK_BOT_SUMMONS_PER_HOUR": "0"},
        {"FAKECHECK_BOT_REPLY_SEARCH_PAGES": "0"},
        {"FAKECHECK_BOT_SERVICE_URL": "ftp://host"},
        {"FAKECHECK_BOT_RETRY_BASE_S": "soon"},
    ],
)
def test_bad_settings_fail_at_start(environ):
    with pytest.raises(ConfigError):
        load_config(None, environ)
