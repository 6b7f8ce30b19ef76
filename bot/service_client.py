"""The bots' only way to the detector: the service's HTTP API.

The service fetches each image URL itself (behind its guard against URLs that reach inside),
so the bots never download what strangers link to. An answer about the image (gone, not an
image, too large) is a result to tell people; a service that cannot answer is a fault the
worker retries later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests


class ServiceDown(Exception):
    """The service did not answer, or asked us to come back later; nothing is lost."""


@dataclass(frozen=True)
class Check:
    """What the service said about one image: a verdict, or why there is none."""

    url: str
    verdict: dict[str, Any] | None = None
    gone: bool = False
    problem: str = ""


class ServiceClient:
    def __init__(self, base_url: str, api_key: str, timeout: float):
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "FakeCheck-bot/1"
        if api_key:
            self._session.headers["Authorization"] = f"Bearer {api_key}"

    def close(self) -> None:
        self._session.close()

    def check(self, image_url: str) -> Check:
        """The service's verdict on the image at ``image_url``; raises ``ServiceDown``."""
        try:
            response = self._session.post(
                f"{self._base}/v1/analyze", json={"url": image_url}, timeout=self._timeout
            )
        except requests.RequestException as error:
            raise ServiceDown(f"service unreachable: {error}") from error
        if response.status_code == 200:
            return Check(image_url, verdict=response.json())
        code, message = _error(response)
        if response.status_code in (401, 429) or code == "unavailable":
            raise ServiceDown(f"service answered {response.status_code} {code}: {message}")
        if code == "image_gone":
            return Check(image_url, gone=True, problem=message)
        if 400 <= response.status_code < 500 or code == "fetch_failed":
            return Check(image_url, problem=message)
        raise ServiceDown(f"service answered {response.status_code} {code}: {message}")


def _error(response: requests.Response) -> tuple[str, str]:
    """The ``{"error": {"code", "message"}}`` body, or what stands in for it."""
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        return "", response.reason or f"HTTP {response.status_code}"
