"""The fake Reddit's HTTP side: the endpoints of Reddit's OAuth API that praw calls, answered
from the fake's state with Reddit's status codes, error bodies, listing pages and rate-limit
headers, and with the faults a test has queued.
"""

from __future__ import annotations

import re
import time
from typing import Any

from aiohttp import web

from tests.bot.fake_reddit_state import RedditState, Thing, listing, recipient
from tests.bot.fake_site import FakeSite

TOKEN = "fake-reddit-token"
# A quota that never runs low: prawcore paces its requests by these, and tests must not wait.
_RATE_HEADERS = {"x-ratelimit-remaining": "599.0", "x-ratelimit-used": "1"}
_MAX_TEXT = 10000
_RATELIMIT = (
    "Looks like you've been doing that a lot. Take a break for {} seconds before trying again."
)


def errors(code: str, message: str, field_name: str | None) -> dict[str, Any]:
    """Reddit's way of refusing a POST: HTTP 200 and a list of [code, message, field]."""
    return {"json": {"errors": [[code, message, field_name]]}}


class RedditApi(RedditState, FakeSite):
    """Reddit's OAuth API as praw uses it, served on loopback from the state."""

    def __init__(self, bot_name: str):
        FakeSite.__init__(self, "/img")
        # The state's lock replaces the site's: one lock for the images and all of Reddit.
        RedditState.__init__(self, bot_name)
        app = self._app()
        app.router.add_route("*", "/{path:.*}", self._dispatch)
        self._serve(app)

    def _failure(self, action: str) -> web.Response | None:
        with self._lock:
            queued = self._failures.get(action) or []
            if not queued:
                return None
            how, seconds = queued.pop(0)
        if how == "ratelimit":
            return _json(errors("RATELIMIT", _RATELIMIT.format(seconds), "ratelimit"))
        headers = {"retry-after": str(seconds), "x-ratelimit-reset": str(seconds)}
        headers.update({"x-ratelimit-remaining": "0", "x-ratelimit-used": "600"})
        return _json({"message": "Too Many Requests", "error": 429}, 429, headers)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        if path == "/api/v1/access_token":
            return self._token(request)
        if request.headers.get("Authorization") != f"bearer {TOKEN}":
            return _json({"message": "Unauthorized", "error": 401}, 401)
        form = dict(await request.post()) if request.method == "POST" else {}
        for method, pattern, name in _ROUTES:
            if request.method == method and (match := re.fullmatch(pattern, path)):
                response = await getattr(self, name)(request, form, *match.groups())
                break
        else:
            response = _json({"message": "Not Found", "error": 404}, 404)
        if "x-ratelimit-remaining" not in response.headers:
            response.headers.update(_RATE_HEADERS)
            response.headers["x-ratelimit-reset"] = str(600 - int(time.time()) % 600)
        return response

    def _token(self, request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("Basic "):
            return _json({"message": "Unauthorized", "error": 401}, 401)
        body = {"access_token": TOKEN, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
        return _json(body)

    async def _me(self, request, form) -> web.Response:
        with self._lock:
            moderates = any(self.bot in dict(s.moderators) for s in self._subs.values())
            return _json({
                "name": self.bot, "id": self._users[self.bot.lower()][3:], "created_utc": 1.6e9,
                "link_karma": 1, "comment_karma": 1, "total_karma": 2, "is_suspended": False,
                "has_verified_email": True, "is_mod": moderates, "has_mail": bool(self._unread),
                "inbox_count": len(self._unread),
            })  # fmt: skip

    async def _messages(self, request, form, box: str) -> web.Response:
        if box == "unread" and (failure := self._failure("inbox")):
            return failure
        with self._lock:
            names = self._unread if box == "unread" else self._inbox
            kinds = {"messages": ("t4_",), "mentions": ("t1_",)}.get(box, ("t1_", "t4_"))
            items = [self._inbox_view(n) for n in reversed(names) if n.startswith(kinds)]
            if box == "unread" and request.query.get("mark", "").lower() == "true":
                self._unread.clear()
            return _json(_page(request, items))

    async def _sent_box(self, request, form) -> web.Response:
        with self._lock:
            mine = [
                dict(t, new=False)
                for t in reversed(self._things.values())
                if t["name"].startswith("t4_") and t["author"] == self.bot
            ]
            return _json(_page(request, mine))

    async def _read(self, request, form) -> web.Response:
        names = set(str(form.get("id", "")).split(","))
        with self._lock:
            self._unread = [name for name in self._unread if name not in names]
        return _json({})

    async def _reply(self, request, form) -> web.Response:
        if failure := self._failure("comment"):
            return failure
        target, text = str(form.get("thing_id", "")), str(form.get("text", ""))
        with self._lock:
            parent = self._things.get(target)
            if refusal := self._refuse_reply(parent, text):
                return _json(refusal)
            if target.startswith("t4_"):
                subject = f"re: {parent['subject']}"
                data = self._message(self.bot, parent["author"], subject, text, parent=parent)
                self._sent.append({"to": parent["author"], "subject": subject, "body": text})
            else:
                post = self._things[parent.get("link_id", target)]
                data = self._comment(post, target, self.bot, text)
            thing = {"kind": data["name"][:2], "data": dict(data)}
        await self._wait("comment", request)
        return _json({"json": {"errors": [], "data": {"things": [thing]}}})

    def _refuse_reply(self, parent: Thing | None, text: str) -> dict[str, Any] | None:
        if parent is None or parent["name"] in self._deleted:
            return errors("DELETED_COMMENT", "that comment has been deleted", "parent")
        if not text.strip():
            return errors("NO_TEXT", "we need something here", "text")
        if len(text) > _MAX_TEXT:
            return errors("TOO_LONG", f"this is too long (max: {_MAX_TEXT})", "text")
        banned = parent["subreddit"] and self._sub(parent["subreddit"]).banned
        if banned and not parent["name"].startswith("t4_"):
            return errors("SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "parent")
        return None

    async def _compose(self, request, form) -> web.Response:
        if failure := self._failure("compose"):
            return failure
        to, subject, text = (str(form.get(key, "")) for key in ("to", "subject", "text"))
        dest = recipient(to)
        with self._lock:
            if not dest.startswith("#") and dest.lower() not in self._users:
                return _json(errors("USER_DOESNT_EXIST", "that user doesn't exist", "to"))
            if len(text) > _MAX_TEXT:
                return _json(errors("TOO_LONG", f"this is too long (max: {_MAX_TEXT})", "text"))
            self._message(self.bot, dest, subject, text)
            self._sent.append({"to": dest, "subject": subject, "body": text})
        return _json({"json": {"errors": []}})

    async def _report(self, request, form) -> web.Response:
        with self._lock:
            # praw sends the fullname as ``id``; Reddit's documentation says ``thing_id``.
            thing = str(form.get("thing_id") or form.get("id", ""))
            self._reports.append((thing, str(form.get("reason", ""))))
        return _json({"json": {"errors": []}})

    async def _user_comments(self, request, form, user: str) -> web.Response:
        with self._lock:
            found = [
                self._view(t)
                for t in reversed(self._things.values())
                if t["name"].startswith("t1_") and t["author"].lower() == user.lower()
            ]
            return _json(_page(request, found))

    async def _new(self, request, form, subreddit: str) -> web.Response:
        with self._lock:
            posts = [
                self._view(t)
                for t in self._things.values()
                if t["name"].startswith("t3_") and t["subreddit"].lower() == subreddit.lower()
            ]
            posts.sort(key=lambda t: t["created_utc"], reverse=True)
            return _json(_page(request, posts))

    async def _about(self, request, form, subreddit: str) -> web.Response:
        with self._lock:
            sub = self._sub(subreddit)
            name = sub.display_name
            data = {
                "display_name": name, "display_name_prefixed": f"r/{name}", "title": name,
                "name": sub.fullname, "id": sub.fullname[3:], "url": f"/r/{name}/",
                "subreddit_type": "public", "over18": False, "subscribers": 1000,
                "created_utc": 1.5e9, "public_description": "", "user_is_banned": sub.banned,
                "user_is_moderator": self.bot in dict(sub.moderators),
                "user_is_subscriber": False, "user_is_contributor": False, "quarantine": False,
            }  # fmt: skip
            return _json({"kind": "t5", "data": data})

    async def _moderator_list(self, request, form, subreddit: str) -> web.Response:
        with self._lock:
            children = [
                {"name": name, "id": self._user(name), "date": date, "mod_permissions": ["all"]}
                for name, date in self._sub(subreddit).moderators
            ]
        return _json({"kind": "UserList", "data": {"children": children}})

    async def _accept(self, request, form, subreddit: str) -> web.Response:
        with self._lock:
            sub = self._sub(subreddit)
            if not sub.invited:
                message = "there is no pending invite for that subreddit"
                return _json(errors("NO_INVITE_FOUND", message, None))
            sub.invited = False
            sub.moderators.append((self.bot, time.time()))
        return _json({"json": {"errors": []}})

    async def _wiki_page(self, request, form, subreddit: str, page: str) -> web.Response:
        with self._lock:
            data = self._sub(subreddit).wiki.get(page.lower())
        if data is None:
            body = {"reason": "PAGE_NOT_CREATED", "message": "Not Found", "error": 404}
            return _json(body, 404)
        return _json({"kind": "wikipage", "data": data})

    async def _submission(self, request, form, post_id: str) -> web.Response:
        with self._lock:
            post = self._things.get(f"t3_{post_id}")
            if post_id in self._garbled:
                return _json({"kind": "Listing", "data": None})
            if post is None:
                return _json({"message": "Not Found", "error": 404}, 404)
            comments = self._tree(post["name"])
            return _json([listing([self._view(post)], 1), listing(comments, len(comments))])

    async def _info(self, request, form, names: str | None = None) -> web.Response:
        """``/by_id/t3_a,t3_b`` (posts) and ``/api/info?id=...`` (any things)."""
        wanted = (names or request.query.get("id", "")).split(",")
        with self._lock:
            found = [self._view(self._things[n]) for n in wanted if n in self._things]
            return _json(listing(found, len(found)))


_ROUTES = [
    ("GET", r"/api/v1/me", "_me"),
    ("GET", r"/message/(unread|inbox|messages|mentions)", "_messages"),
    ("GET", r"/message/sent", "_sent_box"),
    ("POST", r"/api/read_message", "_read"),
    ("POST", r"/api/comment", "_reply"),
    ("POST", r"/api/compose", "_compose"),
    ("POST", r"/api/report", "_report"),
    ("GET", r"/user/([^/]+)/comments", "_user_comments"),
    ("GET", r"/r/([^/]+)/new", "_new"),
    ("GET", r"/r/([^/]+)/about", "_about"),
    ("GET", r"/r/([^/]+)/about/moderators", "_moderator_list"),
    ("POST", r"/r/([^/]+)/api/accept_moderator_invite", "_accept"),
    ("GET", r"/r/([^/]+)/wiki/([^/]+)", "_wiki_page"),
    ("GET", r"(?:/r/[^/]+)?/comments/([^/]+)(?:/[^/]*)?", "_submission"),
    ("GET", r"/by_id/([^/]+)", "_info"),
    ("GET", r"/api/info", "_info"),
]


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


def _page(request: web.Request, things: list[Thing]) -> dict[str, Any]:
    """One page of a listing, honouring ``limit`` (at most 100) and ``after``."""
    limit = min(int(request.query.get("limit", 25)), 100)
    names = [t["name"] for t in things]
    after = request.query.get("after")
    start = names.index(after) + 1 if after in names else 0
    page = things[start : start + limit]
    more = start + limit < len(things) and page
    return listing(page, len(page), page[-1]["name"] if more else None)
