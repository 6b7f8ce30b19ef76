"""The Reddit bot's way to Reddit: the praw client, and what its parts read off praw's objects.

praw is synchronous, and so is the whole Reddit bot. The client never sleeps nor retries on
its own: a rate-limited or failed request becomes a fault the worker decides about (see
``bot.reddit_faults``), so one slow item does not hold the others back.
"""

from __future__ import annotations

import configparser
from typing import Any

import praw
from praw.exceptions import MissingRequiredAttributeException
from praw.models import Comment, Message, Submission
from prawcore.sessions import RetryStrategy

from bot.config import BotConfig, ConfigError
from bot.images import reddit_images

# The platform's name in the store's keys and opt-outs.
PLATFORM = "reddit"
# The most things Reddit gives in one page of a listing.
LISTING_LIMIT = 100


def connect(config: BotConfig) -> praw.Reddit:
    """A praw client from the praw.ini site (or ``praw_*`` variables) and our endpoint."""
    settings: dict[str, Any] = {
        "check_for_updates": False,
        "check_for_async": False,
        # Never sleep inside praw: a rate-limited item is deferred and the others go on.
        "ratelimit_seconds": 0,
    }
    if config.reddit_url:
        base = config.reddit_url.rstrip("/")
        settings.update(reddit_url=base, oauth_url=base, short_url=base)
    try:
        reddit = praw.Reddit(config.reddit_site, **settings)
    except (MissingRequiredAttributeException, configparser.Error) as error:
        raise ConfigError(f"Reddit credentials: {error}") from error
    # prawcore has no public setting for this.
    reddit._core._retry_strategy_class = _OneAttempt
    return reddit


class _OneAttempt(RetryStrategy):
    """prawcore re-sends a request after a 5xx or a timeout, even a POST that may already have
    posted. Here each request is tried once, at once; the worker's retry, which looks for an
    earlier answer first, does the rest. (prawcore's FiniteRetryStrategy with one retry would
    also sleep 2-4 s before every first attempt.)"""

    def _sleep_seconds(self) -> float | None:
        return None

    def consume_available_retry(self) -> _OneAttempt:
        return self

    def should_retry_on_failure(self) -> bool:
        return False


def author(thing: Comment | Message | Submission) -> str:
    """Who wrote ``thing``, or ``[deleted]`` as Reddit shows a deleted account."""
    return str(thing.author) if thing.author else "[deleted]"


def post_images(client: praw.Reddit, fullname: str) -> list[str]:
    """The image URLs of the post ``fullname`` (``t3_...``), as it stands now."""
    post = client.submission(fullname.removeprefix("t3_"))
    post.title  # noqa: B018 - fetches the post, so vars() holds all its fields
    return reddit_images(vars(post))
