"""The fake X's state: users, posts and their photos as X's API v2 returns them, with its
field selection (``tweet.fields``, ``expansions``, ``media.fields``, ``user.fields``) and its
timeline pages.

The methods expect the site's lock held: tests post from their thread, the server answers
from its own.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from tests.bot.fake_site import base36

Record = dict[str, Any]
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


def invalid(parameter: str, value: str, message: str) -> web.Response:
    """X's 400 for a bad parameter, naming it."""
    error = {"parameters": {parameter: [value]}, "message": message}
    detail = "One or more parameters to your request was invalid."
    kind = "https://api.twitter.com/2/problems/invalid-request"
    body = {"errors": [error], "title": "Invalid Request", "detail": detail, "type": kind}
    return web.json_response(body, status=400)


class XState:
    """What the fake X knows: its users, posts and photos."""

    def __init__(self, bot_username: str):
        self.bot = bot_username
        self._ids = itertools.count(1_800_000_000_000_000_000, 4_096_000)
        self._media_keys = itertools.count(1_800_000_000_000_000_001)
        self._users: dict[str, Record] = {}  # lower-case username -> user object
        self._tweets: dict[str, Record] = {}
        self._media: dict[str, Record] = {}  # media key -> media object
        self.bot_id = self._user(bot_username)["id"]

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
            meta["next_token"] = base36(int(chunk[-1]["id"]))
        return {**self._expand(query, chunk), "meta": meta}

    def _expand(self, query, chunk: list[Record]) -> Record:
        """``data`` with the fields asked for, and the ``includes`` its expansions asked for."""
        expansions, fields = listed(query, "expansions"), listed(query, "tweet.fields")
        own = fields | {field for name, field in _IMPLIED.items() if name in expansions}
        body: Record = {"data": [pick(t, own, "tweet") for t in chunk]}
        referenced, includes = self._referenced(chunk), {}
        if "referenced_tweets.id" in expansions and referenced:
            theirs = set(fields)
            if "referenced_tweets.id.attachments.media_keys" in expansions:
                theirs.add("attachments")
            if "referenced_tweets.id.author_id" in expansions:
                theirs.add("author_id")
            includes["tweets"] = [pick(t, theirs, "tweet") for t in referenced]
        with_media = chunk if "attachments.media_keys" in expansions else []
        if "referenced_tweets.id.attachments.media_keys" in expansions:
            with_media = with_media + referenced
        if keys := dict.fromkeys(k for t in with_media for k in _media_keys(t)):
            wanted = listed(query, "media.fields")
            includes["media"] = [pick(self._media[k], wanted, "media") for k in keys]
        if users := self._expanded_users(expansions, chunk, referenced):
            includes["users"] = [pick(u, listed(query, "user.fields"), "user") for u in users]
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


def listed(query, name: str) -> set[str]:
    """The values of a comma-separated query parameter."""
    return {value for value in query.get(name, "").split(",") if value}


def pick(record: Record, fields: set[str], kind: str = "user") -> Record:
    """``record`` with the fields X sends unasked and those asked for, no others."""
    keep = _DEFAULT[kind] | fields
    return {k: v for k, v in record.items() if k in keep}


def _media_keys(tweet: Record) -> list[str]:
    return tweet.get("attachments", {}).get("media_keys", [])


def _newest_first(tweet: Record) -> int:
    return -int(tweet["id"])
