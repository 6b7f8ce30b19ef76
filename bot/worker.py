"""The loop every bot runs: collect new items, then answer each due item exactly once.

An item is claimed before any work and finished only after its answer is posted. If the
process dies in between, the item is still ``claimed`` after a restart; it is then answered
only if the platform shows no answer from us yet. Faults defer the item, never drop it:
the service or platform being down, a rate limit. One failing item never stops the loop.

A run whose lock on the store is gone (``bot.presence``) may have had its claims taken over:
it ends (``Lost``) when it finds out, at the start of a round, just before posting, or when
its claim is no longer its own as it writes an item's outcome. What no check can close is a
lock lost while an answer is being posted: the run taking the item over may look for that
answer before the platform shows it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from bot.config import BotConfig
from bot.platform import Delayed, Platform, PlatformDown, Reply, Undeliverable
from bot.presence import Lost, Presence
from bot.service_client import ServiceDown, ServiceFailed
from bot.store import REPLIED, SKIPPED, Item, Store

log = logging.getLogger(__name__)

ALWAYS_IGNORED = ("AutoModerator",)


class Worker:
    def __init__(
        self,
        platform: Platform,
        store: Store,
        presence: Presence,
        config: BotConfig,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.platform = platform
        self.store = store
        self.presence = presence
        self.config = config
        self._sleep = sleep
        self._ignored = {
            name.lower() for name in (config.bot_name, *ALWAYS_IGNORED, *config.bot_ignore_users)
        }

    def run_forever(self) -> None:
        while True:
            self.run_round()
            self._sleep(self.config.bot_poll_interval_s)

    def run_once(self) -> None:
        """One round; then waits for items the platform asked to delay, up to a bound."""
        self.run_round()
        deadline = time.time() + self.config.bot_once_wait_s
        owner = self.presence.owner
        while (due := self.store.next_due(self.name, owner)) is not None and due <= deadline:
            self._sleep(max(0.0, due - time.time()))
            self._process_due()

    def run_round(self) -> None:
        """Reads what is new, if this run leads its account's reading, then answers what is
        due: any number of runs may answer, one reads. A run that lost its lock ends here
        (Lost), busy or idle, before it reads beside the run that leads now."""
        self.presence.confirm()
        try:
            if self.presence.leads(f"collect:{self.name}:{self.config.bot_name.lower()}"):
                self.platform.collect(self.admit)
        except (Delayed, PlatformDown, Undeliverable) as error:
            log.warning("%s: reading new items failed, trying next round: %s", self.name, error)
        except Exception:  # what was stored already is still answered below
            log.exception("%s: reading new items failed, trying next round", self.name)
        self._process_due()

    @property
    def name(self) -> str:
        return self.platform.name

    def admit(self, item: Item) -> None:
        """Records a new item; one the bot must not answer is recorded as skipped, with why:
        a summons it screens out, or an item the platform admits as skipped already."""
        if self.store.get(item.key) is not None:
            return
        # Screened before it is stored, and stored with its final word in one write: a crash
        # in between cannot leave a summons the bot must not answer looking pending.
        reason = self._screen(item)
        if not self.store.add(replace(item, status=SKIPPED, reason=reason) if reason else item):
            return
        if reason:
            log.info("%s: skipped: %s", item.key, reason)
        else:
            log.info("%s: seen (%s by %s)", item.key, item.kind, item.author)

    def _screen(self, item: Item) -> str | None:
        """Why the bot must not answer ``item`` (None: it may)."""
        if item.status == SKIPPED:
            return item.reason  # the platform's own reason
        now = time.time()
        if item.author.lower() in self._ignored:
            return f"{item.author} is ignored (itself or a bot)"
        if item.kind != "summons":
            return None
        if self.store.opted_out(item.platform, item.author):
            return f"{item.author} opted out"
        if now - item.payload.get("created", now) > self.config.bot_summons_max_age_h * 3600:
            return f"summons older than {self.config.bot_summons_max_age_h:g} h"
        count = self.store.summons_since(item.platform, item.author, now - 3600)
        if count >= self.config.bot_summons_per_hour:
            return f"{item.author} passed {self.config.bot_summons_per_hour} summons this hour"
        return None

    def _process_due(self) -> None:
        """Answers the items due now; one deferred meanwhile waits for the next round."""
        now = time.time()
        while (item := self.store.claim_next(self.name, self.presence.owner, now)) is not None:
            self.process(item)

    def process(self, item: Item) -> None:
        """Answers ``item``, claimed by this run."""
        try:
            self._answer(item)
        except ServiceDown as error:
            self._defer(item, self._backoff(item), f"service unavailable: {error}")
        except PlatformDown as error:
            self._defer(item, self._backoff(item), f"{self.name} unavailable: {error}")
        except Delayed as error:
            self._defer(item, error.seconds, f"{self.name} asked to wait: {error}")
        except Undeliverable as error:
            self._finish(item, SKIPPED, f"cannot answer: {error}")
        except Lost:
            raise  # the run ends; its claims pass to the runs still alive
        except ServiceFailed as error:  # the service's own failure: its log has the trace
            log.warning("%s: failed on attempt %d: %s", item.key, item.attempts, error)
            self._failed(item, str(error))
        except Exception as error:  # one bad item must not stop the others
            log.exception("%s: failed on attempt %d", item.key, item.attempts)
            self._failed(item, repr(error))

    def _failed(self, item: Item, what: str) -> None:
        """A failure that waiting will not surely cure: tried again with backoff, and given
        up after ``bot_max_attempts``."""
        if item.attempts >= self.config.bot_max_attempts:
            self._finish(item, SKIPPED, f"failed {item.attempts} times: {what}")
        else:
            self._defer(item, self._backoff(item), f"failed: {what}")

    def _answer(self, item: Item) -> None:
        # A previous attempt may have posted before dying: look before answering again.
        if item.attempts > 1 and (found := self.platform.find_reply(item)):
            self._finish(item, REPLIED, "our answer was already posted", found)
            return
        if item.kind == "summons" and self.store.opted_out(item.platform, item.author):
            self._finish(item, SKIPPED, f"{item.author} opted out")
            return
        plan = self.platform.plan(item)
        if isinstance(plan, Reply):
            self.presence.confirm()
            posted = self.platform.deliver(item, plan)
            self._finish(item, REPLIED, f"answered ({plan.to})", posted)
        else:
            self._finish(item, SKIPPED, plan.reason)

    def _backoff(self, item: Item) -> float:
        base = self.config.bot_retry_base_s * 2 ** max(0, item.attempts - 1)
        return min(self.config.bot_retry_max_s, base)

    def _defer(self, item: Item, delay: float, reason: str) -> None:
        if not self.store.defer(item.key, self.presence.owner, delay, reason):
            raise Lost(f"{item.key} was taken over by another run")
        log.warning("%s: pending, next try in %.1f s: %s", item.key, delay, reason)

    def _finish(self, item: Item, status: str, reason: str, reply_id: str | None = None) -> None:
        if not self.store.finish(item.key, self.presence.owner, status, reason, reply_id):
            raise Lost(f"{item.key} was taken over by another run")
        log.info("%s: %s: %s", item.key, status, reason)
