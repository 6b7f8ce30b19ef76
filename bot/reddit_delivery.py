"""Posting the Reddit bot's answers, and finding one already posted.

An answer goes under its item (a comment, or a reply to a private message), or to a
subreddit's moderators by modmail; a summons where the bot is banned is answered to the
summoner by private message. After a crash the worker asks for an earlier answer before
posting again, so each item is answered once.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator

import praw
from praw.endpoints import API_PATH
from praw.models import Comment, Message

from bot import replies
from bot.config import BotConfig
from bot.platform import Reply
from bot.reddit_client import LISTING_LIMIT
from bot.reddit_faults import Banned, reddit_faults
from bot.store import Item

log = logging.getLogger(__name__)


class Delivery:
    """Posts answers as the bot, and searches the bot's comments and messages for them."""

    def __init__(self, client: praw.Reddit, config: BotConfig):
        self._client = client
        self._bot_name = config.bot_name
        self._search_limit = config.bot_reply_search_pages * LISTING_LIMIT

    def find(self, item: Item) -> str | None:
        """The bot's answer among its comments and sent messages, newest first, back to the
        item's creation (no answer is older): many other answers may have followed while
        this item waited. At most ``bot_reply_search_pages`` pages of each."""
        since = item.payload["created"]
        with reddit_faults():
            bot = self._client.redditor(self._bot_name)
            for comment in _back_to(since, bot.comments.new(limit=self._search_limit)):
                if comment.parent_id == item.id:
                    return comment.fullname
            for message in _back_to(since, self._client.inbox.sent(limit=self._search_limit)):
                if message.parent_id == item.id or f"({item.id})" in message.subject:
                    return message.fullname
        return None

    def deliver(self, item: Item, reply: Reply) -> str:
        """Posts ``reply``; returns the id of what was posted."""
        if reply.to == "modmail":
            subject = replies.MODMAIL_SUBJECT.format(name=item.community, ref=item.id)
            with reddit_faults():
                self._client.subreddit(item.community).message(subject=subject, message=reply.text)
            return f"modmail:{item.id}"
        try:
            with reddit_faults():
                return self._reply(item.id, reply.text)
        except Banned:
            if item.kind != "summons":
                raise
            with reddit_faults():
                return self._answer_privately(item, reply.text)

    def _reply(self, fullname: str, text: str) -> str:
        posted = self._client.post(API_PATH["comment"], data={"thing_id": fullname, "text": text})
        return posted[0].fullname if posted else fullname

    def _answer_privately(self, item: Item, text: str) -> str:
        """Banned where summoned: the summoner still gets the answer, by private message."""
        link = f"https://www.reddit.com/comments/{item.payload['post'].removeprefix('t3_')}"
        subject = replies.BANNED_PM_SUBJECT.format(name=item.community, ref=item.id)
        body = replies.BANNED_PM.format(name=item.community, link=link, text=text)
        self._client.redditor(item.author).message(subject=subject, message=body)
        log.info("%s: banned from r/%s, answered by private message", item.key, item.community)
        return f"pm:{item.id}"


def _back_to(
    since: float, newest_first: Iterable[Comment | Message]
) -> Iterator[Comment | Message]:
    """A newest-first listing up to its first thing written before ``since``: praw fetches
    the next page only when the one before is used up, so the pages past it are never read."""
    return itertools.takewhile(lambda thing: thing.created_utc >= since, newest_first)
