"""A fake X API v2 on loopback for the real tweepy ``Client``: the bot's account, mentions
with their expansions, the bot's own posts, posting replies, and rate-limit headers.

Requests must carry an OAuth 1.0a ``Authorization`` header (signatures are not checked).
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

_URL = re.compile(r"https?://\S+")
_TWEET_FIELDS = {
    "author_id",
    "created_at",
    "referenced_tweets",
    "attachments",
    "conversation_id",
    "in_reply_to_user_id",
}


def _problem(status: int, title: str, **headers: str) -> web.Response:
    body = {"title": title, "detail": title, "type": "about:blank", "status": status}
    return web.json_response(body, status=status, headers=headers)


class FakeX(FakeSite):
    def __init__(self, bot_username: str = "FakeCheckBot"):
        super().__init__("/media")
        self.bot = bot_username
        self._ids = itertools.count(1_800_000_000_000_000_000)
        self._media_keys = itertools.count(1)
        self._users: dict[str, str] = {}  # username -> id
        self.bot_id = self._user(bot_username)
        self._tweets: dict[str, dict[str, Any]] = {}
        self._media: dict[str, dict[str, Any]] = {}  # media key -> media object
        self._failures: dict[str, list[int]] = {}
        app = self._app()
        app.middlewares.append(self._guard)
        app.router.add_get("/2/users/me", self._me)
        app.router.add_get("/2/users/{id}/mentions", self._mentions)
        app.router.add_get("/2/users/{id}/tweets", self._timeline)
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
        with self._lock:
            return self._post(self._user(author), text, media or [], reply_to, quote_of, created_at)

    def fail_next(self, action: str, how: str = "429", seconds: int = 1) -> None:
        """The next ``action`` (mentions, tweet) answers HTTP 429 until ``seconds`` from now."""
        assert how == "429"
        with self._lock:
            self._failures.setdefault(action, []).append(seconds)

    def hold_next_tweet(self) -> threading.Event:
        """The next post is created, but its answer waits until the event is set."""
        return self._hold("tweet")

    # Observation.

    def replies_to(self, tweet_id: str) -> list[str]:
        with self._lock:
            return [
                t["text"]
                for t in self._tweets.values()
                if t["author_id"] == self.bot_id
                and {"type": "replied_to", "id": tweet_id} in t.get("referenced_tweets", [])
            ]

    # The state, always under the lock.

    def _user(self, username: str) -> str:
        return self._users.setdefault(username, str(1000 + len(self._users)))

    def _post(self, author_id, text, media, reply_to, quote_of, created_at) -> str:
        tweet_id = str(next(self._ids))
        created = created_at or datetime.now(UTC)
        tweet: dict[str, Any] = {
            "id": tweet_id,
            "text": text,
            "edit_history_tweet_ids": [tweet_id],
            "author_id": author_id,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": tweet_id,
        }
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
            keys = []
            for url in media:
                key = f"3_{next(self._media_keys)}"
                self._media[key] = {
                    "media_key": key,
                    "type": "photo",
                    "url": url,
                    "width": 640,
                    "height": 480,
                }
                keys.append(key)
            tweet["attachments"] = {"media_keys": keys}
        self._tweets[tweet_id] = tweet
        return tweet_id

    def _shape(self, tweet: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        """A tweet as X returns it: id, text, edit history, and only the fields asked for."""
        keep = {"id", "text", "edit_history_tweet_ids"} | (fields & _TWEET_FIELDS)
        return {k: v for k, v in tweet.items() if k in keep}

    def _page(self, request: web.Request, tweets: list[dict[str, Any]]) -> dict[str, Any]:
        query = request.query
        since = int(query.get("since_id", 0))
        size = int(query.get("max_results", 10))
        start = int(query.get("pagination_token", 0))
        fields = set(query.get("tweet.fields", "").split(","))
        expansions = set(query.get("expansions", "").split(","))
        tweets = sorted((t for t in tweets if int(t["id"]) > since), key=lambda t: -int(t["id"]))
        chunk = tweets[start : start + size]
        if not chunk:
            return {"meta": {"result_count": 0}}
        meta = {
            "newest_id": chunk[0]["id"],
            "oldest_id": chunk[-1]["id"],
            "result_count": len(chunk),
        }
        if start + size < len(tweets):
            meta["next_token"] = str(start + size)
        body: dict[str, Any] = {"data": [self._shape(t, fields) for t in chunk], "meta": meta}
        includes = self._includes(chunk, expansions, fields)
        if includes:
            body["includes"] = includes
        return body

    def _includes(self, chunk, expansions: set[str], fields: set[str]) -> dict[str, Any]:
        includes: dict[str, Any] = {}
        referenced = [
            self._tweets[r["id"]]
            for t in chunk
            for r in t.get("referenced_tweets", [])
            if r["id"] in self._tweets
        ]
        media_of: list[dict] = []
        if "attachments.media_keys" in expansions:
            media_of += chunk
        if "referenced_tweets.id.attachments.media_keys" in expansions:
            media_of += referenced
        keys = [k for t in media_of for k in t.get("attachments", {}).get("media_keys", [])]
        if keys:
            includes["media"] = [self._media[k] for k in dict.fromkeys(keys)]
        if "referenced_tweets.id" in expansions and referenced:
            includes["tweets"] = [self._shape(t, fields) for t in referenced]
        if "author_id" in expansions:
            ids = dict.fromkeys(t["author_id"] for t in chunk)
            names = {v: k for k, v in self._users.items()}
            includes["users"] = [{"id": i, "name": names[i], "username": names[i]} for i in ids]
        return includes

    def _failure(self, action: str) -> web.Response | None:
        with self._lock:
            queued = self._failures.get(action) or []
            if not queued:
                return None
            seconds = queued.pop(0)
        headers = {
            "x-rate-limit-limit": "75",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(time.time()) + seconds),
        }
        return _problem(429, "Too Many Requests", **headers)

    # HTTP.

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        """Wants OAuth 1.0a on the API, adds the rate-limit headers."""
        if request.path.startswith("/2/"):
            auth = request.headers.get("Authorization", "")
            if not (auth.startswith("OAuth ") and "oauth_consumer_key" in auth):
                return _problem(401, "Unauthorized")
        response = await handler(request)
        if request.path.startswith("/2/") and "x-rate-limit-limit" not in response.headers:
            response.headers["x-rate-limit-limit"] = "75"
            response.headers["x-rate-limit-remaining"] = "74"
            response.headers["x-rate-limit-reset"] = str(int(time.time()) + 900)
        return response

    async def _me(self, request: web.Request) -> web.Response:
        data = {"id": self.bot_id, "name": self.bot, "username": self.bot}
        return web.json_response({"data": data})

    async def _mentions(self, request: web.Request) -> web.Response:
        if failure := self._failure("mentions"):
            return failure
        handle = f"@{self.bot}".lower()
        with self._lock:
            found = [
                t
                for t in self._tweets.values()
                if handle in t["text"].lower() and t["author_id"] != request.match_info["id"]
            ]
            return web.json_response(self._page(request, found))

    async def _timeline(self, request: web.Request) -> web.Response:
        with self._lock:
            own = [t for t in self._tweets.values() if t["author_id"] == request.match_info["id"]]
            return web.json_response(self._page(request, own))

    async def _create(self, request: web.Request) -> web.Response:
        if failure := self._failure("tweet"):
            return failure
        body = await request.json()
        text = body.get("text", "")
        if len(_URL.sub("x" * 23, text)) > 280:
            return _problem(403, "Forbidden")
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        with self._lock:
            if reply_to and reply_to not in self._tweets:
                return _problem(400, "Invalid Request")
            tweet_id = self._post(self.bot_id, text, [], reply_to, None, None)
        await self._wait("tweet")
        data = {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}
        return web.json_response({"data": data}, status=201)
