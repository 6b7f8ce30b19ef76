"""Gathers concurrent requests into batches for the detector, off the event loop.

A request's image joins a bounded queue; each worker takes the first waiting image, waits
at most ``max_wait`` for more (up to ``max_size``), and runs the whole batch in its own
thread, so one network pass serves many requests and the event loop never computes. A full
queue refuses at once (``Overloaded``) rather than letting waits pile up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from service.metrics import Metrics

Result = TypeVar("Result")


class Overloaded(Exception):
    """The queue is full: the caller should come back later."""


class Batcher(Generic[Result]):
    def __init__(
        self,
        work: Callable[[Sequence[bytes]], list[Result]],
        *,
        max_size: int,
        max_wait: float,
        queue_max: int,
        workers: int,
        metrics: Metrics,
    ):
        self._work = work
        self._max_size = max_size
        self._max_wait = max_wait
        self._queue: asyncio.Queue[tuple[bytes, asyncio.Future[Result]]] = asyncio.Queue(queue_max)
        self._metrics = metrics
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="detector")
        self._tasks = [asyncio.create_task(self._serve()) for _ in range(workers)]

    async def submit(self, data: bytes) -> Result:
        """The work's result for ``data``; raises Overloaded when the queue is full."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait((data, future))
        except asyncio.QueueFull:
            raise Overloaded from None
        self._metrics.queue_depth.set(self._queue.qsize())
        return await future

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        while not self._queue.empty():
            self._queue.get_nowait()[1].cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = time.monotonic() + self._max_wait
            while len(batch) < self._max_size:
                remaining = deadline - time.monotonic()
                try:
                    batch.append(
                        self._queue.get_nowait()
                        if remaining <= 0 or not self._queue.empty()
                        else await asyncio.wait_for(self._queue.get(), remaining)
                    )
                except (asyncio.QueueEmpty, TimeoutError):
                    break
            self._metrics.queue_depth.set(self._queue.qsize())
            # A caller that gave up (client gone) needs no analysis.
            live = [(data, future) for data, future in batch if not future.done()]
            if not live:
                continue
            self._metrics.batch_size.observe(len(live))
            work = loop.run_in_executor(self._executor, self._run, [data for data, _ in live])
            await asyncio.wait([work])
            for (_, future), outcome in zip(live, work.result()):
                if future.done():
                    continue
                if isinstance(outcome, _Failure):
                    future.set_exception(outcome.error)
                else:
                    future.set_result(outcome)

    def _run(self, items: list[bytes]) -> list[Result | _Failure]:
        """The work's result per item. When the work fails on a batch (a bug, not a bad
        image: those are results), each item is tried again alone, so the failure reaches
        only the caller whose image causes it."""
        try:
            return list(self._work(items))
        except Exception as error:  # noqa: BLE001 - any bug, handed to its caller below
            if len(items) == 1:
                return [_Failure(error)]
        outcomes: list[Result | _Failure] = []
        for item in items:
            try:
                outcomes.extend(self._work([item]))
            except Exception as error:  # noqa: BLE001 - as above, for this item alone
                outcomes.append(_Failure(error))
        return outcomes


@dataclass(frozen=True)
class _Failure:
    """The work's exception for one item, told apart from results (which may be errors)."""

    error: Exception
