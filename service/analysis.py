"""From image bytes to a stored verdict: look in the store, else batch through the detector,
once the image's memory footprint (estimated from its header) has room in the budget.

The detector loads in the background so the service answers (``/healthz``, stored results)
while it loads. The same image asked for twice at once is analysed once: the second request
waits for the first one's result.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from model import Detector
from model.errors import ImageError, ModelError
from model.image.decode import footprint
from model.verdict import image_id
from service.allocator import release_free_memory
from service.batcher import Batcher, Overloaded
from service.budget import MemoryBudget, OverBudget
from service.config import ServiceConfig
from service.errors import from_image_error, unavailable
from service.metrics import Metrics
from service.store import Result, Store, Stored

log = logging.getLogger(__name__)
_RETRY_LOADING_S = 5
_RETRY_OVERLOADED_S = 1
_RETRY_OVER_BUDGET_S = 5  # about the time a 60 M pixel image takes


def render(
    detector: Detector, items: Sequence[bytes], release_memory: bool
) -> list[Result | ImageError]:
    """Runs in a detector thread: verdicts and their PNGs, so the event loop only stores
    them; then, if asked, what the batch freed goes back to the system (``allocator``)."""
    results = [
        item
        if isinstance(item, ImageError)
        else Result(item.to_json(), item.ela_png(), item.heatmap_png())
        for item in detector.analyze_batch(items)
    ]
    if release_memory:
        release_free_memory()
    return results


class Analyzer:
    def __init__(self, config: ServiceConfig, store: Store, metrics: Metrics):
        self._config = config
        self._store = store
        self._metrics = metrics
        self._batcher: Batcher[Result | ImageError] | None = None
        self._model: dict[str, str] | None = None
        self._pending: dict[str, asyncio.Future[Result]] = {}
        self._decode_config = config.detector_config().decode
        self._budget = MemoryBudget(config.memory_budget_mb * 1024 * 1024, config.memory_wait_s)
        self.load_error: str | None = None

    @property
    def model(self) -> dict[str, str] | None:
        """The loaded model's name and version; None while loading or after it failed."""
        return self._model

    async def load(self, load_detector: Callable[[], Detector]) -> None:
        """Loads the detector in a thread and starts batching; a failure is kept, not raised."""
        try:
            detector = await asyncio.to_thread(load_detector)
        except ModelError as error:
            log.error("detector not loaded: %s", error)
            self.load_error = str(error)
            return
        self._batcher = Batcher(
            lambda items: render(detector, items, self._config.release_memory),
            max_size=self._config.batch_max_size,
            max_wait=self._config.batch_max_wait_ms / 1000,
            queue_max=self._config.queue_max,
            workers=self._config.workers,
            metrics=self._metrics,
        )
        self._model = dict(detector.model_info)
        self._metrics.model_loaded.set(1)

    async def close(self) -> None:
        if self._batcher is not None:
            await self._batcher.close()

    async def analyze(self, data: bytes) -> tuple[Stored, bool]:
        """The stored result for ``data`` and whether it had been stored before this request.

        Raises ApiError: the image's own error (4xx), or 503 while loading or overloaded.
        """
        if self._batcher is None or self._model is None:
            state = "is not loaded yet" if self.load_error is None else "could not be loaded"
            raise unavailable(f"The detector {state}.", _RETRY_LOADING_S)
        key = image_id(data)
        stored = await self._store.cached(key, self._model["version"])
        self._metrics.cache.labels("hit" if stored else "miss").inc()
        if stored is not None:
            return stored, True
        if key in self._pending:
            return _stored(await asyncio.shield(self._pending[key])), True
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            result = await self._analyze_new(data)
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved here, so a future nobody awaited stays quiet
            raise
        except asyncio.CancelledError:
            future.cancel()
            raise
        else:
            future.set_result(result)
        finally:
            del self._pending[key]
        return _stored(result), False

    async def _analyze_new(self, data: bytes) -> Result:
        assert self._batcher is not None
        cost = await asyncio.to_thread(footprint, data, self._decode_config)
        try:
            async with self._budget.reserve(cost):
                outcome = await self._batcher.submit(data)
        except Overloaded:
            raise unavailable(
                "Too many images are waiting; try again.", _RETRY_OVERLOADED_S
            ) from None
        except OverBudget:
            raise unavailable(
                "Too many large images are being analysed; try again.", _RETRY_OVER_BUDGET_S
            ) from None
        if isinstance(outcome, ImageError):
            raise from_image_error(outcome)
        if self._config.store_images:
            outcome = replace(outcome, image=data)
        await self._store.put(outcome)
        return outcome


def _stored(result: Result) -> Stored:
    return Stored(result.verdict, result.image is not None)
