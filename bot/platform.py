"""What the worker needs of a platform (Reddit, X), and the faults a platform may report.

A platform turns its library's errors into these few kinds, so the worker decides what
happens to an item in one place whatever the platform.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.config import BotConfig
from bot.service_client import ServiceClient
from bot.store import Item, Store


class Delayed(Exception):
    """The platform asked us to wait (rate limit); the item is tried again after ``seconds``."""

    def __init__(self, seconds: float, message: str):
        super().__init__(message)
        self.seconds = seconds


class PlatformDown(Exception):
    """The platform did not answer; the item is tried again with backoff."""


class Undeliverable(Exception):
    """The answer can never be posted (thread deleted or locked): the item is skipped."""


@dataclass(frozen=True)
class Reply:
    """An answer to post: under the item (``thread``), or privately to the moderators."""

    text: str
    to: str = "thread"


@dataclass(frozen=True)
class Skip:
    reason: str


class Platform(ABC):
    """A platform's client, with the bot's store, the service and the settings it answers by."""

    name: str

    def __init__(self, client: Any, store: Store, service: ServiceClient, config: BotConfig):
        self.client = client
        self.store = store
        self.service = service
        self.config = config

    @abstractmethod
    def collect(self, admit: Callable[[Item], None]) -> None:
        """Reads what is new (mentions, messages, subscribed posts) and admits each item; an
        item it will not answer goes in ``skipped`` with its reason, to be recorded once."""

    @abstractmethod
    def plan(self, item: Item) -> Reply | Skip:
        """What to answer: asks the service about the item's images, runs commands."""

    @abstractmethod
    def find_reply(self, item: Item) -> str | None:
        """The id of an answer already posted for ``item`` (after a crash), if any."""

    @abstractmethod
    def deliver(self, item: Item, reply: Reply) -> str:
        """Posts ``reply``; returns the id of what was posted."""
