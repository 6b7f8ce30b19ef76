"""Stored verdicts, their pictures and people's feedback, in SQLite or PostgreSQL.

Results are keyed by the image's sha256 and the model version that judged it, so a viral
image is analysed once per model, and a new model judges afresh. The uploaded image itself
is kept only when the service is told to (``store_images``).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from service.migrations import MIGRATIONS
from storage.aio import AsyncDatabase, open_async
from storage.database import Row
from storage.migrations import upgrade_url
from storage.urls import StoreUrl

PICTURES = ("ela_png", "heatmap_png", "image")


@dataclass(frozen=True)
class Result:
    """One analysis as stored: the verdict JSON (``to_json()`` of the model) and its pictures."""

    verdict: dict[str, Any]
    ela_png: bytes
    heatmap_png: bytes
    image: bytes | None = None

    @property
    def id(self) -> str:
        return self.verdict["id"]

    @property
    def model_version(self) -> str:
        return self.verdict["model"]["version"]


@dataclass(frozen=True)
class Stored:
    """A verdict JSON as kept, and whether the image it judged is kept beside it."""

    verdict: dict[str, Any]
    has_image: bool


class Store:
    """The one store of the service, on SQLite or PostgreSQL (``store_url``)."""

    def __init__(self, db: AsyncDatabase):
        self.db = db

    @classmethod
    async def open(cls, url: StoreUrl, pool_size: int = 10) -> Store:
        """Migrates the database to this program's schema, then opens it."""
        await asyncio.to_thread(upgrade_url, url, MIGRATIONS)
        return cls(await open_async(url, pool_size))

    async def close(self) -> None:
        await self.db.close()

    async def put(self, result: Result) -> bool:
        """Keeps ``result`` unless this model's verdict on the image is kept already (another
        replica may have analysed it at the same time): one verdict per image and model.
        True when this one was kept."""
        changed = await self.db.execute(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id, model_version) DO NOTHING",
            (
                result.id,
                result.model_version,
                json.dumps(result.verdict),
                result.ela_png,
                result.heatmap_png,
                result.image,
                time.time(),
            ),
        )
        return changed == 1

    async def cached(self, result_id: str, model_version: str) -> Stored | None:
        """What this model said of the image, if it has seen it."""
        row = await self.db.one(
            "SELECT verdict, image IS NOT NULL AS has_image FROM results"
            " WHERE id = ? AND model_version = ?",
            (result_id, model_version),
        )
        return _stored(row)

    async def latest(self, result_id: str) -> Stored | None:
        """The newest result stored under ``result_id``, whichever model gave it."""
        row = await self.db.one(
            "SELECT verdict, image IS NOT NULL AS has_image FROM results WHERE id = ?"
            " ORDER BY created_at DESC LIMIT 1",
            (result_id,),
        )
        return _stored(row)

    async def picture(self, result_id: str, name: str) -> bytes | None:
        """One of ``PICTURES`` of the newest result under ``result_id``, if stored."""
        if name not in PICTURES:
            raise ValueError(f"no picture named {name}")
        row = await self.db.one(
            f"SELECT {name} AS picture FROM results WHERE id = ? ORDER BY created_at DESC LIMIT 1",
            (result_id,),
        )
        return None if row is None or row["picture"] is None else bytes(row["picture"])

    async def add_feedback(
        self, verdict: dict[str, Any], expected: str | None, comment: str
    ) -> int:
        row = await self.db.one(
            "INSERT INTO feedback (result_id, model_version, verdict, expected, comment,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING feedback_id",
            (
                verdict["id"],
                verdict["model"]["version"],
                verdict["verdict"],
                expected,
                comment,
                time.time(),
            ),
        )
        assert row is not None
        return int(row["feedback_id"])


def _stored(row: Row | None) -> Stored | None:
    """A row of (verdict JSON, whether the image is kept) as a Stored, if there is one."""
    return None if row is None else Stored(json.loads(row["verdict"]), bool(row["has_image"]))
