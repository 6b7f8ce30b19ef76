"""The process-wide memory budget that images are admitted against before analysis.

Memory per image follows its pixels, not its bytes: a 466 KB PNG can declare 60 million
pixels and hold 600 MB while it is analysed. Each image reserves its footprint (estimated
from its header) until its verdict is back; one that does not fit waits, first come first
served, and gets a 503 after ``wait`` seconds rather than taking the machine's memory.
An image larger than the whole budget waits for all of it and then runs alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class OverBudget(Exception):
    """The image waited its time and the budget still had no room for it."""


class MemoryBudget:
    def __init__(self, total: int, wait: float):
        self.total = total
        self._wait = wait
        self._used = 0
        self._queue: list[object] = []  # waiting reservations, first come first
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def reserve(self, cost: int) -> AsyncIterator[None]:
        """Holds ``cost`` bytes (at most the whole budget) for the block; raises OverBudget
        when they are not free within the wait."""
        cost = min(cost, self.total)
        await self._acquire(cost)
        try:
            yield
        finally:
            async with self._changed:
                self._used -= cost
                self._changed.notify_all()

    async def _acquire(self, cost: int) -> None:
        turn = object()
        async with self._changed:
            self._queue.append(turn)
            try:
                async with asyncio.timeout(self._wait):
                    await self._changed.wait_for(
                        lambda: self._queue[0] is turn and self._used + cost <= self.total
                    )
                self._used += cost
            except TimeoutError:
                raise OverBudget from None
            finally:
                self._queue.remove(turn)
                self._changed.notify_all()  # the next in line may fit now
