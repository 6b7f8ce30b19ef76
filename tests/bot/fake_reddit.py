"""A fake Reddit on loopback for the real praw client: OAuth, inbox, posts, comments,
messages, moderators, wiki pages, rate-limit headers, and the faults the bot must survive.

It answers with the JSON shapes Reddit sends, because praw builds its objects from them: a
wrong field here would pass a test that fails against Reddit. Tests build the world (posts,
mentions, messages) and read what the bot did (replies, messages sent, reports).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from tests.bot.fake_site import FakeSite

TOKEN = "fake-reddit-token"
Thing = dict[str, Any]
# A quota that never runs low: prawcore paces its requests by these, and tests must not wait.
_RATE_HEADERS = {"x-ratelimit-remaining": "599.0", "x-ratelimit-used": "1"}
_MAX_TEXT = 10000
_RATELIMIT = (
    "Looks like you've been doing that a lot. Take a break for {} seconds before trying again."
)
_IMAGE_FILE = re.compile(r"\.(jpe?g|png|gif|webp)$", re.IGNORECASE)


def base36(number: int) -> str:
    digits, text = "0123456789abcdefghijklmnopqrstuvwxyz", ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"


def errors(code: str, message: str, field_name: str | None) -> dict[str, Any]:
    """Reddit's way of refusing a POST: HTTP 200 and a list of [code, message, field]."""
    return {"json": {"errors": [[code, message, field_name]]}}


@dataclass
class Subreddit:
    """What the fake knows of a subreddit beyond its posts."""

    display_name: str
    fullname: str
    moderators: list[tuple[str, float]] = field(default_factory=list)
    wiki: dict[str, Thing] = field(default_factory=dict)
    invited: bool = False
    banned: bool = False


class FakeReddit(FakeSite):
    """Reddit's OAuth API as praw uses it; the state is under one lock, shared with tests."""

    def __init__(self, bot_name: str = "FakeCheckBot"):
        super().__init__("/img")
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
            want = _recipient(to or "").lower()
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

    # The state, always under the lock.

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
                data["replies"] = _listing(replies, len(replies)) if replies else ""
                children.append(data)
        return children

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

    # HTTP.

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
        dest = _recipient(to)
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
            return _json([_listing([self._view(post)], 1), _listing(comments, len(comments))])

    async def _info(self, request, form, names: str | None = None) -> web.Response:
        """``/by_id/t3_a,t3_b`` (posts) and ``/api/info?id=...`` (any things)."""
        wanted = (names or request.query.get("id", "")).split(",")
        with self._lock:
            found = [self._view(self._things[n]) for n in wanted if n in self._things]
            return _json(_listing(found, len(found)))


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


def _recipient(to: str) -> str:
    """praw writes to a subreddit's moderators as ``#sub``; Reddit also takes ``/r/sub``."""
    return re.sub(r"^/?r/", "#", to.strip())


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


def _listing(things: list[Thing], dist: int | None, after: str | None = None) -> dict[str, Any]:
    children = [{"kind": t["name"][:2], "data": t} for t in things]
    data = {"after": after, "before": None, "dist": dist, "modhash": None, "geo_filter": ""}
    return {"kind": "Listing", "data": {**data, "children": children}}


def _page(request: web.Request, things: list[Thing]) -> dict[str, Any]:
    """One page of a listing, honouring ``limit`` (at most 100) and ``after``."""
    limit = min(int(request.query.get("limit", 25)), 100)
    names = [t["name"] for t in things]
    after = request.query.get("after")
    start = names.index(after) + 1 if after in names else 0
    page = things[start : start + limit]
    more = start + limit < len(things) and page
    return _listing(page, len(page), page[-1]["name"] if more else None)
