"""Where the pictures of a post are: Reddit's many post shapes, X's media expansions.

Both work on the plain JSON fields the platforms send, so they are tested without a client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

_IMAGE_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
    ".avif",
    ".heic",
    ".heif",
)


def reddit_images(post: Mapping[str, Any]) -> list[str]:
    """Image URLs of a Reddit post, in order: a crosspost's parent, a gallery (or images
    inline in a text post), a direct image link (i.redd.it, i.imgur.com, any image file),
    else the preview Reddit made of an image link (an imgur page, say)."""
    parents = post.get("crosspost_parent_list") or []
    if parents:
        return reddit_images(parents[0])
    found = _gallery(post)
    if not found and _is_image_link(post.get("url") or ""):
        found = [post["url"]]
    # Only an image post's preview: a link or video post's is a thumbnail, not the picture.
    if not found and post.get("post_hint") == "image":
        images = (post.get("preview") or {}).get("images") or []
        found = [images[0]["source"]["url"]] if images else []
    return _unique(found)


def x_images(
    tweet: Mapping[str, Any], media: Iterable[Mapping[str, Any]], tweets: Iterable[Mapping]
) -> list[str]:
    """Photos of the mentioning post; else those of the post it replies to or quotes."""
    photos = {m["media_key"]: m["url"] for m in media if m.get("type") == "photo" and "url" in m}
    found = _attached(tweet, photos)
    if not found:
        by_id = {t["id"]: t for t in tweets}
        for reference in tweet.get("referenced_tweets") or []:
            if reference.get("type") in ("replied_to", "quoted") and reference["id"] in by_id:
                found += _attached(by_id[reference["id"]], photos)
    return _unique(found)


def _gallery(post: Mapping[str, Any]) -> list[str]:
    metadata = post.get("media_metadata") or {}
    order = [i["media_id"] for i in (post.get("gallery_data") or {}).get("items", [])]
    found = []
    for media_id in order or list(metadata):
        meta = metadata.get(media_id) or {}
        source = meta.get("s") or {}
        if meta.get("status") == "valid" and meta.get("e") == "Image" and source.get("u"):
            found.append(source["u"])
    return found


def _is_image_link(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.path.lower().endswith(_IMAGE_SUFFIXES)


def _attached(tweet: Mapping[str, Any], photos: Mapping[str, str]) -> list[str]:
    keys = (tweet.get("attachments") or {}).get("media_keys") or []
    return [photos[key] for key in keys if key in photos]


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))
