"""praw's and prawcore's errors as the worker's few kinds of fault, in one place."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import prawcore
from praw.exceptions import RedditAPIException

from bot.platform import Delayed, PlatformDown, Undeliverable

# "Take a break for 9 minutes before trying again." -- Reddit's RATELIMIT message.
_WAIT = re.compile(r"(\d+) (millisecond|second|minute)")
# What Reddit answers when the bot may not comment in a subreddit (banned, or approved only).
_BANNED = {"SUBREDDIT_NOTALLOWED", "SUBREDDIT_NOTALLOWED_BANNED", "USER_BLOCKED", "BANNED"}


class Banned(Undeliverable):
    """The bot may not post in this subreddit."""


@contextmanager
def reddit_faults() -> Iterator[None]:
    try:
        yield
    except RedditAPIException as error:
        for item in error.items:
            if item.error_type == "RATELIMIT":
                raise Delayed(_seconds(item.message), item.message) from error
            if item.error_type in _BANNED:
                raise Banned(item.error_message) from error
        raise Undeliverable(str(error)) from error
    except prawcore.TooManyRequests as error:
        raise Delayed(_retry_after(error), "HTTP 429 Too Many Requests") from error
    except prawcore.Forbidden as error:
        raise Banned(f"forbidden: {error}") from error
    except (prawcore.NotFound, prawcore.Redirect) as error:
        raise Undeliverable(f"not found: {error}") from error
    except (prawcore.ServerError, prawcore.RequestException) as error:
        raise PlatformDown(str(error)) from error


def _seconds(message: str) -> float:
    match = _WAIT.search(message)
    if match is None:
        return 60.0
    amount, unit = int(match[1]), match[2]
    return {"millisecond": amount / 1000, "second": amount, "minute": amount * 60}[unit] + 1


def _retry_after(error: prawcore.TooManyRequests) -> float:
    """Retry-After when given, else the seconds until the window resets."""
    headers = error.response.headers
    for value in (error.retry_after, headers.get("x-ratelimit-reset")):
        try:
            return max(0.0, float(value)) + 0.5
        except (TypeError, ValueError):
            continue
    return 60.0
