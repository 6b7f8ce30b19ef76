"""FakeCheck on X: answers posts that mention the bot, through tweepy's v2 ``Client``.

Mentions are read since the last id seen (kept in the store), images taken from the
mentioning post or else the post it replies to or quotes, and the answer posted as a reply
of at most 280 characters with the report link.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from bot import replies
from bot.commands import parse_command
from bot.config import BotConfig, ConfigError
from bot.images import x_images
from bot.platform import Delayed, Platform, PlatformDown, Reply, Skip, Undeliverable
from bot.service_client import ServiceClient
from bot.store import Item, Store

PLATFORM = "x"
X_HOST = "https://api.twitter.com"
SINCE_CURSOR = "x:since_id"
# The "@a @b " X puts before a reply's own words.
_REPLY_HANDLES = re.compile(r"^(?:@\w+\s+)+")
_EXPANSIONS = [
    "author_id",
    "attachments.media_keys",
    "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys",
]
_TWEET_FIELDS = [
    "author_id",
    "created_at",
    "referenced_tweets",
    "attachments",
    "in_reply_to_user_id",
]
_PAGE = 100


class Rehost(HTTPAdapter):
    """Sends the requests meant for one origin to another: tweepy has X's host built in."""

    def __init__(self, origin: str, target: str):
        super().__init__()
        self._origin, self._target = origin, target.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = self._target + request.url.removeprefix(self._origin)
        return super().send(request, **kwargs)


def connect(config: BotConfig) -> tweepy.Client:
    """A tweepy client acting as the bot's account (OAuth 1.0a user context)."""
    keys = ("x_consumer_key", "x_consumer_secret", "x_access_token", "x_access_token_secret")
    missing = [name for name in keys if not getattr(config, name)]
    if missing:
        raise ConfigError(f"the X keys are not set: {', '.join(missing)}")
    client = tweepy.Client(
        consumer_key=config.x_consumer_key,
        consumer_secret=config.x_consumer_secret,
        access_token=config.x_access_token,
        access_token_secret=config.x_access_token_secret,
        return_type=dict,
    )
    if config.x_api_url:
        client.session.mount(X_HOST, Rehost(X_HOST, config.x_api_url))
    return client


@contextmanager
def x_faults() -> Iterator[None]:
    """tweepy's errors as the worker's few kinds of fault."""
    try:
        yield
    except tweepy.TooManyRequests as error:
        reset = error.reset_time
        wait = reset - time.time() + 1 if reset else 60.0
        raise Delayed(max(1.0, wait), "HTTP 429 Too Many Requests") from error
    except (tweepy.TwitterServerError, tweepy.Unauthorized, requests.RequestException) as error:
        raise PlatformDown(str(error)) from error
    except tweepy.HTTPException as error:
        raise Undeliverable(str(error)) from error


class XPlatform(Platform):
    name = PLATFORM

    def __init__(
        self, client: tweepy.Client, store: Store, service: ServiceClient, config: BotConfig
    ):
        super().__init__(client, store, service, config)
        self._me: str | None = None
        self._handle = re.compile(rf"(?<!\w)@{re.escape(config.bot_name)}(?!\w)", re.IGNORECASE)

    def _my_id(self) -> str:
        if self._me is None:
            self._me = self.client.get_me(user_auth=True)["data"]["id"]
        return self._me

    def collect(self, admit: Callable[[Item], None]) -> None:
        with x_faults():
            since = self.store.cursor(SINCE_CURSOR)
            newest, token, items = since, None, []
            while True:
                page = self.client.get_users_mentions(
                    self._my_id(),
                    since_id=since,
                    pagination_token=token,
                    max_results=_PAGE,
                    expansions=_EXPANSIONS,
                    media_fields=["url", "type"],
                    tweet_fields=_TWEET_FIELDS,
                    user_fields=["username"],
                    user_auth=True,
                )
                items += self._items(page)
                meta = page.get("meta") or {}
                if meta.get("newest_id") and int(meta["newest_id"]) > int(newest or 0):
                    newest = meta["newest_id"]
                token = meta.get("next_token")
                if not token:
                    break
        # Oldest first, as they were written (the hourly cap keeps a user's first summons).
        for item in sorted(items, key=lambda item: int(item.id)):
            admit(item)
        # Moved on only once the items are stored: a crash before re-reads, never loses.
        if newest and newest != since:
            self.store.set_cursor(SINCE_CURSOR, newest)

    def _items(self, page: dict[str, Any]) -> Iterator[Item]:
        includes = page.get("includes") or {}
        users = {u["id"]: u["username"] for u in includes.get("users", [])}
        referenced = {t["id"]: t for t in includes.get("tweets", [])}
        for tweet in page.get("data") or []:
            author = users.get(tweet.get("author_id"), tweet.get("author_id", ""))
            created = datetime.fromisoformat(tweet["created_at"]).timestamp()
            words = self._addressed(tweet, referenced)
            if words is None:
                continue  # only in a thread that names the bot: X added its name, nobody wrote it
            if parse_command("", words).verb == "optout":
                yield Item(PLATFORM, "command", tweet["id"], author, payload={"created": created})
                continue
            images = x_images(tweet, includes.get("media", []), includes.get("tweets", []))
            payload = {"created": created, "images": images}
            yield Item(PLATFORM, "summons", tweet["id"], author, payload=payload)

    def _addressed(self, tweet: dict[str, Any], referenced: dict[str, Any]) -> str | None:
        """The words after ``@bot`` in the post's own words, or all of them when the bot's
        handle was typed among the leading ones; None when X put it there itself."""
        text = tweet["text"]
        written = _REPLY_HANDLES.sub("", text)
        if found := self._handle.search(written):
            return written[found.end() :].strip()
        if self._prefixed_by_x(tweet, referenced):
            return None
        return written.strip()

    def _prefixed_by_x(self, tweet: dict[str, Any], referenced: dict[str, Any]) -> bool:
        """Whether the bot's handle among a post's leading handles is X's: a reply starts
        with the handles of the post it answers, its author and everyone it names, so a
        thanks under the bot's answer, or chatter under a summons, names the bot unasked.
        Under a post that is not the bot's and does not name it, the handle was typed."""
        parent = next(
            (r["id"] for r in tweet.get("referenced_tweets") or [] if r["type"] == "replied_to"),
            None,
        )
        if parent is None:
            return False  # not a reply: X adds no handles
        if tweet.get("in_reply_to_user_id") == self._my_id():
            return True
        # A parent X no longer shows cannot be read: taken as naming the bot, since a wrong
        # public answer costs more than a summons the user can repeat in their own words.
        replied = referenced.get(parent)
        return replied is None or self._handle.search(replied["text"]) is not None

    def plan(self, item: Item) -> Reply | Skip:
        if item.kind == "command":
            self.store.opt_out(PLATFORM, item.author)
            return Reply(replies.OPTED_OUT)
        checks = [self.service.check(url) for url in item.payload["images"]]
        if not checks:
            return Reply(replies.X_NO_IMAGE)
        return Reply(replies.x_verdicts(checks, self.config.report_base))

    def find_reply(self, item: Item) -> str | None:
        """The bot's answer among its posts since the item (``since_id`` ends the search
        there), a page at a time: many other answers may have followed while this item
        waited. At most ``bot_reply_search_pages`` pages."""
        token = None
        with x_faults():
            for _ in range(self.config.bot_reply_search_pages):
                page = self.client.get_users_tweets(
                    self._my_id(),
                    since_id=item.id,
                    pagination_token=token,
                    max_results=_PAGE,
                    tweet_fields=["referenced_tweets"],
                    user_auth=True,
                )
                for tweet in page.get("data") or []:
                    for reference in tweet.get("referenced_tweets") or []:
                        if reference["type"] == "replied_to" and reference["id"] == item.id:
                            return tweet["id"]
                token = (page.get("meta") or {}).get("next_token")
                if not token:
                    break
        return None

    def deliver(self, item: Item, reply: Reply) -> str:
        with x_faults():
            posted = self.client.create_tweet(
                text=reply.text, in_reply_to_tweet_id=item.id, user_auth=True
            )
        return posted["data"]["id"]
