"""FakeCheck on Reddit: summons by mention, subscribed subreddits, commands by message.

Items (keys in the store): a summons is the mentioning comment (answered under it), a post
of a subscribed subreddit (answered under it or by modmail, per the subreddit's mode), a
private message (a command, answered in reply).

``RedditPlatform`` is what the worker sees; it hands each job to a part of its own:

    reddit_client         the praw client (``connect``), what is read off praw's objects
    reddit_inbox          summons and commands read from the inbox; summons answered
    reddit_subscriptions  subscribed subreddits read and answered; moderators' commands
    reddit_delivery       answers posted once, an earlier answer found after a crash
    reddit_faults         praw's errors as the worker's few kinds of fault
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import praw

from bot.config import BotConfig
from bot.platform import Platform, Reply, Skip, Undeliverable
from bot.reddit_client import PLATFORM, connect
from bot.reddit_delivery import Delivery
from bot.reddit_faults import reddit_faults
from bot.reddit_inbox import Inbox
from bot.reddit_subscriptions import Subscriptions
from bot.service_client import ServiceClient
from bot.store import Item, Store

# The door, as ``bot.x`` is X's: the platform, and the client it is built on.
__all__ = ["RedditPlatform", "connect"]

log = logging.getLogger(__name__)


class RedditPlatform(Platform):
    name = PLATFORM

    def __init__(
        self, client: praw.Reddit, store: Store, service: ServiceClient, config: BotConfig
    ):
        super().__init__(client, store, service, config)
        self._inbox = Inbox(client, service, config)
        self._subscriptions = Subscriptions(client, store, service, config)
        self._delivery = Delivery(client, config)

    def collect(self, admit: Callable[[Item], None]) -> None:
        with reddit_faults():
            self._inbox.read(admit)
        for subscription in self.store.subscriptions():
            try:
                with reddit_faults():
                    self._subscriptions.read(subscription, admit)
            except Undeliverable as error:
                # One subreddit gone private or banned must not stop the others being read.
                log.warning("r/%s cannot be read: %s", subscription.name, error)

    def plan(self, item: Item) -> Reply | Skip:
        with reddit_faults():
            if item.kind == "command":
                return self._subscriptions.run_command(item)
            if item.kind == "post":
                return self._subscriptions.answer_post(item)
            return self._inbox.answer(item)

    def find_reply(self, item: Item) -> str | None:
        return self._delivery.find(item)

    def deliver(self, item: Item, reply: Reply) -> str:
        return self._delivery.deliver(item, reply)
