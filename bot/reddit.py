"""FakeCheck on Reddit: summons by mention, subscribed subreddits, commands by message.

Items (keys in the store): a summons is the mentioning comment (answered under it), a post
of a subscribed subreddit (answered under it or by modmail, per the subreddit's mode), a
private message (a command, answered in reply). praw is synchronous, so is this module.
"""

from __future__ import annotations

import configparser
import itertools
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

import praw
import prawcore
from praw.endpoints import API_PATH
from praw.exceptions import MissingRequiredAttributeException
from praw.models import Comment, Message
from prawcore.sessions import RetryStrategy

from bot import replies
from bot.commands import (
    DEFAULT_MIN_SCORE,
    DEFAULT_MODE,
    CommandError,
    parse_command,
    parse_wiki,
)
from bot.config import BotConfig, ConfigError
from bot.images import reddit_images
from bot.platform import Platform, Reply, Skip, Undeliverable
from bot.reddit_faults import Banned, reddit_faults
from bot.service_client import Check, ServiceClient
from bot.store import SKIPPED, Item, Store, Subscription

log = logging.getLogger(__name__)

PLATFORM = "reddit"
WIKI_PAGE = "fakecheck"
_INVITE = "invitation to moderate"
_LISTING_LIMIT = 100


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


class RedditPlatform(Platform):
    name = PLATFORM

    def __init__(
        self, client: praw.Reddit, store: Store, service: ServiceClient, config: BotConfig
    ):
        super().__init__(client, store, service, config)
        self._mention = f"u/{config.bot_name}".lower()
        # Per subreddit, the wiki revision last refused: said once, not every round.
        self._refused_wiki: dict[str, float] = {}

    # Reading what is new.

    def collect(self, admit: Callable[[Item], None]) -> None:
        with reddit_faults():
            self._read_inbox(admit)
        for subscription in self.store.subscriptions():
            try:
                with reddit_faults():
                    self._read_subreddit(subscription, admit)
            except Undeliverable as error:
                log.warning("r/%s cannot be read: %s", subscription.name, error)

    def _read_inbox(self, admit: Callable[[Item], None]) -> None:
        read = []
        # Oldest first, as they were written (the hourly cap keeps a user's first summons).
        for thing in sorted(self.client.inbox.unread(limit=None), key=lambda t: t.created_utc):
            try:
                item = self._inbox_item(thing)
            except (AttributeError, KeyError, TypeError) as error:
                # Unreadable: logged and marked read, so it cannot block the inbox for good.
                log.warning("inbox item %s unreadable, dropped: %r", thing.fullname, error)
                item = None
            if item is not None:
                admit(item)
            read.append(thing)
        # Marked read only once stored: a crash before this line re-reads, never loses.
        if read:
            self.client.inbox.mark_read(read)

    def _inbox_item(self, thing: Comment | Message) -> Item | None:
        author = _author(thing)
        created = {"created": thing.created_utc}
        if isinstance(thing, Comment):
            if self._mention not in thing.body.lower():
                return None  # a reply to one of our comments, not a summons
            subreddit = thing.subreddit.display_name
            # Inbox comments name their post in ``context``; praw reads it without a fetch.
            payload = {**created, "post": f"t3_{thing.submission.id}"}
            return Item(PLATFORM, "summons", thing.fullname, author, subreddit, payload)
        subreddit = thing.subreddit.display_name if thing.subreddit else ""
        payload = {**created, "subject": thing.subject, "body": thing.body}
        payload["invite"] = bool(subreddit) and thing.subject.lower().startswith(_INVITE)
        return Item(PLATFORM, "command", thing.fullname, author, subreddit, payload)

    def _read_subreddit(self, subscription: Subscription, admit: Callable[[Item], None]) -> None:
        self._read_wiki(subscription)
        for post in self.client.subreddit(subscription.name).new(limit=_LISTING_LIMIT):
            if not reddit_images(vars(post)):
                continue
            author = _author(post)
            payload = {"created": post.created_utc, "permalink": post.permalink}
            item = Item(PLATFORM, "post", post.fullname, author, subscription.name, payload)
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
        page = self.client.subreddit(subscription.name).wiki[WIKI_PAGE]
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
        self.store.set_mode(subscription.name, mode, min_score, revised)
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

    def plan(self, item: Item) -> Reply | Skip:
        with reddit_faults():
            if item.kind == "command":
                return self._command(item)
            if item.kind == "post":
                return self._post(item)
            checks = self._checks(item.payload["post"])
        if not checks:
            return Reply(replies.NO_IMAGE)
        return Reply(replies.reddit_verdicts(checks, self.config.report_base))

    def _checks(self, fullname: str) -> list[Check]:
        post = self.client.submission(fullname.removeprefix("t3_"))
        post.title  # noqa: B018 - fetches the post, so vars() holds all its fields
        return [self.service.check(url) for url in reddit_images(vars(post))]

    def _post(self, item: Item) -> Reply | Skip:
        subscription = self.store.subscription(item.community)
        if subscription is None:
            return Skip(f"r/{item.community} is no longer subscribed")
        checks = self._checks(item.id)
        scored = [c for c in checks if c.verdict and c.verdict["score"] >= subscription.min_score]
        if subscription.mode != "every":
            scored = [c for c in scored if c.verdict["verdict"] == "likely_manipulated"]
        if not scored:
            return Skip(f"no image met mode {subscription.mode}, min {subscription.min_score:.2f}")
        text = replies.reddit_verdicts(checks, self.config.report_base)
        if subscription.mode == "modmail":
            link = f"https://www.reddit.com{item.payload['permalink']}"
            return Reply(
                replies.MODMAIL.format(link=link, author=item.author, text=text), "modmail"
            )
        if self.store.opted_out(PLATFORM, item.author):
            return Skip(f"{item.author} opted out")
        return Reply(text)

    def _command(self, item: Item) -> Reply:
        if item.payload["invite"]:
            if self.store.subscription(item.community) is None:  # a retry: accepted already
                self.client.subreddit(item.community).mod.accept_invite()
            return self._subscribe(item.community, item.author)
        try:
            command = parse_command(item.payload["subject"], item.payload["body"])
        except CommandError as error:
            return Reply(f"{error}. {replies.UNKNOWN_COMMAND}")
        if command.verb == "optout":
            self.store.opt_out(PLATFORM, item.author)
            return Reply(replies.OPTED_OUT)
        if command.verb == "unknown":
            return Reply(replies.UNKNOWN_COMMAND)
        name = command.subreddit
        if not self._moderates(item.author, name):
            return Reply(replies.NOT_MODERATOR.format(name=name, user=item.author))
        if command.verb == "subscribe":
            return self._subscribe(name, item.author)
        if self.store.subscription(name) is None:
            return Reply(replies.NOT_SUBSCRIBED.format(name=name))
        if command.verb == "unsubscribe":
            self.store.unsubscribe(name)
            return Reply(replies.UNSUBSCRIBED.format(name=name))
        self.store.set_mode(name, command.mode, command.min_score, time.time())
        return Reply(
            replies.MODE_SET.format(name=name, mode=command.mode, min_score=command.min_score)
        )

    def _moderates(self, user: str, subreddit: str) -> bool:
        try:
            moderators = self.client.subreddit(subreddit).moderator()
            return user.lower() in {str(m).lower() for m in moderators}
        except (prawcore.NotFound, prawcore.Redirect, prawcore.Forbidden):
            return False  # no such subreddit, or one whose moderators we may not see

    def _subscribe(self, name: str, moderator: str) -> Reply:
        self.store.subscribe(name, moderator, DEFAULT_MODE, DEFAULT_MIN_SCORE)
        now = self.store.subscription(name)
        return Reply(replies.SUBSCRIBED.format(name=name, mode=now.mode, min_score=now.min_score))

    # Posting, once.

    def find_reply(self, item: Item) -> str | None:
        """The bot's answer among its comments and sent messages, newest first, back to the
        item's creation (no answer is older): many other answers may have followed while
        this item waited. At most ``bot_reply_search_pages`` pages of each."""
        limit = self.config.bot_reply_search_pages * _LISTING_LIMIT
        since = item.payload["created"]
        with reddit_faults():
            bot = self.client.redditor(self.config.bot_name)
            for comment in _back_to(since, bot.comments.new(limit=limit)):
                if comment.parent_id == item.id:
                    return comment.fullname
            for message in _back_to(since, self.client.inbox.sent(limit=limit)):
                if message.parent_id == item.id or f"({item.id})" in message.subject:
                    return message.fullname
        return None

    def deliver(self, item: Item, reply: Reply) -> str:
        if reply.to == "modmail":
            subject = replies.MODMAIL_SUBJECT.format(name=item.community, ref=item.id)
            with reddit_faults():
                self.client.subreddit(item.community).message(subject=subject, message=reply.text)
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
        posted = self.client.post(API_PATH["comment"], data={"thing_id": fullname, "text": text})
        return posted[0].fullname if posted else fullname

    def _answer_privately(self, item: Item, text: str) -> str:
        """Banned where summoned: the summoner still gets the answer, by private message."""
        link = f"https://www.reddit.com/comments/{item.payload['post'].removeprefix('t3_')}"
        subject = replies.BANNED_PM_SUBJECT.format(name=item.community, ref=item.id)
        body = replies.BANNED_PM.format(name=item.community, link=link, text=text)
        self.client.redditor(item.author).message(subject=subject, message=body)
        log.info("%s: banned from r/%s, answered by private message", item.key, item.community)
        return f"pm:{item.id}"


def _back_to(
    since: float, newest_first: Iterable[Comment | Message]
) -> Iterator[Comment | Message]:
    """A newest-first listing up to its first thing written before ``since``: praw fetches
    the next page only when the one before is used up, so the pages past it are never read."""
    return itertools.takewhile(lambda thing: thing.created_utc >= since, newest_first)


def _author(thing: Comment | Message | praw.models.Submission) -> str:
    return str(thing.author) if thing.author else "[deleted]"
