"""The words the bot understands in private messages and on the moderators' wiki page."""

from __future__ import annotations

import pytest

from bot.commands import Command, CommandError, parse_command, parse_wiki


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
