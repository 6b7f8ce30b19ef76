import json

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from model.config import CloneConfig
from model.signals.clone import detect_copy_move
from tests.images import decoded, jpeg

CONFIG = CloneConfig()
SOURCE = (60, 50, 150, 130)  # x, y, width, height
TARGET = (420, 300, 150, 130)


def textured(seed: int, height: int = 480, width: int = 640) -> np.ndarray:
    """A photo-like RGB image: texture at three scales under random shapes, so every
    region has corners of its own."""
    rng = np.random.default_rng(seed)
    image = np.full((height, width, 3), 128.0, np.float32)
    for sigma, amplitude in ((24.0, 50.0), (5.0, 25.0), (1.2, 12.0)):
        noise = cv2.GaussianBlur(
            rng.normal(0, 1, (height, width, 3)).astype(np.float32), (0, 0), sigma
        )
        image += amplitude * noise / noise.std()
    for _ in range(60):
        colour = rng.uniform(0, 255, 3).tolist()
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        size = int(rng.integers(4, 30))
        if rng.random() < 0.5:
            cv2.circle(image, (x, y), size, colour, -1)
        else:
            cv2.rectangle(image, (x, y), (x + size, y + int(rng.integers(4, 30))), colour, -1)
    return np.clip(image, 0, 255).astype(np.uint8)


def box_mask(shape: tuple[int, int], *boxes: tuple[int, int, int, int]) -> np.ndarray:
    mask = np.zeros(shape, bool)
    for x, y, w, h in boxes:
        mask[y : y + h, x : x + w] = True
    return mask


def iou(first: np.ndarray, second: np.ndarray) -> float:
    return float((first & second).sum() / (first | second).sum())


def copy_moved(seed: int) -> np.ndarray:
    image = textured(seed)
    x, y, w, h = SOURCE
    tx, ty = TARGET[:2]
    image[ty : ty + h, tx : tx + w] = image[y : y + h, x : x + w]
    return decoded(jpeg(image, 90))


def test_copied_region_is_found_and_both_places_are_marked():
    image = copy_moved(1)
    result = detect_copy_move(image, CONFIG)
    assert result.name == "clone"
    assert result.score >= 0.9
    assert len(result.findings) >= 1
    assert "matching points" in result.findings[0]
    assert result.mask is not None
    assert result.mask.shape == image.shape[:2] and result.mask.dtype == np.float32
    assert iou(result.mask > 0.5, box_mask(image.shape[:2], SOURCE, TARGET)) > 0.6
    region = result.details["regions"][0]
    boxes = sorted([region["source"], region["target"]])
    for found, known in zip(boxes, (SOURCE, TARGET)):
        assert iou(box_mask(image.shape[:2], found), box_mask(image.shape[:2], known)) > 0.6
    assert abs(abs(region["shift"][0]) - (TARGET[0] - SOURCE[0])) < 3
    assert abs(region["rotation"]) < 1 and abs(region["scale"] - 1) < 0.02


def test_turned_copy_is_found():
    """A disc turned by 10 degrees, pasted elsewhere: the transform reports the turn."""
    image = textured(2)
    centre, target, radius = (150.0, 140.0), (470.0, 330.0), 80
    turn = cv2.getRotationMatrix2D(centre, 10, 1.0)
    turn[:, 2] += np.subtract(target, centre)
    turned = cv2.warpAffine(image, turn, image.shape[1::-1], flags=cv2.INTER_LINEAR)
    regions = np.zeros(image.shape[:2], np.uint8)
    cv2.circle(regions, (int(target[0]), int(target[1])), radius, 1, -1)
    image[regions > 0] = turned[regions > 0]
    cv2.circle(regions, (int(centre[0]), int(centre[1])), radius, 1, -1)
    result = detect_copy_move(decoded(jpeg(image, 90)), CONFIG)
    assert result.score >= CONFIG.threshold
    assert abs(abs(result.details["regions"][0]["rotation"]) - 10) < 3
    assert iou(result.mask > 0.5, regions > 0) > 0.5


@pytest.mark.parametrize("offset", [6.0, 10.0, -8.0])
def test_copy_brightened_a_little_is_found(offset: float):
    """A forger may brighten or darken a copy a little to fit its new place."""
    image = textured(11).astype(np.float32)
    x, y, w, h = SOURCE
    tx, ty = TARGET[:2]
    image[ty : ty + h, tx : tx + w] = image[y : y + h, x : x + w] + offset
    rgb = np.clip(image, 0, 255).astype(np.uint8)
    assert detect_copy_move(decoded(jpeg(rgb, 90)), CONFIG).score >= 0.9


def test_small_copies_are_found():
    """Copies of 1.4 % of a photo hold few corners whose patch stays inside them; most of
    such copies must still be found (the 21 px patches used before found 5 of these 8)."""
    side = 52
    found = 0
    for seed in range(8):
        image = textured(seed, 384, 512)
        image[250 : 250 + side, 380 : 380 + side] = image[40 : 40 + side, 50 : 50 + side]
        result = detect_copy_move(decoded(jpeg(image, 85)), CONFIG)
        found += result.score >= CONFIG.threshold
    assert found >= 6


def test_untouched_photo_is_not_flagged():
    result = detect_copy_move(decoded(jpeg(textured(1), 90)), CONFIG)
    assert result.score < 0.2
    assert result.findings == ()
    assert result.mask is None
    assert result.details["regions"] == []


@pytest.mark.parametrize("pattern", ["checkerboard", "bricks"])
def test_periodic_texture_is_not_a_copy(pattern: str):
    """Tiles repeat exactly, yet nothing was pasted: repeated texture must not count."""
    rng = np.random.default_rng(3)
    if pattern == "checkerboard":
        y, x = np.mgrid[0:480, 0:640]
        image = np.where((y // 24 + x // 24) % 2 == 0, 60, 190).astype(np.float32)
    else:
        image = np.full((480, 640), 150, np.float32)
        for row, y in enumerate(range(0, 480, 30)):
            cv2.line(image, (0, y), (639, y), 70, 3)
            for x in range(60 * (row % 2) // 2, 640, 60):
                cv2.line(image, (x, y), (x, y + 30), 70, 3)
    image += rng.normal(0, 3, image.shape)
    rgb = np.repeat(np.clip(image, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    result = detect_copy_move(decoded(jpeg(rgb, 85)), CONFIG)
    assert result.score < CONFIG.threshold
    assert result.mask is None


def test_tiled_watermark_is_not_a_copy():
    """A stock site's name tiled half-transparent over a photo repeats its strokes exactly,
    but each tile lies on its own background: no one small brightness shift maps one
    tile's windows onto another's, as it does for a copy."""
    rng = np.random.default_rng(0)
    shading = cv2.GaussianBlur(rng.normal(0, 1, (480, 640)), (0, 0), 40)
    sky = 120 + 50 * shading / shading.std() + rng.normal(0, 2, shading.shape)
    photo = Image.fromarray(np.clip(sky, 0, 255).astype(np.uint8)).convert("RGBA")
    layer = Image.new("RGBA", photo.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font = ImageFont.load_default(size=36)
    for row, top in enumerate(range(0, 480, 140)):
        for left in range(-100 + 160 * (row % 2), 640, 330):
            draw.text((left, top), "stockphoto", fill=(255, 255, 255, 90), font=font)
    marked = np.asarray(Image.alpha_composite(photo, layer).convert("RGB"))
    result = detect_copy_move(decoded(jpeg(marked, 88)), CONFIG)
    assert result.score < CONFIG.threshold
    assert result.details["regions"] == []


def test_boxes_and_mask_are_in_original_pixels():
    """A large photo is searched at work scale; everything reported is scaled back."""
    image = cv2.resize(copy_moved(1), (2560, 1920), interpolation=cv2.INTER_LINEAR)
    result = detect_copy_move(image, CONFIG)
    assert result.mask is not None and result.mask.shape == (1920, 2560)
    known = [tuple(4 * v for v in box) for box in (SOURCE, TARGET)]
    assert iou(result.mask > 0.5, box_mask((1920, 2560), *known)) > 0.6
    region = result.details["regions"][0]
    found = sorted([region["source"], region["target"]])
    for box, truth in zip(found, known):
        assert iou(box_mask((1920, 2560), box), box_mask((1920, 2560), truth)) > 0.6


def test_details_are_json_safe():
    result = detect_copy_move(copy_moved(1), CONFIG)
    assert json.loads(json.dumps(result.details)) == result.details
    region = result.details["regions"][0]
    assert all(type(v) is int for v in region["source"] + region["target"])
    assert type(result.details["matches"]) is int and type(region["scale"]) is float


@pytest.mark.parametrize(
    "image",
    [
        np.full((64, 64, 3), 128, np.uint8),
        np.full((480, 640, 3), 128, np.uint8),
        np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8),
        np.random.default_rng(0).integers(0, 256, (9, 5, 3), dtype=np.uint8),
        # Scaled to 35 x 1024 for the search, the noise averages out: corners, all flat.
        np.random.default_rng(0).integers(0, 256, (700, 20000, 3), dtype=np.uint8),
    ],
    ids=["tiny-grey", "grey", "tiny-noise", "sliver", "flat-corners"],
)
def test_small_and_featureless_images_give_no_finding(image: np.ndarray):
    result = detect_copy_move(image, CONFIG)
    assert result.score == 0.0
    assert result.findings == () and result.mask is None


def test_faint_stretches_of_a_copy_are_drawn():
    """Corners come only from the one textured shape in the copied box; the box's noisy,
    nearly flat rest is confirmed pixel by pixel and drawn as well."""
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:480, 0:640].astype(np.float32)
    image = 120 + 50 * np.sin(x / 41) * np.cos(y / 33) + rng.normal(0, 4, (480, 640))
    cv2.circle(image, (90, 80), 25, 200.0, -1)
    image[55:105, 65:115] += rng.normal(0, 18, (50, 50))
    image[300:396, 420:548] = image[50:146, 60:188]
    gray = np.clip(image, 0, 255).astype(np.uint8)
    result = detect_copy_move(decoded(jpeg(np.repeat(gray[..., None], 3, axis=2), 92)), CONFIG)
    assert result.score >= CONFIG.threshold
    assert result.mask[300:396, 420:548].mean() > 0.8
    assert result.mask[50:146, 60:188].mean() > 0.8
    assert result.mask[200:260, 250:330].mean() == 0.0
