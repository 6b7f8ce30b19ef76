"""A fake Reddit on loopback for the real praw client: OAuth, inbox, posts, comments,
messages, moderators, wiki pages, rate-limit headers, and the faults the bot must survive.

It answers with the JSON shapes Reddit sends, because praw builds its objects from them: a
wrong field here would pass a test that fails against Reddit. Tests build the world (posts,
mentions, messages) and read what the bot did (replies, messages sent, reports).

Three modules: this one, what tests call (building the world, reading what the bot did);
``fake_reddit_api``, the endpoints praw calls; ``fake_reddit_state``, what both read and write.
"""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlsplit

from tests.bot.fake_reddit_api import RedditApi
from tests.bot.fake_reddit_state import recipient

_IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|webp)$", re.IGNORECASE)


class FakeReddit(RedditApi):
    """A fake Reddit for one bot account: tests build its world and read what the bot did."""

    # World building.

    def add_post(
        self,
        subreddit: str,
        author: str,
        *,
        url: str | None = None,
        gallery: list[str] | None = None,
        preview: str | None = None,
        crosspost_of: str | None = None,
        title: str = "A photo",
        is_self: bool = False,
        selftext: str = "",
        created_utc: float | None = None,
        post_hint: str | None = None,
    ) -> str:
        """A post; ``post_hint`` (Reddit's guess at what a link is: image, link,
        hosted:video...) defaults to image for an image file or a ``preview``."""
        with self._lock:
            post = self._base("t3", author, subreddit, created_utc)
            slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50] or "_"
            permalink = f"/r/{post['subreddit']}/comments/{post['id']}/{slug}/"
            link = url or f"https://www.reddit.com{permalink}"
            image = bool(preview or _IMAGE_FILE.search(urlsplit(link).path))
            post.update(
                title=title, url=link, permalink=permalink, is_self=is_self, selftext=selftext,
                selftext_html=f"<p>{selftext}</p>" if selftext else None, num_comments=0,
                domain=f"self.{post['subreddit']}" if is_self else urlsplit(link).hostname,
                score=1, ups=1, upvote_ratio=1.0, over_18=False, spoiler=False, locked=False,
                archived=False, stickied=False, is_video=False, edited=False,
                thumbnail="self" if is_self else "default", subreddit_type="public",
                post_hint=post_hint or ("self" if is_self else "image" if image else "link"),
            )  # fmt: skip
            if gallery:
                self._gallery(post, gallery)
            if preview:
                source = {"url": preview, "width": 640, "height": 480}
                shown = {"source": source, "resolutions": [], "variants": {}, "id": post["id"]}
                post["preview"] = {"images": [shown], "enabled": True}
            if crosspost_of:
                parent = self._things[f"t3_{crosspost_of}"]
                post.update(crosspost_parent=parent["name"], crosspost_parent_list=[dict(parent)])
                post.update(url=parent["permalink"], domain=f"self.{parent['subreddit']}")
                post.pop("post_hint", None)
            self._things[post["name"]] = post
            return post["id"]

    def mention(
        self, post_id: str, author: str, body: str | None = None, created_utc: float | None = None
    ) -> str:
        """A comment under the post naming the bot, and Reddit's notice of it in the inbox."""
        with self._lock:
            name = self.comment(post_id, author, body or f"u/{self.bot} is this real?", created_utc)
            self._deliver(name)
            return name

    def comment(
        self, post_id: str, author: str, body: str, created_utc: float | None = None
    ) -> str:
        """A comment under the post, with no notice to anyone."""
        with self._lock:
            post = self._things[f"t3_{post_id}"]
            return self._comment(post, post["name"], author, body, created_utc)["name"]

    def message(self, author: str, subject: str, body: str, subreddit: str | None = None) -> str:
        """A private message to the bot (from a subreddit's moderators when ``subreddit``)."""
        with self._lock:
            message = self._message(author, self.bot, subject, body, subreddit=subreddit)
            self._deliver(message["name"])
            return message["name"]

    def invite(self, subreddit: str, moderator: str) -> str:
        """The message Reddit sends when a moderator invites the bot to moderate."""
        with self._lock:
            self._sub(subreddit).invited = True
            name = self.message(moderator, f"invitation to moderate /r/{subreddit}", "", subreddit)
            self._things[name]["distinguished"] = "moderator"
            return name

    def set_moderators(self, subreddit: str, names: list[str]) -> None:
        with self._lock:
            self._sub(subreddit).moderators = [(n, time.time()) for n in names]
            for name in names:
                self._user(name)

    def set_wiki(
        self,
        subreddit: str,
        page: str,
        content_md: str,
        revision_date: float | None = None,
        editor: str | None = None,
    ) -> None:
        """A wiki page, last revised by ``editor`` (default: the subreddit's first moderator)."""
        with self._lock:
            sub = self._sub(subreddit)
            editor = editor or (sub.moderators[0][0] if sub.moderators else "AutoModerator")
            sub.wiki[page.lower()] = {
                "content_md": content_md,
                "content_html": f'<div class="md wiki"><p>{content_md}</p></div>',
                "revision_date": revision_date if revision_date is not None else time.time(),
                "revision_by": {"kind": "t2", "data": {"name": editor, "id": self._user(editor)}},
                "revision_id": f"{next(self._ids):08x}-0000-11ee-8000-000000000000",
                "may_revise": False,
                "reason": None,
            }

    def ban(self, subreddit: str) -> None:
        with self._lock:
            self._sub(subreddit).banned = True

    def delete(self, fullname: str) -> None:
        """Deleted by its author just after the bot read its inbox (the inbox still shows it
        whole): elsewhere it is [deleted], and a reply answers DELETED_COMMENT."""
        with self._lock:
            self._deleted.add(fullname)

    def garble(self, post_id: str) -> None:
        """The post's page answers JSON of a shape no client expects."""
        with self._lock:
            self._garbled.add(post_id)

    def fail_next(self, action: str, how: str, seconds: int = 1) -> None:
        """The next ``action`` (comment, compose, inbox) answers RATELIMIT or HTTP 429."""
        assert action in ("comment", "compose", "inbox") and how in ("ratelimit", "429")
        with self._lock:
            self._failures.setdefault(action, []).append((how, seconds))

    def hold_next_comment(self) -> threading.Event:
        """The next comment is posted, but its answer waits until the event is set."""
        return self._hold("comment")

    # Observation.

    def replies_to(self, fullname: str) -> list[str]:
        """Bodies of the bot's comments and message replies whose parent is ``fullname``."""
        with self._lock:
            return [
                t["body"]
                for t in self._things.values()
                if t["author"] == self.bot and t.get("parent_id") == fullname
            ]

    def sent_messages(self, to: str | None = None) -> list[dict[str, str]]:
        """Messages the bot composed or replied with; ``to`` a user, ``#sub`` or ``/r/sub``."""
        with self._lock:
            want = recipient(to or "").lower()
            return [dict(m) for m in self._sent if to is None or m["to"].lower() == want]

    def reports(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._reports)

    def unread(self) -> list[str]:
        with self._lock:
            return list(self._unread)

    def moderators(self, subreddit: str) -> list[str]:
        with self._lock:
            return [name for name, _ in self._sub(subreddit).moderators]
