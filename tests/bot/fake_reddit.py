"""A fake Reddit on loopback for the real praw client: OAuth, inbox, posts, comments,
messages, moderators, wiki pages, rate-limit headers, and the faults the bot must survive.

It answers with the JSON shapes Reddit sends (praw builds its objects from them). Tests build
the world (posts, mentions, messages) and read what the bot did (replies, messages sent).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from typing import Any

from aiohttp import web

from tests.bot.fake_site import FakeSite

TOKEN = "fake-reddit-token"
_RATE_HEADERS = {
    "x-ratelimit-remaining": "599.0",
    "x-ratelimit-used": "1",
    "x-ratelimit-reset": "300",
}


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"


def listing(kind_data: list[tuple[str, dict]]) -> dict[str, Any]:
    children = [{"kind": kind, "data": data} for kind, data in kind_data]
    return {
        "kind": "Listing",
        "data": {"after": None, "before": None, "dist": len(children), "children": children},
    }


class FakeReddit(FakeSite):
    def __init__(self, bot_name: str = "FakeCheckBot"):
        super().__init__("/img")
        self.bot = bot_name
        self._ids = itertools.count(36**3)
        self._things: dict[str, dict[str, Any]] = {}  # fullname -> data
        self._unread: list[str] = []
        self._moderators: dict[str, list[str]] = {}
        self._wiki: dict[tuple[str, str], dict[str, Any]] = {}
        self._invites: set[str] = set()
        self._banned: set[str] = set()
        self._sent: list[dict[str, Any]] = []
        self._failures: dict[str, list[tuple[str, int]]] = {}
        self._garbled: set[str] = set()
        self._deleted: set[str] = set()
        app = self._app()
        app.router.add_route("*", "/{path:.*}", self._dispatch)
        self._serve(app)

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
    ) -> str:
        with self._lock:
            post_id = self._new_id()
            permalink = f"/r/{subreddit}/comments/{post_id}/a_photo/"
            data = {
                **self._common(post_id, "t3", author, subreddit, created_utc),
                "title": title,
                "url": url or f"https://www.reddit.com{permalink}",
                "permalink": permalink,
                "is_self": is_self,
                "selftext": selftext,
                "domain": f"self.{subreddit}" if is_self else "i.redd.it",
                "num_comments": 0,
                "score": 1,
                "over_18": False,
                "locked": False,
                "is_gallery": False,
            }
            if gallery:
                ids = [f"media{n}{post_id}" for n in range(len(gallery))]
                data["is_gallery"] = True
                data["url"] = f"https://www.reddit.com/gallery/{post_id}"
                data["gallery_data"] = {
                    "items": [{"media_id": m, "id": n} for n, m in enumerate(ids)]
                }
                data["media_metadata"] = {
                    m: {
                        "status": "valid",
                        "e": "Image",
                        "m": "image/jpeg",
                        "id": m,
                        "s": {"u": u, "x": 640, "y": 480},
                        "p": [],
                    }
                    for m, u in zip(ids, gallery)
                }
            if preview:
                source = {"url": preview, "width": 640, "height": 480}
                data["preview"] = {
                    "images": [{"source": source, "resolutions": [], "id": f"p{post_id}"}],
                    "enabled": True,
                }
            if crosspost_of:
                parent = self._things[f"t3_{crosspost_of}"]
                data["crosspost_parent"] = parent["name"]
                data["crosspost_parent_list"] = [dict(parent)]
                data["url"] = parent["permalink"]
                data["domain"] = "reddit.com"
            self._things[data["name"]] = data
            return post_id

    def mention(
        self, post_id: str, author: str, body: str | None = None, created_utc: float | None = None
    ) -> str:
        with self._lock:
            post = self._things[f"t3_{post_id}"]
            comment = self._comment(
                post, post["name"], author, body or f"u/{self.bot} is this real?"
            )
            if created_utc is not None:
                comment["created_utc"] = created_utc
            self._unread.append(comment["name"])
            return comment["name"]

    def message(self, author: str, subject: str, body: str, subreddit: str | None = None) -> str:
        with self._lock:
            message = self._message(author, self.bot, subject, body, subreddit=subreddit)
            self._unread.append(message["name"])
            return message["name"]

    def invite(self, subreddit: str, moderator: str) -> str:
        with self._lock:
            self._invites.add(subreddit.lower())
        name = self.message(moderator, f"invitation to moderate /r/{subreddit}", "", subreddit)
        with self._lock:
            self._things[name]["distinguished"] = "moderator"
        return name

    def set_moderators(self, subreddit: str, names: list[str]) -> None:
        with self._lock:
            self._moderators[subreddit.lower()] = list(names)

    def set_wiki(
        self, subreddit: str, page: str, content_md: str, revision_date: float | None = None
    ) -> None:
        with self._lock:
            self._wiki[subreddit.lower(), page] = {
                "content_md": content_md,
                "content_html": f"<p>{content_md}</p>",
                "revision_date": revision_date or time.time(),
                "revision_by": {"kind": "t2", "data": {"name": "modder", "id": "mod1"}},
                "revision_id": f"rev-{self._new_id()}",
                "may_revise": False,
            }

    def ban(self, subreddit: str) -> None:
        with self._lock:
            self._banned.add(subreddit.lower())

    def delete(self, fullname: str) -> None:
        """Deleted just after the bot read its inbox: a reply answers DELETED_COMMENT."""
        with self._lock:
            self._deleted.add(fullname)

    def garble(self, post_id: str) -> None:
        """The post's page answers JSON of a shape no client expects."""
        with self._lock:
            self._garbled.add(post_id)

    def fail_next(self, action: str, how: str, seconds: int = 1) -> None:
        """The next ``action`` (comment, compose, inbox) answers RATELIMIT or HTTP 429."""
        with self._lock:
            self._failures.setdefault(action, []).append((how, seconds))

    def hold_next_comment(self) -> threading.Event:
        """The next comment is posted, but its answer waits until the event is set."""
        return self._hold("comment")

    # Observation.

    def replies_to(self, fullname: str) -> list[str]:
        with self._lock:
            return [
                t["body"]
                for t in self._things.values()
                if t.get("author") == self.bot and t.get("parent_id") == fullname
            ]

    def sent_messages(self, to: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._sent if to is None or m["to"].lower() == to.lower()]

    def unread(self) -> list[str]:
        with self._lock:
            return list(self._unread)

    def moderators(self, subreddit: str) -> list[str]:
        with self._lock:
            return list(self._moderators.get(subreddit.lower(), []))

    # The state, always under the lock.

    def _new_id(self) -> str:
        return _base36(next(self._ids))

    def _common(
        self, thing_id: str, kind: str, author: str, subreddit: str | None, created: float | None
    ) -> dict[str, Any]:
        return {
            "id": thing_id,
            "name": f"{kind}_{thing_id}",
            "author": author,
            "author_fullname": f"t2_{author.lower()}",
            "subreddit": subreddit,
            "subreddit_name_prefixed": f"r/{subreddit}" if subreddit else None,
            "subreddit_id": f"t5_{subreddit.lower()}" if subreddit else None,
            "created_utc": created if created is not None else time.time(),
        }

    def _comment(self, post: dict, parent: str, author: str, body: str) -> dict[str, Any]:
        comment_id = self._new_id()
        data = {
            **self._common(comment_id, "t1", author, post["subreddit"], None),
            "body": body,
            "link_id": post["name"],
            "link_title": post["title"],
            "parent_id": parent,
            "permalink": f"{post['permalink']}{comment_id}/",
            "context": f"{post['permalink']}{comment_id}/?context=3",
            "replies": "",
            "score": 1,
            "was_comment": True,
            "type": "username_mention",
            "subject": "username mention",
            "new": True,
            "dest": self.bot,
        }
        self._things[data["name"]] = data
        return data

    def _message(
        self,
        author: str,
        dest: str,
        subject: str,
        body: str,
        parent: str | None = None,
        subreddit: str | None = None,
    ) -> dict[str, Any]:
        data = {
            **self._common(self._new_id(), "t4", author, subreddit, None),
            "subject": subject,
            "body": body,
            "dest": dest,
            "was_comment": False,
            "first_message_name": parent,
            "parent_id": parent,
            "replies": "",
            "new": True,
            "distinguished": None,
        }
        self._things[data["name"]] = data
        return data

    def _failure(self, action: str) -> web.Response | None:
        with self._lock:
            queued = self._failures.get(action) or []
            if not queued:
                return None
            how, seconds = queued.pop(0)
        if how == "ratelimit":
            message = (
                "Looks like you've been doing that a lot. "
                f"Take a break for {seconds} seconds before trying again."
            )
            return self._json({"json": {"errors": [["RATELIMIT", message, "ratelimit"]]}})
        headers = {
            "retry-after": str(seconds),
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "600",
            "x-ratelimit-reset": str(seconds),
        }
        body = {"message": "Too Many Requests", "error": 429}
        return web.json_response(body, status=429, headers=headers)

    # HTTP.

    @staticmethod
    def _json(body: Any, status: int = 200) -> web.Response:
        return web.json_response(body, status=status, headers=_RATE_HEADERS)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if path == "/api/v1/access_token":
            if not request.headers.get("Authorization", "").startswith("Basic "):
                return web.json_response({"error": "invalid_client"}, status=401)
            body = {
                "access_token": TOKEN,
                "token_type": "bearer",
                "expires_in": 86400,
                "scope": "*",
            }
            return web.json_response(body)
        if request.headers.get("Authorization") != f"bearer {TOKEN}":
            return web.json_response({"message": "Unauthorized", "error": 401}, status=401)
        form = dict(await request.post()) if request.method == "POST" else {}
        for pattern, method, handler in self._routes():
            if request.method == method and (match := re.fullmatch(pattern, path)):
                return await handler(request, form, *match.groups())
        return self._json({"message": "Not Found", "error": 404}, status=404)

    def _routes(self):
        return [
            (r"/message/unread", "GET", self._inbox),
            (r"/message/sent", "GET", self._sent_listing),
            (r"/api/read_message", "POST", self._read),
            (r"/api/comment", "POST", self._reply),
            (r"/api/compose", "POST", self._compose),
            (r"/user/([^/]+)/comments", "GET", self._user_comments),
            (r"/r/([^/]+)/new", "GET", self._new),
            (r"/r/([^/]+)/about/moderators", "GET", self._moderator_list),
            (r"/r/([^/]+)/api/accept_moderator_invite", "POST", self._accept),
            (r"/r/([^/]+)/wiki/([^/]+)", "GET", self._wiki_page),
            (r"/comments/([^/]+)(?:/[^/]*)?", "GET", self._submission),
        ]

    async def _inbox(self, request, form) -> web.Response:
        if failure := self._failure("inbox"):
            return failure
        with self._lock:
            items = [self._things[name] for name in self._unread]
            return self._json(listing([(i["name"][:2], dict(i)) for i in reversed(items)]))

    async def _sent_listing(self, request, form) -> web.Response:
        with self._lock:
            mine = [t for t in self._things.values() if t["name"].startswith("t4_")]
            mine = [t for t in mine if t["author"] == self.bot]
            return self._json(listing([("t4", dict(t)) for t in reversed(mine)]))

    async def _read(self, request, form) -> web.Response:
        names = set(str(form.get("id", "")).split(","))
        with self._lock:
            self._unread = [name for name in self._unread if name not in names]
        return self._json({})

    async def _reply(self, request, form) -> web.Response:
        if failure := self._failure("comment"):
            return failure
        target, text = str(form.get("thing_id")), str(form.get("text"))
        with self._lock:
            parent = self._things.get(target)
            if parent is None or target in self._deleted:
                error = ["DELETED_COMMENT", "that comment has been deleted", "parent"]
                return self._json({"json": {"errors": [error]}})
            if target.startswith("t4_"):
                subject = f"re: {parent['subject']}"
                data = self._message(self.bot, parent["author"], subject, text, parent=target)
                self._sent.append({"to": parent["author"], "subject": subject, "body": text})
                kind = "t4"
            else:
                if (parent["subreddit"] or "").lower() in self._banned:
                    error = ["SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "parent"]
                    return self._json({"json": {"errors": [error]}})
                post = self._things[parent.get("link_id", target)]
                data = self._comment(post, target, self.bot, text)
                data.update(type=None, subject=None, new=False, was_comment=None)
                kind = "t1"
        await self._wait("comment")
        return self._json(
            {"json": {"errors": [], "data": {"things": [{"kind": kind, "data": data}]}}}
        )

    async def _compose(self, request, form) -> web.Response:
        if failure := self._failure("compose"):
            return failure
        to, subject, text = (str(form.get(k, "")) for k in ("to", "subject", "text"))
        with self._lock:
            self._message(self.bot, to, subject, text)
            self._sent.append({"to": to, "subject": subject, "body": text})
        return self._json({"json": {"errors": []}})

    async def _user_comments(self, request, form, user: str) -> web.Response:
        limit = int(request.query.get("limit", 25))
        with self._lock:
            found = [
                t
                for t in self._things.values()
                if t["name"].startswith("t1_") and t["author"].lower() == user.lower()
            ]
            return self._json(listing([("t1", dict(t)) for t in reversed(found)][:limit]))

    async def _new(self, request, form, subreddit: str) -> web.Response:
        limit = int(request.query.get("limit", 25))
        with self._lock:
            posts = [
                t
                for t in self._things.values()
                if t["name"].startswith("t3_") and t["subreddit"].lower() == subreddit.lower()
            ]
            posts.sort(key=lambda t: t["created_utc"], reverse=True)
            return self._json(listing([("t3", dict(t)) for t in posts][:limit]))

    async def _moderator_list(self, request, form, subreddit: str) -> web.Response:
        children = [
            {"name": name, "id": f"t2_{name.lower()}", "date": 0.0, "mod_permissions": ["all"]}
            for name in self.moderators(subreddit)
        ]
        return self._json({"kind": "UserList", "data": {"children": children}})

    async def _accept(self, request, form, subreddit: str) -> web.Response:
        with self._lock:
            if subreddit.lower() not in self._invites:
                error = ["NO_INVITE_FOUND", "there is no pending invite for that subreddit", None]
                return self._json({"json": {"errors": [error]}})
            self._invites.discard(subreddit.lower())
            self._moderators.setdefault(subreddit.lower(), []).append(self.bot)
        return self._json({"json": {"errors": []}})

    async def _wiki_page(self, request, form, subreddit: str, page: str) -> web.Response:
        with self._lock:
            data = self._wiki.get((subreddit.lower(), page))
        if data is None:
            body = {"reason": "PAGE_NOT_CREATED", "message": "Not Found", "error": 404}
            return self._json(body, status=404)
        return self._json({"kind": "wikipage", "data": data})

    async def _submission(self, request, form, post_id: str) -> web.Response:
        with self._lock:
            post = self._things.get(f"t3_{post_id}")
            if post_id in self._garbled:
                return self._json({"kind": "Listing", "data": None})
            if post is None:
                return self._json({"message": "Not Found", "error": 404}, status=404)
            return self._json([listing([("t3", dict(post))]), listing([])])
