"""What the bots make of each answer of the service: a result to tell people, a service
that is down (wait), or a failure counted toward ``bot_max_attempts``."""

from __future__ import annotations

import pytest

from bot.service_client import Check, ServiceClient, ServiceDown, ServiceFailed

IMAGE = "https://i.example/a.jpg"


def error(code: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": f"{code} happened"}}


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (503, error("unavailable"), ServiceDown),
        (429, error("rate_limited"), ServiceDown),
        (401, error("unauthorized"), ServiceDown),
        (502, "Bad Gateway", ServiceDown),  # a proxy before the service
        (504, "Gateway Timeout", ServiceDown),
        (500, error("internal_error"), ServiceFailed),
        (500, "Internal Server Error", ServiceFailed),
        (502, error("image_gone"), Check(IMAGE, gone=True, problem="image_gone happened")),
        (502, error("fetch_failed"), Check(IMAGE, problem="fetch_failed happened")),
        (422, error("url_not_allowed"), Check(IMAGE, problem="url_not_allowed happened")),
    ],
)
def test_each_answer_of_the_service(stand_in_service, status, body, outcome):
    client = ServiceClient(stand_in_service(status, body).url, "", timeout=30)
    try:
        if isinstance(outcome, Check):
            assert client.check(IMAGE) == outcome
        else:
            with pytest.raises(outcome, match=str(status)):
                client.check(IMAGE)
    finally:
        client.close()


def test_no_service_at_all_is_down():
    client = ServiceClient("http://127.0.0.1:9", "", timeout=30)
    with pytest.raises(ServiceDown, match="unreachable"):
        client.check(IMAGE)
    client.close()
