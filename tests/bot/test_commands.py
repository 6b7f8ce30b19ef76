"""The words the bot understands in private messages and on the moderators' wiki page, and
the README that tells moderators of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.commands import (
    DEFAULT_MIN_SCORE,
    DEFAULT_MODE,
    MODES,
    Command,
    CommandError,
    parse_command,
    parse_wiki,
)

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("subscribe", "subscribe r/Pics", Command("subscribe", "pics")),
        ("hello", "please:\nsubscribe /r/earth_porn", Command("subscribe", "earth_porn")),
        ("subscribe r/pics", "", Command("subscribe", "pics")),
        ("", "UNSUBSCRIBE   r/pics", Command("unsubscribe", "pics")),
        ("", "mode r/pics every", Command("mode", "pics", "every", 0.0)),
        ("", "mode r/pics modmail 0.8", Command("mode", "pics", "modmail", 0.8)),
        ("", "mode r/pics manipulated min_score=0.9", Command("mode", "pics", "manipulated", 0.9)),
        ("opt out", "", Command("optout")),
        ("", "optout", Command("optout")),
        ("hi", "what is this bot?", Command("unknown")),
        ("", "subscribe", Command("unknown")),
    ],
)
def test_commands(subject, body, expected):
    assert parse_command(subject, body) == expected


@pytest.mark.parametrize("body", ["mode r/pics sometimes", "mode r/pics every 1.5"])
def test_a_bad_value_is_an_error_not_a_guess(body):
    with pytest.raises(CommandError):
        parse_command("", body)


def test_wiki_page():
    text = "# FakeCheck settings\n\nmode: modmail\nMin_Score = 0.75\nother: ignored\n"
    assert parse_wiki(text) == ("modmail", 0.75)
    assert parse_wiki("nothing here") == ("manipulated", 0.0)
    with pytest.raises(CommandError):
        parse_wiki("mode: loud")


def test_the_readme_describes_each_mode_and_names_the_default_a_subscription_gets():
    """Moderators choose a mode from the README: each mode is described once there, and the
    one it calls the default is the one ``subscribe`` gives."""
    bots = README.read_text().split("\n## The bots\n", 1)[1].split("\n## ", 1)[0]
    described = re.findall(r"^- `(\w+)`( \(the default\))?: ", bots, re.MULTILINE)
    assert sorted(mode for mode, _ in described) == sorted(MODES)
    assert [mode for mode, default in described if default] == [DEFAULT_MODE]
    assert f"in mode `{DEFAULT_MODE}` with minimum score {DEFAULT_MIN_SCORE:g}" in bots
