"""The fake Reddit's state: users, subreddits and things (posts, comments, messages) in the
JSON shapes Reddit sends, the bot's inbox, what the bot sent and reported, and the faults a
test has queued.

praw builds its objects from these shapes, so a wrong field here would pass a test that fails
against Reddit. Tests building the world (``fake_reddit``) and the server answering praw
(``fake_reddit_api``) both change it, each from its own thread: every use holds ``_lock``.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.bot.fake_site import base36

Thing = dict[str, Any]


@dataclass
class Subreddit:
    """What the fake knows of a subreddit beyond its posts."""

    display_name: str
    fullname: str
    moderators: list[tuple[str, float]] = field(default_factory=list)
    wiki: dict[str, Thing] = field(default_factory=dict)
    invited: bool = False
    banned: bool = False


class RedditState:
    """What the fake Reddit knows; the methods that change it expect ``_lock`` held."""

    def __init__(self, bot_name: str):
        self._lock = threading.RLock()  # world building calls itself
        self.bot = bot_name
        self._ids = itertools.count(int("1a0000", 36))
        self._users: dict[str, str] = {}  # lower-case name -> t2 fullname
        self._subs: dict[str, Subreddit] = {}
        self._things: dict[str, Thing] = {}  # fullname -> data, in order of creation
        self._inbox: list[str] = []
        self._unread: list[str] = []
        self._sent: list[dict[str, str]] = []
        self._reports: list[tuple[str, str]] = []
        self._failures: dict[str, list[tuple[str, int]]] = {}
        self._garbled: set[str] = set()
        self._deleted: set[str] = set()
        self._user(bot_name)

    def _user(self, name: str) -> str:
        return self._users.setdefault(name.lower(), f"t2_{base36(next(self._ids))}")

    def _sub(self, name: str) -> Subreddit:
        if name.lower() not in self._subs:
            self._subs[name.lower()] = Subreddit(name, f"t5_{base36(next(self._ids))}")
        return self._subs[name.lower()]

    def _base(self, kind: str, author: str, subreddit: str | None, created: float | None) -> Thing:
        thing_id, now = base36(next(self._ids)), created if created is not None else time.time()
        sub = self._sub(subreddit) if subreddit else None
        return {
            "id": thing_id, "name": f"{kind}_{thing_id}", "author": author,
            "author_fullname": self._user(author), "created": now, "created_utc": now,
            "subreddit": sub and sub.display_name, "subreddit_id": sub and sub.fullname,
            "subreddit_name_prefixed": sub and f"r/{sub.display_name}", "distinguished": None,
            "likes": None,
        }  # fmt: skip

    def _gallery(self, post: Thing, urls: list[str]) -> None:
        ids = [f"{post['id']}m{n}" for n in range(len(urls))]
        meta = {"status": "valid", "e": "Image", "m": "image/jpeg", "p": []}
        post.update(is_gallery=True, url=f"https://www.reddit.com/gallery/{post['id']}")
        post.update(domain="reddit.com", thumbnail="default")
        post.pop("post_hint", None)  # galleries have none
        post["gallery_data"] = {"items": [{"media_id": m, "id": n} for n, m in enumerate(ids)]}
        post["media_metadata"] = {
            m: {**meta, "id": m, "s": {"u": u, "x": 640, "y": 480}} for m, u in zip(ids, urls)
        }

    def _comment(
        self, post: Thing, parent: str, author: str, body: str, created: float | None = None
    ) -> Thing:
        comment = self._base("t1", author, post["subreddit"], created)
        comment.update(
            body=body, body_html=f'<div class="md"><p>{body}</p></div>', link_id=post["name"],
            parent_id=parent, permalink=f"{post['permalink']}{comment['id']}/",
            link_title=post["title"], link_author=post["author"], link_url=post["url"],
            link_permalink=f"https://www.reddit.com{post['permalink']}", score=1, ups=1,
            is_submitter=author == post["author"], replies="", edited=False, stickied=False,
            score_hidden=False, archived=False, locked=False, subreddit_type="public",
        )  # fmt: skip
        post["num_comments"] += 1
        self._things[comment["name"]] = comment
        return comment

    def _message(
        self,
        author: str,
        dest: str,
        subject: str,
        body: str,
        *,
        parent: Thing | None = None,
        subreddit: str | None = None,
    ) -> Thing:
        message = self._base("t4", author, subreddit, None)
        first = (parent["first_message_name"] or parent["name"]) if parent else None
        message.update(
            subject=subject, body=body, body_html=f'<div class="md"><p>{body}</p></div>',
            dest=dest, was_comment=False, first_message_name=first,
            first_message=int(first[3:], 36) if first else None,
            parent_id=parent["name"] if parent else None, replies="", new=True, context="",
            type="unknown", num_comments=None, score=0, associated_awarding_id=None,
        )  # fmt: skip
        self._things[message["name"]] = message
        return message

    def _deliver(self, fullname: str) -> None:
        self._inbox.append(fullname)
        self._unread.append(fullname)

    def _view(self, thing: Thing) -> Thing:
        """A thing as Reddit shows it now: deleted ones lose author and text."""
        data = dict(thing)
        if data["name"] in self._deleted:
            data.update(author="[deleted]", body="[deleted]", author_fullname=None)
        return data

    def _inbox_view(self, fullname: str) -> Thing:
        """As the inbox lists it: a comment names its post in ``context`` only, no link_id."""
        data = dict(self._things[fullname], new=fullname in self._unread)
        if fullname.startswith("t1_"):
            post = self._things[data.pop("link_id")]
            data.update(
                was_comment=True, type="username_mention", subject="username mention",
                context=f"{data['permalink']}?context=3", dest=self.bot, first_message=None,
                first_message_name=None, num_comments=post["num_comments"],
            )  # fmt: skip
        return data

    def _tree(self, parent: str) -> list[Thing]:
        """The comments under ``parent``, each with its replies nested as Reddit sends them."""
        children = []
        for thing in self._things.values():
            if thing["name"].startswith("t1_") and thing["parent_id"] == parent:
                data = self._view(thing)
                replies = self._tree(thing["name"])
                data["replies"] = listing(replies, len(replies)) if replies else ""
                children.append(data)
        return children


def recipient(to: str) -> str:
    """praw writes to a subreddit's moderators as ``#sub``; Reddit also takes ``/r/sub``."""
    return re.sub(r"^/?r/", "#", to.strip())


def listing(things: list[Thing], dist: int | None, after: str | None = None) -> dict[str, Any]:
    """Reddit's Listing: the things, each under its kind, and the name to go on ``after``."""
    children = [{"kind": t["name"][:2], "data": t} for t in things]
    data = {"after": after, "before": None, "dist": dist, "modhash": None, "geo_filter": ""}
    return {"kind": "Listing", "data": {**data, "children": children}}
