"""The Reddit bot's inbox: summons and commands come in here, and a summons is answered.

A summons is a comment naming the bot (``u/<bot_name>``), answered under it with the
verdicts on its post's images. A private message is a command (a moderators' invitation
among them), answered by ``bot.reddit_subscriptions``. Other comments in the inbox are
replies to the bot's own and are passed over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import praw
from praw.models import Comment, Message

from bot import replies
from bot.config import BotConfig
from bot.platform import Reply
from bot.reddit_client import PLATFORM, author, post_images
from bot.service_client import ServiceClient
from bot.store import Item

log = logging.getLogger(__name__)

# How the subject of Reddit's invitation to moderate a subreddit begins.
_INVITE = "invitation to moderate"


class Inbox:
    """Reads the bot's unread inbox into items, and answers summons."""

    def __init__(self, client: praw.Reddit, service: ServiceClient, config: BotConfig):
        self._client = client
        self._service = service
        self._report_base = config.report_base
        self._mention = f"u/{config.bot_name}".lower()

    def read(self, admit: Callable[[Item], None]) -> None:
        """Admits what is unread, then marks it read."""
        read = []
        # Oldest first, as they were written (the hourly cap keeps a user's first summons).
        for thing in sorted(self._client.inbox.unread(limit=None), key=lambda t: t.created_utc):
            try:
                item = self._item(thing)
            except (AttributeError, KeyError, TypeError) as error:
                # Unreadable: logged and marked read, so it cannot block the inbox for good.
                log.warning("inbox item %s unreadable, dropped: %r", thing.fullname, error)
                item = None
            if item is not None:
                admit(item)
            read.append(thing)
        # Marked read only once stored: a crash before this line re-reads, never loses.
        if read:
            self._client.inbox.mark_read(read)

    def answer(self, summons: Item) -> Reply:
        """The verdicts on the images of the post the summons is under."""
        urls = post_images(self._client, summons.payload["post"])
        checks = [self._service.check(url) for url in urls]
        if not checks:
            return Reply(replies.NO_IMAGE)
        return Reply(replies.reddit_verdicts(checks, self._report_base))

    def _item(self, thing: Comment | Message) -> Item | None:
        who = author(thing)
        created = {"created": thing.created_utc}
        if isinstance(thing, Comment):
            if self._mention not in thing.body.lower():
                return None  # a reply to one of our comments, not a summons
            subreddit = thing.subreddit.display_name
            # Inbox comments name their post in ``context``; praw reads it without a fetch.
            payload = {**created, "post": f"t3_{thing.submission.id}"}
            return Item(PLATFORM, "summons", thing.fullname, who, subreddit, payload)
        subreddit = thing.subreddit.display_name if thing.subreddit else ""
        payload = {**created, "subject": thing.subject, "body": thing.body}
        payload["invite"] = bool(subreddit) and thing.subject.lower().startswith(_INVITE)
        return Item(PLATFORM, "command", thing.fullname, who, subreddit, payload)
