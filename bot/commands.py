"""What people tell the bot: private-message commands and the moderators' wiki page.

Parsing is its own unit so the words the bot understands are tested apart from Reddit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a subscribed subreddit gets: a reply under every image post, a reply only when an image
# is likely manipulated, or a private note to its moderators and nothing public.
MODES = ("every", "manipulated", "modmail")
DEFAULT_MODE = "manipulated"
DEFAULT_MIN_SCORE = 0.0

_SUBREDDIT = r"(?:/?r/)?(?P<name>[A-Za-z0-9][A-Za-z0-9_]{1,20})"
_PATTERNS = {
    "subscribe": re.compile(rf"^subscribe\s+{_SUBREDDIT}$"),
    "unsubscribe": re.compile(rf"^unsubscribe\s+{_SUBREDDIT}$"),
    "mode": re.compile(
        rf"^mode\s+{_SUBREDDIT}\s+(?P<mode>\w+)(?:\s+(?:min(?:_score)?\s*[:=]?\s*)?"
        r"(?P<score>[0-9]*\.?[0-9]+))?$"
    ),
    "optout": re.compile(r"^opt[\s-]?out$"),
}
_WIKI_LINE = re.compile(r"^\s*(?P<key>mode|min_score)\s*[:=]\s*(?P<value>\S+)\s*$", re.IGNORECASE)


class CommandError(ValueError):
    """A command was recognised but one of its values is not allowed."""


@dataclass(frozen=True)
class Command:
    verb: str  # subscribe, unsubscribe, mode, optout, or unknown
    subreddit: str = ""
    mode: str = DEFAULT_MODE
    min_score: float = DEFAULT_MIN_SCORE


def parse_command(subject: str, body: str) -> Command:
    """The first line of the body that is a command, else the subject; else ``unknown``."""
    for line in [*body.splitlines(), subject]:
        text = " ".join(line.strip().lower().split())
        for verb, pattern in _PATTERNS.items():
            if match := pattern.match(text):
                return _command(verb, match.groupdict())
    return Command("unknown")


def parse_wiki(text: str) -> tuple[str, float]:
    """``mode: ...`` and ``min_score: ...`` lines of the wiki page; others are ignored."""
    mode, min_score = DEFAULT_MODE, DEFAULT_MIN_SCORE
    for line in text.splitlines():
        if match := _WIKI_LINE.match(line):
            key, value = match["key"].lower(), match["value"].lower()
            if key == "mode":
                mode = _mode(value)
            else:
                min_score = _score(value)
    return mode, min_score


def _command(verb: str, groups: dict[str, str | None]) -> Command:
    name = groups.get("name") or ""
    if verb != "mode":
        return Command(verb, name)
    score = groups.get("score")
    return Command(
        verb,
        name,
        _mode(groups["mode"] or ""),
        DEFAULT_MIN_SCORE if score is None else _score(score),
    )


def _mode(value: str) -> str:
    if value not in MODES:
        raise CommandError(f"mode must be one of {', '.join(MODES)}, not {value!r}")
    return value


def _score(value: str) -> float:
    try:
        score = float(value)
    except ValueError:
        raise CommandError(f"minimum score must be a number, not {value!r}") from None
    if not 0 <= score <= 1:
        raise CommandError(f"minimum score must be between 0 and 1, not {value}")
    return score
