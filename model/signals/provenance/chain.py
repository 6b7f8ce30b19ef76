"""The manifests of a C2PA store that speak for a file: the active one, then, through the
ingredients each records, the earlier versions and the parts the file was made from.

A generator's picture opened and signed again (ChatGPT does this with what GPT-4o makes)
declares its creation only in the ingredient's manifest, so reading the active manifest
alone misses it. The store is untrusted input: ingredients may point in a circle or nest
without end, so the walk remembers where it has been and stops at fixed bounds; ``as_list`` and
``as_text`` are the type checks every reader of the store uses.
"""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple

# Bounds on the walk. Real chains are a handful of manifests deep and wide; a store past
# these was made to stall the reader, and what lies beyond them is left unread.
_MAX_MANIFESTS = 64
_MAX_DEPTH = 16
_MAX_INGREDIENTS = 64  # read per manifest

# What an ingredient is to the file, by its C2PA relationship. Along a path the later of
# these wins (a part of an earlier version is still a part of the picture); a missing or
# unknown relationship reads as componentOf, C2PA's default.
_SUBJECTS = ("", "an earlier version", "an image used to make it", "a part of the image")
_RELATIONSHIPS = dict(zip(("parentOf", "inputTo", "componentOf"), _SUBJECTS[1:], strict=True))


class Link(NamedTuple):
    """One manifest reached from the active one."""

    label: str
    manifest: dict[str, Any]
    subject: str  # what it speaks of: "" for the file itself, else e.g. "an earlier version"
    ingredient: dict[str, Any]  # how the manifest above recorded it ({} for the active one)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def walk(store: dict[str, Any]) -> list[Link]:
    """The active manifest, then every manifest its ingredients lead to, nearest first;
    empty when the store has no usable active manifest."""
    manifests, label = store.get("manifests"), store.get("active_manifest")
    if not isinstance(manifests, dict) or not isinstance(label, str):
        return []
    if not isinstance(manifests.get(label), dict):
        return []
    links = [Link(label, manifests[label], "", {})]
    seen, queue = {label}, deque([(links[0], 0)])
    while queue:
        link, depth = queue.popleft()
        if depth == _MAX_DEPTH:
            continue
        for ingredient in as_list(link.manifest.get("ingredients"))[:_MAX_INGREDIENTS]:
            child = ingredient.get("active_manifest") if isinstance(ingredient, dict) else None
            if not isinstance(child, str) or child in seen:
                continue
            if not isinstance(manifests.get(child), dict):
                continue
            if len(links) == _MAX_MANIFESTS:
                return links
            seen.add(child)
            subject = _subject(link.subject, ingredient.get("relationship"))
            links.append(Link(child, manifests[child], subject, ingredient))
            queue.append((links[-1], depth + 1))
    return links


def _subject(above: str, relationship: Any) -> str:
    own = _RELATIONSHIPS.get(relationship if isinstance(relationship, str) else "", _SUBJECTS[-1])
    return max(above, own, key=_SUBJECTS.index)
