"""A fake X API v2 on loopback for the real tweepy ``Client``: the bot's account, mentions
with their expansions, the bot's own posts, posting replies, and rate-limit headers.

It answers with X's JSON shapes, field selection included (``tweet.fields``, ``expansions``,
``media.fields``, ``user.fields``): a bot that forgets to ask for a field gets nothing here,
as it would on X. Requests must carry an OAuth 1.0a ``Authorization`` header; signatures are
not checked.

Here: what tests call (posting, reading the bot's replies) and the server (OAuth, endpoints,
rate limits). The users and posts, and the shapes X answers with, are in ``fake_x_state``.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime

from aiohttp import web

from tests.bot.fake_site import FakeSite
from tests.bot.fake_x_state import Record, XState, invalid, listed, pick

_URL = re.compile(r"https?://\S+")
# twitter-text: these code points weigh 1, all others (CJK, emoji...) 2; a URL weighs 23.
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
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


class FakeX(XState, FakeSite):
    """X's v2 API as tweepy's Client uses it; the state is under one lock, shared with tests."""

    def __init__(self, bot_username: str = "FakeCheckBot"):
        FakeSite.__init__(self, "/media")
        XState.__init__(self, bot_username)
        self._failures: dict[str, list[int]] = {}
        self._windows: dict[str, list[float]] = {}  # endpoint -> [window start, requests]
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

    # HTTP.

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
            user = pick(self._users[self.bot.lower()], listed(request.query, "user.fields"))
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


def _not_found(tweet_id: str) -> Record:
    """X's lookup of a missing post: HTTP 200 with an error per id."""
    return {
        "value": tweet_id, "detail": f"Could not find tweet with id: [{tweet_id}].",
        "title": "Not Found Error", "resource_type": "tweet", "parameter": "id",
        "resource_id": tweet_id, "type": "https://api.twitter.com/2/problems/resource-not-found",
    }  # fmt: skip
