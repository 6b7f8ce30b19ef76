"""The bots' only way to the detector: the service's HTTP API.

The service fetches each image URL itself (behind its guard against URLs that reach inside),
so the bots never download what strangers link to. An answer about the image (gone, not an
image, too large) is a result to tell people; a service that cannot answer is a fault the
worker retries later; a service that fails on the image is a failed attempt, so an image
that always breaks it is given up after ``bot_max_attempts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests


class ServiceDown(Exception):
    """The service did not answer, or asked us to come back later; nothing is lost."""


class ServiceFailed(Exception):
    """The service answered with a failure of its own (HTTP 500, an answer it never gives):
    maybe this image's fault, so the worker counts it toward ``bot_max_attempts``."""


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
        """The service's verdict on the image at ``image_url``; raises ``ServiceDown`` or
        ``ServiceFailed``."""
        try:
            response = self._session.post(
                f"{self._base}/v1/analyze", json={"url": image_url}, timeout=self._timeout
            )
        except requests.RequestException as error:
            raise ServiceDown(f"service unreachable: {error}") from error
        if response.status_code == 200:
            return Check(image_url, verdict=response.json())
        status = response.status_code
        code, message = _error(response)
        answer = f"service answered {status} {code}: {message}"
        if _down(status, code):
            raise ServiceDown(answer)
        if code == "image_gone":
            return Check(image_url, gone=True, problem=message)
        if 400 <= status < 500 or code == "fetch_failed":
            return Check(image_url, problem=message)
        raise ServiceFailed(answer)


def _down(status: int, code: str) -> bool:
    """Whether the answer says the service cannot work now, whatever the image: it is busy
    or starting (503 ``unavailable``, 429), a proxy before it found it down (502 or 504
    without a FakeCheck code), or our API key is refused (401, fixed by the operator; the
    items wait for it rather than being given up)."""
    return status in (401, 429, 503) or code == "unavailable" or (status in (502, 504) and not code)


def _error(response: requests.Response) -> tuple[str, str]:
    """The ``{"error": {"code", "message"}}`` body, or what stands in for it."""
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        return "", response.reason or f"HTTP {response.status_code}"
