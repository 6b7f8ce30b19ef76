"""Subscribed subreddits and what moderators tell the Reddit bot.

A moderator subscribes a subreddit by inviting the bot to moderate it, or by a message; its
new image posts then become items, answered under the post or by modmail, or skipped, by
the subreddit's mode and minimum score. Those settings come from the moderators' messages,
or from the subreddit's wiki page when that was edited later, by a moderator. Anyone may
opt out of answers under their posts.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace

import praw
import prawcore

from bot import replies
from bot.commands import (
    DEFAULT_MIN_SCORE,
    DEFAULT_MODE,
    CommandError,
    parse_command,
    parse_wiki,
)
from bot.config import BotConfig
from bot.images import reddit_images
from bot.platform import Reply, Skip
from bot.reddit_client import LISTING_LIMIT, PLATFORM, author, post_images
from bot.service_client import ServiceClient
from bot.store import SKIPPED, Item, Store, Subscription

log = logging.getLogger(__name__)

WIKI_PAGE = "fakecheck"


class Subscriptions:
    """Reads subscribed subreddits into items, answers their posts, carries out commands."""

    def __init__(
        self, client: praw.Reddit, store: Store, service: ServiceClient, config: BotConfig
    ):
        self._client = client
        self._store = store
        self._service = service
        self._report_base = config.report_base
        # Per subreddit, the wiki revision last refused: said once, not every round.
        self._refused_wiki: dict[str, float] = {}

    # Reading what is new.

    def read(self, subscription: Subscription, admit: Callable[[Item], None]) -> None:
        """Admits the subreddit's newest image posts, after taking its wiki's settings."""
        self._read_wiki(subscription)
        for post in self._client.subreddit(subscription.name).new(limit=LISTING_LIMIT):
            if not reddit_images(vars(post)):
                continue
            payload = {"created": post.created_utc, "permalink": post.permalink}
            item = Item(PLATFORM, "post", post.fullname, author(post), subscription.name, payload)
            # Reddit stamps posts in whole seconds: one made just after the subscription
            # carries the second it began in, so that whole second counts as subscribed.
            if post.created_utc < math.floor(subscription.since):
                # Stored as skipped, with why: the next rounds find it known (logged once).
                why = f"posted before r/{subscription.name} was subscribed"
                item = replace(item, status=SKIPPED, reason=why)
            admit(item)

    def _read_wiki(self, subscription: Subscription) -> None:
        """The moderators' wiki page wins when edited after the last mode message, and only
        when a moderator made its latest revision: a wiki open to other editors must not
        switch the subreddit to public replies."""
        page = self._client.subreddit(subscription.name).wiki[WIKI_PAGE]
        try:
            revised, text, editor = page.revision_date, page.content_md, page.revision_by
        except (prawcore.NotFound, prawcore.Forbidden):
            return  # no page (or a private one): the settings from messages stand
        if (
            revised <= subscription.settings_at
            or self._refused_wiki.get(subscription.name) == revised
        ):
            return
        # praw gives None when Reddit names no editor (a deleted account): not a moderator.
        if editor is None or not self._moderates(str(editor), subscription.name):
            self._refuse_wiki(
                subscription.name,
                revised,
                f"last edited by {editor or '[deleted]'}, not a moderator",
            )
            return
        try:
            mode, min_score = parse_wiki(text)
        except CommandError as error:
            self._refuse_wiki(subscription.name, revised, str(error))
            return
        self._store.set_mode(subscription.name, mode, min_score, revised)
        log.info(
            "r/%s settings from its wiki: mode %s, min score %.2f",
            subscription.name,
            mode,
            min_score,
        )

    def _refuse_wiki(self, name: str, revised: float, why: str) -> None:
        """Logs why a wiki revision is ignored, once per revision."""
        self._refused_wiki[name] = revised
        log.warning("r/%s wiki page %s ignored: %s", name, WIKI_PAGE, why)

    # Deciding what to say.

    def answer_post(self, item: Item) -> Reply | Skip:
        """The verdicts on a subscribed post's images, if they meet the subreddit's mode."""
        subscription = self._store.subscription(item.community)
        if subscription is None:
            return Skip(f"r/{item.community} is no longer subscribed")
        checks = [self._service.check(url) for url in post_images(self._client, item.id)]
        scored = [c for c in checks if c.verdict and c.verdict["score"] >= subscription.min_score]
        if subscription.mode != "every":
            scored = [c for c in scored if c.verdict["verdict"] == "likely_manipulated"]
        if not scored:
            return Skip(f"no image met mode {subscription.mode}, min {subscription.min_score:.2f}")
        text = replies.reddit_verdicts(checks, self._report_base)
        if subscription.mode == "modmail":
            link = f"https://www.reddit.com{item.payload['permalink']}"
            return Reply(
                replies.MODMAIL.format(link=link, author=item.author, text=text), "modmail"
            )
        if self._store.opted_out(PLATFORM, item.author):
            return Skip(f"{item.author} opted out")
        return Reply(text)

    def run_command(self, item: Item) -> Reply:
        """Carries out a private message's command (or accepts an invitation to moderate)."""
        if item.payload["invite"]:
            if self._store.subscription(item.community) is None:  # a retry: accepted already
                self._client.subreddit(item.community).mod.accept_invite()
            return self._subscribe(item.community, item.author)
        try:
            command = parse_command(item.payload["subject"], item.payload["body"])
        except CommandError as error:
            return Reply(f"{error}. {replies.UNKNOWN_COMMAND}")
        if command.verb == "optout":
            self._store.opt_out(PLATFORM, item.author)
            return Reply(replies.OPTED_OUT)
        if command.verb == "unknown":
            return Reply(replies.UNKNOWN_COMMAND)
        name = command.subreddit
        if not self._moderates(item.author, name):
            return Reply(replies.NOT_MODERATOR.format(name=name, user=item.author))
        if command.verb == "subscribe":
            return self._subscribe(name, item.author)
        if self._store.subscription(name) is None:
            return Reply(replies.NOT_SUBSCRIBED.format(name=name))
        if command.verb == "unsubscribe":
            self._store.unsubscribe(name)
            return Reply(replies.UNSUBSCRIBED.format(name=name))
        self._store.set_mode(name, command.mode, command.min_score, time.time())
        return Reply(
            replies.MODE_SET.format(name=name, mode=command.mode, min_score=command.min_score)
        )

    def _moderates(self, user: str, subreddit: str) -> bool:
        try:
            moderators = self._client.subreddit(subreddit).moderator()
            return user.lower() in {str(m).lower() for m in moderators}
        except (prawcore.NotFound, prawcore.Redirect, prawcore.Forbidden):
            return False  # no such subreddit, or one whose moderators we may not see

    def _subscribe(self, name: str, moderator: str) -> Reply:
        self._store.subscribe(name, moderator, DEFAULT_MODE, DEFAULT_MIN_SCORE)
        now = self._store.subscription(name)
        return Reply(replies.SUBSCRIBED.format(name=name, mode=now.mode, min_score=now.min_score))
