"""Rate limits that hold across replicas: each caller's token bucket is a row in PostgreSQL.

One statement takes a token or finds there is none, atomically (the row is locked while it
changes), with the database's clock, so replicas whose clocks differ count alike. A bucket left alone long
enough to be full again says no more than no row at all: each replica deletes such rows
every ``prune_every`` requests, so callers seen once (a sweep of addresses) do not pile up.
"""

from __future__ import annotations

from storage.aio import AsyncDatabase

# ``taken``: the tokens left if one was taken; ``available``: those the caller had before.
_TAKE = """
WITH now AS (SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8 AS at),
taken AS (
    INSERT INTO rate_buckets AS b (caller, tokens, at)
    SELECT ?, ?::float8 - 1, at FROM now
    ON CONFLICT (caller) DO UPDATE
    SET tokens = LEAST(?::float8, b.tokens + GREATEST(0, EXCLUDED.at - b.at) * ?::float8) - 1,
        at = EXCLUDED.at
    WHERE LEAST(?::float8, b.tokens + GREATEST(0, EXCLUDED.at - b.at) * ?::float8) >= 1
    RETURNING tokens
)
SELECT (SELECT tokens FROM taken) AS taken,
       (SELECT LEAST(?::float8, tokens + GREATEST(0, now.at - b.at) * ?::float8)
        FROM rate_buckets AS b, now WHERE caller = ?) AS available
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
        row = await self._db.one(
            _TAKE, (caller, burst, burst, rate, burst, rate, burst, rate, caller)
        )
        assert row is not None
        if row["taken"] is not None:
            return 0.0
        return max(0.0, (1 - row["available"]) / rate)
