"""A seeded fuzzing campaign against a live service: small images of every accepted format,
mutated the ways hostile files differ from good ones, posted to /v1/analyze.

``make test`` runs a short campaign (``test_fuzz.py``), ``make bench`` a longer one; both
report the statuses per format, and any 5xx is a failure of the service.
"""

from __future__ import annotations

import io
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pillow_heif
import requests
from PIL import Image

from tests.images import jpeg, png, scene

# Values a length, offset or size field turns into when it is hostile.
_EXTREMES = (0, 1, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 2**63, 2**64 - 1)


def seeds() -> dict[str, list[bytes]]:
    """Small images (small keeps the campaign quick) of each accepted format, some in more
    than one flavour (progressive JPEG, palette and 16-bit PNG, BigTIFF)."""
    pixels = scene(41, 48, 64)
    picture = Image.fromarray(pixels)
    palette = picture.convert("P")
    return {
        "JPEG": [jpeg(pixels, 90), jpeg(pixels, 70, progressive=True)],
        "PNG": [png(picture), png(palette), png(picture.convert("I;16"))],
        "WEBP": [_encoded(picture, "WEBP")],
        "GIF": [_encoded(palette, "GIF")],
        "BMP": [_encoded(picture, "BMP")],
        "TIFF": [_encoded(picture, "TIFF"), _encoded(picture, "TIFF", big_tiff=True)],
        "AVIF": [_encoded(picture, "AVIF", quality=80)],
        "HEIC": [_heic(picture)],
    }


def _encoded(image: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def _heic(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(image).save(buffer, format="HEIF", quality=80)
    return buffer.getvalue()


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One of six mutations: cut short, flipped bits, a mangled header, a field set to an
    extreme, a spliced-in run of bytes, a slice dropped or repeated."""
    out = bytearray(data)
    kind = rng.randrange(6)
    if kind == 0:
        return bytes(out[: rng.randrange(len(out))])
    if kind == 1:
        for _ in range(rng.randint(1, 16)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    elif kind == 2:  # where sizes and chunk lengths live
        for _ in range(rng.randint(1, 6)):
            out[rng.randrange(min(len(out), 64))] = rng.randrange(256)
    elif kind == 3:  # a length, offset or size somewhere in the first 512 bytes
        at = rng.randrange(min(len(out), 512))
        width = rng.choice((2, 4, 8))
        value = rng.choice(_EXTREMES) % 256**width
        out[at : at + width] = value.to_bytes(width, rng.choice(("big", "little")))
    elif kind == 4:
        at = rng.randrange(len(out))
        out[at:at] = bytes(
            rng.choice((0, 0xFF, rng.randrange(256))) for _ in range(rng.randint(1, 300))
        )
    else:
        a, b = sorted(rng.randrange(len(out)) for _ in range(2))
        out = out[:a] + out[b:] if rng.random() < 0.5 else out[:b] + out[a:b] + out[b:]
    return bytes(out)


@dataclass(frozen=True)
class Outcome:
    statuses: Counter  # (format, status) -> count
    seconds: float

    def by_status(self) -> Counter:
        totals: Counter = Counter()
        for (_, status), count in self.statuses.items():
            totals[status] += count
        return totals

    def server_errors(self) -> dict:
        return {key: n for key, n in self.statuses.items() if key[1] >= 500}


def campaign(url: str, per_format: int, seed: int, clients: int = 4) -> Outcome:
    """``per_format`` mutated files of each format posted as raw bodies by ``clients``
    concurrent clients."""
    rng = random.Random(seed)
    inputs = [
        (fmt, mutate(rng.choice(flavours), rng))
        for fmt, flavours in seeds().items()
        for _ in range(per_format)
    ]
    rng.shuffle(inputs)
    session = requests.Session()

    def send(item: tuple[str, bytes]) -> tuple[str, int]:
        fmt, data = item
        response = session.post(
            f"{url}/v1/analyze",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
            timeout=120,
        )
        return fmt, response.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = Counter(pool.map(send, inputs))
    return Outcome(statuses, time.perf_counter() - started)
