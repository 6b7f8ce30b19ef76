"""What each signal costs per image: CPU milliseconds of this process (so other work on the
machine does not count; XLA's threads do) over the service benchmark's camera photos, each
step run alone as the detector runs it. A verdict's work is about their sum, which the
service's two cores divide."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from model import Detector
from model.image.decode import decode
from model.nets import inference
from model.signals import ai_generated, ela
from model.signals.clone import detect_copy_move
from model.signals.faces import crop, find_faces
from model.signals.metadata import read_metadata
from model.signals.provenance import read_provenance
from tests.benchmarks.service import camera_jpegs

PHOTOS = 40


def cpu_ms(action: Callable[[], object]) -> float:
    started = time.process_time()
    action()
    return (time.process_time() - started) * 1000


def steps(detector: Detector, data: bytes) -> tuple[dict[str, Callable[[], object]], int, int]:
    """Each step of one image's verdict as the detector runs it, and how many faces and
    crops the encoder reads."""
    config, networks = detector.config, detector.networks
    image = decode(data, config.decode)
    upright = image.orient(image.pixels)
    boxes = find_faces(upright, config.faces)
    cut = ai_generated.crops(upright, config.ai.crops)
    faces = np.stack([crop(upright, box, config.faces) for box in boxes]) if boxes else None
    verdict = detector.analyze(data)
    return (
        {
            "decode": lambda: decode(data, config.decode),
            "ELA-CNN (mosaic, network)": lambda: inference.run(
                detector.examiner._network,
                [ela.make_mosaic(image.pixels, config.ela.max_cells)],
                config.ela.display_quality,
            ),
            "clone": lambda: detect_copy_move(upright, config.clone),
            "metadata": lambda: read_metadata(image),
            "provenance": lambda: read_provenance(image),
            "face search": lambda: find_faces(upright, config.faces),
            "face probe (all faces)": lambda: (
                faces is not None and networks.face.logits(networks.backbone.features(faces))
            ),
            "ai_generated (all crops)": lambda: networks.ai.logits(networks.backbone.features(cut)),
            "verdict PNGs": lambda: (verdict.ela_png(), verdict.heatmap_png()),
            "whole verdict": lambda: detector.analyze(data),
        },
        len(boxes),
        len(cut),
    )


def main(detector: Detector) -> None:
    costs: dict[str, list[float]] = {}
    faces = crops = 0
    for data in camera_jpegs(PHOTOS):
        actions, found, cut = steps(detector, data)
        faces, crops = faces + found, crops + cut
        for name, action in actions.items():
            costs.setdefault(name, []).append(cpu_ms(action))
    print(f"\n{'CPU per image, ' + str(PHOTOS) + ' photos':<30}{'mean':>9}{'median':>9}{'max':>9}")
    for name, values in costs.items():
        print(
            f"{name:<30}{statistics.mean(values):>6.1f} ms{statistics.median(values):>6.1f} ms"
            f"{max(values):>6.1f} ms"
        )
    print(f"{'faces found, crops encoded':<30}{faces:>9}{crops:>9}  (encoder calls in all)")
