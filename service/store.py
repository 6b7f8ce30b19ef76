"""Stored verdicts, their pictures and people's feedback, in one SQLite file.

Results are keyed by the image's sha256 and the model version that judged it, so a viral
image is analysed once per model, and a new model judges afresh. The uploaded image itself
is kept only when the service is told to (``store_images``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id TEXT NOT NULL,
    model_version TEXT NOT NULL,
    verdict TEXT NOT NULL,
    ela_png BLOB NOT NULL,
    heatmap_png BLOB NOT NULL,
    image BLOB,
    created_at REAL NOT NULL,
    PRIMARY KEY (id, model_version)
);
CREATE TABLE IF NOT EXISTS feedback (
    feedback_id INTEGER PRIMARY KEY AUTOINCREMENT,
    result_id TEXT NOT NULL,
    model_version TEXT NOT NULL,
    verdict TEXT NOT NULL,
    expected TEXT,
    comment TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""
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
    def __init__(self, db: aiosqlite.Connection):
        self._db = db

    @classmethod
    async def open(cls, path: Path) -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path)
        # WAL lets readers go on while a verdict is written.
        await db.execute("PRAGMA journal_mode=WAL")
        await db.executescript(_SCHEMA)
        await db.commit()
        return cls(db)

    async def close(self) -> None:
        await self._db.close()

    async def put(self, result: Result) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
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
        await self._db.commit()

    async def cached(self, result_id: str, model_version: str) -> Stored | None:
        """What this model said of the image, if it has seen it."""
        row = await self._one(
            "SELECT verdict, image IS NOT NULL FROM results WHERE id = ? AND model_version = ?",
            (result_id, model_version),
        )
        return _stored(row)

    async def latest(self, result_id: str) -> Stored | None:
        """The newest result stored under ``result_id``, whichever model gave it."""
        row = await self._one(
            "SELECT verdict, image IS NOT NULL FROM results WHERE id = ? "
            "ORDER BY created_at DESC LIMIT 1",
            (result_id,),
        )
        return _stored(row)

    async def picture(self, result_id: str, name: str) -> bytes | None:
        """One of ``PICTURES`` of the newest result under ``result_id``, if stored."""
        if name not in PICTURES:
            raise ValueError(f"no picture named {name}")
        row = await self._one(
            f"SELECT {name} FROM results WHERE id = ? ORDER BY created_at DESC LIMIT 1",
            (result_id,),
        )
        return None if row is None else row[0]

    async def add_feedback(
        self, verdict: dict[str, Any], expected: str | None, comment: str
    ) -> int:
        cursor = await self._db.execute(
            "INSERT INTO feedback (result_id, model_version, verdict, expected, comment, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                verdict["id"],
                verdict["model"]["version"],
                verdict["verdict"],
                expected,
                comment,
                time.time(),
            ),
        )
        await self._db.commit()
        return int(cursor.lastrowid)

    async def _one(self, sql: str, parameters: tuple) -> aiosqlite.Row | None:
        async with self._db.execute(sql, parameters) as cursor:
            return await cursor.fetchone()


def _stored(row: aiosqlite.Row | None) -> Stored | None:
    """A row of (verdict JSON, whether the image is kept) as a Stored, if there is one."""
    return None if row is None else Stored(json.loads(row[0]), bool(row[1]))
