"""What decoding costs in memory: the decoded-bytes bound, the footprint the service admits
against its budget, and the tile-by-tile conversion to 8-bit RGB, which must give the very
pixels a whole-picture conversion gives."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from model.config import DecodeConfig
from model.errors import ImageTooLarge
from model.image.decode import decode, footprint
from tests.images import jpeg, png, scene

CONFIG = DecodeConfig()


def tiff(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "TIFF")
    return buffer.getvalue()


def pictures() -> dict[str, bytes]:
    """One picture of each mode that takes its own conversion path, 37 x 23 so that small
    tiles split rows."""
    rgb = scene(3, 23, 37)
    rng = np.random.default_rng(3)
    floats = rng.normal(0.0, 3.0, (23, 37)).astype(np.float32)
    floats[5, 5], floats[6, 6] = np.nan, np.inf  # counted as 0, wherever their tile is
    palette = Image.fromarray(rgb).convert("P")
    palette.info["transparency"] = 0
    return {
        "RGB": jpeg(rgb, 95),
        "RGBA": png(Image.fromarray(np.dstack([rgb, rng.integers(0, 256, (23, 37), np.uint8)]))),
        "P with transparency": png(palette),
        "I;16": png(Image.fromarray(rng.integers(0, 65535, (23, 37), np.uint16))),
        "F outside [0, 1]": tiff(Image.fromarray(floats, "F")),
        "F inside [0, 1]": tiff(Image.fromarray(np.abs(floats) / 100, "F")),
    }


@pytest.mark.parametrize("name", pictures())
@pytest.mark.parametrize("tile_pixels", [1, 7, 40, 500])
def test_tiles_give_the_pixels_of_a_whole_picture_conversion(name, tile_pixels):
    data = pictures()[name]
    whole = decode(data, CONFIG).pixels
    tiled = decode(data, replace(CONFIG, tile_pixels=tile_pixels)).pixels
    assert whole.shape == (23, 37, 3)
    np.testing.assert_array_equal(tiled, whole)


def test_an_image_over_the_decoded_bytes_bound_is_refused_before_decoding():
    data = png(Image.fromarray(scene(4, 100, 100)).convert("RGBA"))
    small = replace(CONFIG, max_decoded_bytes=100 * 100 * 4 - 1)
    with pytest.raises(ImageTooLarge, match="40,000 bytes decoded"):
        decode(data, small)
    assert decode(data, replace(small, max_decoded_bytes=100 * 100 * 4)).width == 100


def test_the_footprint_follows_pixels_not_bytes():
    photo = jpeg(scene(5, 300, 400), 90)
    pixels = 300 * 400
    expected = len(photo) + pixels * 3 + round(pixels * CONFIG.working_bytes_per_pixel)
    assert footprint(photo, CONFIG) == expected
    grey16 = png(Image.fromarray(np.zeros((300, 400), np.uint16)))  # Pillow keeps 2 bytes
    assert footprint(grey16, CONFIG) - len(grey16) == pixels * (2 + CONFIG.working_bytes_per_pixel)


@pytest.mark.parametrize("data", [b"", b"not an image", jpeg(scene(6, 64, 64), 90)[:30]])
def test_a_file_refused_before_decoding_costs_its_own_size(data):
    assert footprint(data, CONFIG) == len(data)
