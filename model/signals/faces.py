"""Finding faces in an image and cropping them as the face network was trained to see them.

OpenCV's Haar cascade ships inside its 4.x wheel, so nothing is downloaded. The search runs
on a small grey copy (faces need few pixels to be found); crops are cut from the full image.

A cascade keeps each search's working state (its scale pyramid) inside the object, so two
threads searching with one corrupt each other's (``cv2.error`` in ``getScaleData``, 2-6 %
of requests at concurrency 8): every thread loads its own, once.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
from PIL import Image

from model.config import FaceConfig
from model.nets.backbone import SIDE

Box = tuple[int, int, int, int]  # x, y, width, height in stored pixels


_PER_THREAD = threading.local()


def _cascade(name: str) -> cv2.CascadeClassifier:
    """This thread's cascade ``name``: 30 ms to load once, 0.3 MB to keep."""
    cascades: dict[str, cv2.CascadeClassifier] = _PER_THREAD.__dict__.setdefault("cascades", {})
    if name not in cascades:
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
        if cascade.empty():
            raise RuntimeError(f"OpenCV's cascade {name} is missing from its package")
        cascades[name] = cascade
    return cascades[name]


def find_faces(pixels: np.ndarray, config: FaceConfig) -> list[Box]:
    """Boxes of the faces in an RGB image, largest first."""
    if config.whole_image:
        return [(0, 0, pixels.shape[1], pixels.shape[0])]
    height, width = pixels.shape[:2]
    scale = min(1.0, config.search_side / max(height, width))
    if min(height, width) * scale < config.min_face:
        return []  # no face of the smallest size searched fits (a 1 x 60,000,000 strip)
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    found = _cascade(config.cascade).detectMultiScale(
        grey,
        scaleFactor=config.scale_factor,
        minNeighbors=config.min_neighbors,
        minSize=(config.min_face, config.min_face),
    )
    boxes = [tuple(round(v / scale) for v in box) for box in found]
    return sorted(boxes, key=lambda b: -b[2] * b[3])[: config.max_faces]


def crop(pixels: np.ndarray, box: Box, config: FaceConfig) -> np.ndarray:
    """A square crop around ``box`` at the encoder's input side; edges repeat past the image."""
    if config.whole_image:
        return resized(pixels, SIDE)
    x, y, w, h = box
    side = max(w, h) * config.crop_scale
    centre_x, centre_y = x + w / 2, y + h / 2 + config.crop_shift * side
    left, top = round(centre_x - side / 2), round(centre_y - side / 2)
    size = round(side)
    pad = max(0, -left, -top, left + size - pixels.shape[1], top + size - pixels.shape[0])
    padded = np.pad(pixels, ((pad, pad), (pad, pad), (0, 0)), mode="edge") if pad else pixels
    square = padded[top + pad : top + pad + size, left + pad : left + pad + size]
    return resized(square, SIDE)


def resized(pixels: np.ndarray, side: int) -> np.ndarray:
    if pixels.shape[:2] == (side, side):
        return pixels
    return np.asarray(Image.fromarray(pixels).resize((side, side), Image.Resampling.BILINEAR))
