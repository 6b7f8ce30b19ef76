"""A fake X API v2 on loopback for the real tweepy ``Client``: the bot's account, mentions
with their expansions, the bot's own posts, posting replies, and rate-limit headers.

It answers with X's JSON shapes, field selection included (``tweet.fields``, ``expansions``,
``media.fields``, ``user.fields``): a bot that forgets to ask for a field gets nothing here,
as it would on X. Requests must carry an OAuth 1.0a ``Authorization`` header; signatures are
not checked.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.bot.fake_site import FakeSite

Record = dict[str, Any]
_URL = re.compile(r"https?://\S+")
# twitter-text: these code points weigh 1, all others (CJK, emoji...) 2; a URL weighs 23.
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# What a request gets without asking for it, and the fields an expansion brings along.
_DEFAULT = {
    "tweet": {"id", "text", "edit_history_tweet_ids"},
    "media": {"media_key", "type"},
    "user": {"id", "name", "username"},
}
_IMPLIED = {
    "author_id": "author_id",
    "attachments.media_keys": "attachments",
    "referenced_tweets.id": "referenced_tweets",
    "referenced_tweets.id.attachments.media_keys": "referenced_tweets",
    "in_reply_to_user_id": "in_reply_to_user_id",
}
# Requests per 15 minutes, per user, as X documents them.
_LIMITS = {"me": 75, "mentions": 180, "timeline": 900, "lookup": 900, "tweet": 200}
_ENDPOINTS = {
    "/2/users/me": "me",
    "/2/users/{id}/mentions": "mentions",
    "/2/users/{id}/tweets": "timeline",
    "/2/tweets/{id}": "lookup",
    "/2/tweets": "tweet",
}


def weighted_length(text: str) -> int:
    """The length X checks against 280."""
    text = _URL.sub("x" * 23, text)
    return sum(1 if any(a <= ord(c) <= b for a, b in _LIGHT) else 2 for c in text)


def problem(status: int, title: str, detail: str | None = None) -> web.Response:
    """X's error body (RFC 7807 problem details)."""
    body = {"title": title, "detail": detail or title, "type": "about:blank", "status": status}
    return web.json_response(body, status=status)


def invalid(parameter: str, value: str, message: str) -> web.Response:
    """X's 400 for a bad parameter, naming it."""
    error = {"parameters": {parameter: [value]}, "message": message}
    detail = "One or more parameters to your request was invalid."
    kind = "https://api.twitter.com/2/problems/invalid-request"
    body = {"errors": [error], "title": "Invalid Request", "detail": detail, "type": kind}
    return web.json_response(body, status=400)


class FakeX(FakeSite):
    """X's v2 API as tweepy's Client uses it; the state is under one lock, shared with tests."""

    def __init__(self, bot_username: str = "FakeCheckBot"):
        super().__init__("/media")
        self.bot = bot_username
        self._ids = itertools.count(1_800_000_000_000_000_000, 4_096_000)
        self._media_keys = itertools.count(1_800_000_000_000_000_001)
        self._users: dict[str, Record] = {}  # lower-case username -> user object
        self._tweets: dict[str, Record] = {}
        self._media: dict[str, Record] = {}  # media key -> media object
        self._failures: dict[str, list[int]] = {}
        self._windows: dict[str, list[float]] = {}  # endpoint -> [window start, requests]
        self.bot_id = self._user(bot_username)["id"]
        app = self._app()
        app.middlewares.append(self._guard)
        app.router.add_get("/2/users/me", self._me)
        app.router.add_get("/2/users/{id}/mentions", self._mentions)
        app.router.add_get("/2/users/{id}/tweets", self._timeline)
        app.router.add_get("/2/tweets/{id}", self._lookup)
        app.router.add_post("/2/tweets", self._create)
        self._serve(app)

    # World building.

    def post(
        self,
        author: str,
        text: str,
        media: list[str] | None = None,
        reply_to: str | None = None,
        quote_of: str | None = None,
        created_at: datetime | None = None,
    ) -> str:
        """A post by ``author`` (a username); ``media`` are the URLs of its photos."""
        with self._lock:
            author_id = self._user(author)["id"]
            return self._post(author_id, text, media or [], reply_to, quote_of, created_at)

    def fail_next(self, action: str, how: str = "429", seconds: int = 1) -> None:
        """The next ``action`` (me, mentions, timeline, lookup, tweet) answers HTTP 429
        until ``seconds`` from now."""
        assert how == "429" and action in _LIMITS
        with self._lock:
            self._failures.setdefault(action, []).append(seconds)

    def hold_next_tweet(self) -> threading.Event:
        """The next post is created, but its answer waits until the event is set."""
        return self._hold("tweet")

    # Observation.

    def replies_to(self, tweet_id: str) -> list[str]:
        """Texts of the bot's posts replying to ``tweet_id``."""
        return [t["text"] for t in self._replies(tweet_id)]

    def reply_ids_to(self, tweet_id: str) -> list[str]:
        """Ids of the bot's posts replying to ``tweet_id``."""
        return [t["id"] for t in self._replies(tweet_id)]

    def _replies(self, tweet_id: str) -> list[Record]:
        with self._lock:
            return [
                dict(t)
                for t in self._tweets.values()
                if t["author_id"] == self.bot_id
                and {"type": "replied_to", "id": tweet_id} in t.get("referenced_tweets", [])
            ]

    # The state, always under the lock.

    def _user(self, username: str) -> Record:
        if username.lower() not in self._users:
            self._users[username.lower()] = {
                "id": str(1_500_000_000 + len(self._users)), "name": username.title(),
                "username": username, "created_at": "2020-01-01T00:00:00.000Z",
                "description": "", "protected": False, "verified": False,
            }  # fmt: skip
        return self._users[username.lower()]

    def _post(self, author_id, text, media, reply_to, quote_of, created_at) -> str:
        tweet_id = str(next(self._ids))
        created = (created_at or datetime.now(UTC)).astimezone(UTC)
        tweet: Record = {
            "id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id],
            "author_id": author_id, "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": tweet_id, "lang": "en", "possibly_sensitive": False,
            "reply_settings": "everyone",
        }  # fmt: skip
        references = []
        if reply_to:
            parent = self._tweets[reply_to]
            references.append({"type": "replied_to", "id": reply_to})
            tweet["in_reply_to_user_id"] = parent["author_id"]
            tweet["conversation_id"] = parent["conversation_id"]
        if quote_of:
            references.append({"type": "quoted", "id": quote_of})
        if references:
            tweet["referenced_tweets"] = references
        if media:
            tweet["attachments"] = {"media_keys": [self._photo(url) for url in media]}
        if mentions := self._mentioned(text):
            tweet["entities"] = {"mentions": mentions}
        self._tweets[tweet_id] = tweet
        return tweet_id

    def _photo(self, url: str) -> str:
        key = f"3_{next(self._media_keys)}"
        self._media[key] = {"media_key": key, "type": "photo", "url": url}
        self._media[key].update(width=640, height=480, alt_text="")
        return key

    def _mentioned(self, text: str) -> list[Record]:
        """``entities.mentions``: where the text names someone."""
        found = []
        for match in re.finditer(r"(?<!\w)@(\w{1,15})", text):
            mention = {"start": match.start(), "end": match.end(), "username": match[1]}
            if user := self._users.get(match[1].lower()):
                mention["id"] = user["id"]
            found.append(mention)
        return found

    def _mentions_bot(self, tweet: Record) -> bool:
        names = (m["username"].lower() for m in tweet.get("entities", {}).get("mentions", []))
        return self.bot.lower() in names and tweet["author_id"] != self.bot_id

    def _page(self, query, tweets: list[Record]) -> Record | web.Response:
        """A timeline page: newest first, after ``since_id``, before ``until_id`` and the
        ``pagination_token``, at most ``max_results`` (5 to 100, as X demands)."""
        size = query.get("max_results", "10")
        if not size.isdigit() or not 5 <= int(size) <= 100:
            message = f"The `max_results` query parameter value [{size}] is not between 5 and 100"
            return invalid("max_results", size, message)
        since, until = int(query.get("since_id", 0)), int(query.get("until_id", 10**20))
        if token := query.get("pagination_token"):
            until = min(until, int(token, 36))
        tweets = sorted((t for t in tweets if since < int(t["id"]) < until), key=_newest_first)
        chunk = tweets[: int(size)]
        if not chunk:
            return {"meta": {"result_count": 0}}
        meta = {"newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"]}
        meta["result_count"] = len(chunk)
        if len(tweets) > len(chunk):
            meta["next_token"] = _base36(int(chunk[-1]["id"]))
        return {**self._expand(query, chunk), "meta": meta}

    def _expand(self, query, chunk: list[Record]) -> Record:
        """``data`` with the fields asked for, and the ``includes`` its expansions asked for."""
        expansions, fields = _listed(query, "expansions"), _listed(query, "tweet.fields")
        own = fields | {field for name, field in _IMPLIED.items() if name in expansions}
        body: Record = {"data": [_pick(t, own, "tweet") for t in chunk]}
        referenced, includes = self._referenced(chunk), {}
        if "referenced_tweets.id" in expansions and referenced:
            theirs = set(fields)
            if "referenced_tweets.id.attachments.media_keys" in expansions:
                theirs.add("attachments")
            if "referenced_tweets.id.author_id" in expansions:
                theirs.add("author_id")
            includes["tweets"] = [_pick(t, theirs, "tweet") for t in referenced]
        with_media = chunk if "attachments.media_keys" in expansions else []
        if "referenced_tweets.id.attachments.media_keys" in expansions:
            with_media = with_media + referenced
        if keys := dict.fromkeys(k for t in with_media for k in _media_keys(t)):
            wanted = _listed(query, "media.fields")
            includes["media"] = [_pick(self._media[k], wanted, "media") for k in keys]
        if users := self._expanded_users(expansions, chunk, referenced):
            includes["users"] = [_pick(u, _listed(query, "user.fields"), "user") for u in users]
        return {**body, "includes": includes} if includes else body

    def _referenced(self, chunk: list[Record]) -> list[Record]:
        """The posts that ``chunk`` replies to or quotes, once each, if still on X."""
        ids = dict.fromkeys(r["id"] for t in chunk for r in t.get("referenced_tweets", []))
        return [self._tweets[i] for i in ids if i in self._tweets]

    def _expanded_users(self, expansions, chunk, referenced) -> list[Record]:
        ids: list[str] = []
        if "author_id" in expansions:
            ids += [t["author_id"] for t in chunk]
        if "in_reply_to_user_id" in expansions:
            ids += [t["in_reply_to_user_id"] for t in chunk if "in_reply_to_user_id" in t]
        if "referenced_tweets.id.author_id" in expansions:
            ids += [t["author_id"] for t in referenced]
        by_id = {u["id"]: u for u in self._users.values()}
        return [by_id[i] for i in dict.fromkeys(ids)]

    def _rate(self, endpoint: str) -> dict[str, str]:
        """The rate-limit headers of ``endpoint``'s current 15-minute window."""
        now = time.time()
        with self._lock:
            window = self._windows.setdefault(endpoint, [now, 0])
            if now >= window[0] + 900:
                window[:] = [now, 0]
            window[1] += 1
            remaining = max(_LIMITS[endpoint] - int(window[1]), 0)
            reset = int(window[0] + 900)
        return {
            "x-rate-limit-limit": str(_LIMITS[endpoint]),
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(reset),
        }

    def _failure(self, action: str) -> web.Response | None:
        with self._lock:
            queued = self._failures.get(action) or []
            if not queued:
                return None
            seconds = queued.pop(0)
        response = problem(429, "Too Many Requests")
        response.headers["x-rate-limit-limit"] = str(_LIMITS[action])
        response.headers["x-rate-limit-remaining"] = "0"
        response.headers["x-rate-limit-reset"] = str(int(time.time()) + seconds)
        return response

    # HTTP.

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        """Wants OAuth 1.0a on the API; answers X's 404; adds the rate-limit headers."""
        if not request.path.startswith("/2/"):
            return await handler(request)
        auth = request.headers.get("Authorization", "")
        if not (auth.startswith("OAuth ") and "oauth_consumer_key" in auth):
            return problem(401, "Unauthorized")
        resource = request.match_info.route.resource
        endpoint = _ENDPOINTS.get(resource.canonical if resource is not None else "")
        if endpoint is None:
            return problem(404, "Not Found Error", "Sorry, that page does not exist.")
        if failure := self._failure(endpoint):
            return failure
        response = await handler(request)
        response.headers.update(self._rate(endpoint))
        return response

    async def _me(self, request: web.Request) -> web.Response:
        with self._lock:
            user = _pick(self._users[self.bot.lower()], _listed(request.query, "user.fields"))
        return web.json_response({"data": user})

    async def _mentions(self, request: web.Request) -> web.Response:
        with self._lock:
            found = [t for t in self._tweets.values() if self._mentions_bot(t)]
            return _answer(self._page(request.query, found))

    async def _timeline(self, request: web.Request) -> web.Response:
        with self._lock:
            own = [t for t in self._tweets.values() if t["author_id"] == request.match_info["id"]]
            return _answer(self._page(request.query, own))

    async def _lookup(self, request: web.Request) -> web.Response:
        tweet_id = request.match_info["id"]
        with self._lock:
            if tweet_id not in self._tweets:
                return web.json_response({"errors": [_not_found(tweet_id)]})
            body = self._expand(request.query, [self._tweets[tweet_id]])
        return web.json_response({**body, "data": body["data"][0]})

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("text", ""))
        if not text:
            return invalid("text", "", "Requires at least one of text, media.media_ids")
        if weighted_length(text) > 280:
            return problem(403, "Forbidden", "Your Tweet text is too long.")
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        reply_to = str(reply_to) if reply_to else None
        with self._lock:
            if reply_to and reply_to not in self._tweets:
                detail = "You attempted to reply to a Tweet that is deleted or not visible to you."
                return problem(403, "Forbidden", detail)
            tweet_id = self._post(self.bot_id, text, [], reply_to, body.get("quote_tweet_id"), None)
        await self._wait("tweet", request)
        data = {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}
        return web.json_response({"data": data}, status=201)


def _answer(page: Record | web.Response) -> web.Response:
    return page if isinstance(page, web.Response) else web.json_response(page)


def _listed(query, name: str) -> set[str]:
    return {value for value in query.get(name, "").split(",") if value}


def _pick(record: Record, fields: set[str], kind: str = "user") -> Record:
    keep = _DEFAULT[kind] | fields
    return {k: v for k, v in record.items() if k in keep}


def _media_keys(tweet: Record) -> list[str]:
    return tweet.get("attachments", {}).get("media_keys", [])


def _newest_first(tweet: Record) -> int:
    return -int(tweet["id"])


def _base36(number: int) -> str:
    digits, text = "0123456789abcdefghijklmnopqrstuvwxyz", ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text or "0"


def _not_found(tweet_id: str) -> Record:
    """X's lookup of a missing post: HTTP 200 with an error per id."""
    return {
        "value": tweet_id, "detail": f"Could not find tweet with id: [{tweet_id}].",
        "title": "Not Found Error", "resource_type": "tweet", "parameter": "id",
        "resource_id": tweet_id, "type": "https://api.twitter.com/2/problems/resource-not-found",
    }  # fmt: skip
