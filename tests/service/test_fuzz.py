"""1,200 mangled images through /v1/analyze: every answer a verdict or a 4xx, never a 5xx,
and the service still well afterwards."""

from __future__ import annotations

import io
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from PIL import Image

from tests.conftest import jpeg, png, scene

ROUNDS = 1200


def seeds() -> list[bytes]:
    """Small images of every accepted kind (small keeps the run short)."""
    pixels = scene(41, 48, 64)
    gif = Image.fromarray(pixels).convert("P")
    return [
        jpeg(pixels, 90),
        jpeg(pixels, 70, progressive=True),
        png(Image.fromarray(pixels)),
        png(gif),
        _encoded(gif, "GIF"),
        _encoded(Image.fromarray(pixels), "BMP"),
        _encoded(Image.fromarray(pixels), "TIFF"),
        _encoded(Image.fromarray(pixels), "WEBP"),
    ]


def _encoded(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0:  # cut short
        return bytes(out[: rng.randrange(len(out))])
    if kind == 1:  # flip bits anywhere
        for _ in range(rng.randint(1, 16)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    elif kind == 2:  # mangle the header, where sizes and chunk lengths live
        for _ in range(rng.randint(1, 6)):
            out[rng.randrange(min(len(out), 64))] = rng.randrange(256)
    elif kind == 3:  # splice in a run of bytes
        at = rng.randrange(len(out))
        out[at:at] = bytes(
            rng.choice((0, 0xFF, rng.randrange(256))) for _ in range(rng.randint(1, 300))
        )
    else:  # duplicate or drop a slice
        a, b = sorted(rng.randrange(len(out)) for _ in range(2))
        out = out[:a] + out[b:] if rng.random() < 0.5 else out[:b] + out[a:b] + out[b:]
    return bytes(out)


def test_mangled_images_never_cause_a_5xx(start_service):
    service = start_service(batch_max_wait_ms=2)
    rng = random.Random(7)
    base = seeds()
    inputs = [mutate(rng.choice(base), rng) for _ in range(ROUNDS)]
    session = requests.Session()

    def send(data: bytes) -> int:
        return session.post(
            f"{service.url}/v1/analyze",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
            timeout=120,
        ).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = Counter(pool.map(send, inputs))
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200, 400, 413, 415, 422}, statuses
    assert statuses[200] > 50 and sum(statuses.values()) == ROUNDS  # both kinds of outcome
    assert requests.get(f"{service.url}/healthz", timeout=10).json()["model_loaded"]
    fine = requests.post(f"{service.url}/v1/analyze", data=base[0], timeout=60)
    assert fine.status_code == 200
