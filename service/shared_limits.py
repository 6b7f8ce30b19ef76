"""Rate limits that hold across replicas: each caller's token bucket is a row in PostgreSQL.

One statement takes a token or finds there is none, atomically (the row is locked while it
changes), with the database's clock, so replicas whose clocks differ count alike; a clock
read before another replica's take is not counted twice. A bucket left alone long
enough to be full again says no more than no row at all: each replica deletes such rows
every ``prune_every`` requests, so callers seen once (a sweep of addresses) do not pile up.
"""

from __future__ import annotations

from storage.aio import AsyncDatabase

# A bucket refilled up to now (``b``: the row as it stands, locked; ``EXCLUDED.at``: now).
_REFILLED = "LEAST(?::float8, b.tokens + GREATEST(0, EXCLUDED.at - b.at) * ?::float8)"
# Every take writes the row, so what it returns is the row it locked, never an older
# snapshot of it: ``granted``, and the tokens left (those the caller has, when refused).
_TAKE = f"""
WITH now AS (SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8 AS at)
INSERT INTO rate_buckets AS b (caller, tokens, at, granted)
SELECT ?, ?::float8 - 1, at, TRUE FROM now
ON CONFLICT (caller) DO UPDATE
SET granted = {_REFILLED} >= 1,
    tokens = {_REFILLED} - CASE WHEN {_REFILLED} >= 1 THEN 1 ELSE 0 END,
    at = GREATEST(b.at, EXCLUDED.at)
RETURNING tokens, granted
"""
_PRUNE = "DELETE FROM rate_buckets WHERE at < EXTRACT(EPOCH FROM clock_timestamp()) - ?"


class SharedBuckets:
    """Each caller earns ``rate`` tokens per second up to ``burst``, whichever replica it
    reaches; a request spends one."""

    def __init__(self, db: AsyncDatabase, rate: float, burst: int, prune_every: int = 1000):
        self._db = db
        self._rate = rate
        self._burst = float(burst)
        self._prune_every = prune_every
        self._takes = 0

    async def take(self, caller: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        rate, burst = self._rate, self._burst
        self._takes += 1
        if self._takes % self._prune_every == 0:
            await self._db.execute(_PRUNE, (burst / rate,))
        row = await self._db.one(_TAKE, (caller, burst, *(burst, rate) * 3))
        assert row is not None
        return 0.0 if row["granted"] else (1 - row["tokens"]) / rate
