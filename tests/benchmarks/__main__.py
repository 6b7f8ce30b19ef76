"""``make bench``: the detector's speed (with the synthetic_face signal's own cost), what each
signal costs per image (``signals.py``), then the service's (``service.py``), its store's
(``store.py``: SQLite and PostgreSQL) and the Reddit bot's (``bot.py``), as ratios measured in this one run.

Targets (issue: the detector): a 12 MP JPEG analysed in at most 4x the time of one Pillow
decode of the same file; 1 MP in at most 50 ms (before the AI signals; ``signals.py`` prints each signal's
cost); cold start (import + load + first verdict) at most 4 s. Printed,
not asserted: speed depends on the machine.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from tests.datasets import shared_datasets
from tests.images import jpeg, scene
from tests.model.cold_start import verdict_in_new_process

REPEATS = 7
FACES = shared_datasets() / "faces"


def photo(width: int, height: int) -> bytes:
    """A photo-like JPEG of the given size (scene upscaled, with fine noise as sensors add)."""
    base = Image.fromarray(scene(1, height // 4, width // 4)).resize((width, height))
    noisy = np.asarray(base, np.float32) + np.random.default_rng(0).normal(0, 3, (height, width, 3))
    return jpeg(np.clip(noisy, 0, 255).astype(np.uint8), 90)


def median_seconds(action, repeats: int = REPEATS) -> float:
    action()  # warm-up: compile, caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def faces(detector) -> None:
    """The synthetic_face signal's own cost at 1 MP: without a face (the search alone), and
    per face (judging a scene with a face pasted in, minus the search of that same scene)."""
    from model.signals import synthetic_face
    from model.signals.faces import find_faces
    from model.training.face_search import scene_with

    face = np.asarray(Image.open(FACES / "real" / "00002.jpg").convert("RGB"))
    with_face, _ = scene_with(face, np.random.default_rng(1))
    with_face = np.asarray(Image.fromarray(with_face).resize((1155, 866)))
    empty = np.asarray(Image.open(io.BytesIO(photo(1155, 866))).convert("RGB"))
    config = detector.config.faces
    networks = detector.networks

    def judge(pixels: np.ndarray):
        return synthetic_face.judge(pixels, networks.backbone, networks.face, config)

    found = len(judge(with_face).details["faces"])
    alone = median_seconds(lambda: judge(empty))
    one = median_seconds(lambda: judge(with_face))
    search = median_seconds(lambda: find_faces(with_face, config))
    print(f"{'faces: none, 1 MP':<28}{alone * 1000:>9.1f} ms{'':>20}  <= 10 ms")
    per_face = (one - search) / max(1, found)
    print(f"{'faces: per face':<28}{per_face * 1000:>9.1f} ms{'':>20}  ({found} found)")


def pillow_decode(data: bytes) -> None:
    Image.open(io.BytesIO(data)).load()


def cold_start(data: bytes, cache: Path) -> float:
    """Wall time of a fresh process that imports, loads the weights and analyses one image,
    keeping its compiled programs in ``cache``."""
    with tempfile.NamedTemporaryFile(suffix=".jpg") as handle:
        handle.write(data)
        handle.flush()
        start = time.perf_counter()
        verdict_in_new_process(Path(handle.name), cache)
        return time.perf_counter() - start


def main() -> None:
    from model import Detector

    detector = Detector.load()
    print(f"{'case':<28}{'analyze':>12}{'decode':>12}{'ratio':>8}  target")
    for name, (width, height), target in (
        ("12 MP JPEG (4000x3000)", (4000, 3000), "ratio <= 4"),
        ("1 MP JPEG (1155x866)", (1155, 866), "analyze <= 50 ms"),
    ):
        data = photo(width, height)
        analyze = median_seconds(lambda data=data: detector.analyze(data))
        decode = median_seconds(lambda data=data: pillow_decode(data))
        print(
            f"{name:<28}{analyze * 1000:>9.1f} ms{decode * 1000:>9.1f} ms"
            f"{analyze / decode:>8.2f}  {target}"
        )
    with tempfile.TemporaryDirectory() as cache:
        first = cold_start(photo(1155, 866), Path(cache))
        again = statistics.median(cold_start(photo(1155, 866), Path(cache)) for _ in range(3))
    print(f"{'cold start, first (1 MP)':<28}{first:>10.2f} s{'':>20}  (compiles everything)")
    print(f"{'cold start (1 MP)':<28}{again:>10.2f} s{'':>20}  <= 4 s (programs from the cache)")
    faces(detector)

    from tests.benchmarks import bot, fuzz, service, signals, store

    signals.main(detector)
    service.main([])
    store.main()
    fuzz.main()
    bot.main()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main()
