"""The orientation a picture declares: its pixels as stored, turned upright by
``orient`` as a viewer shows them, and nonsense values taken as upright."""

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from model.image.decode import decode
from tests.images import decoded, scene
from tests.model.decode_files import CONFIG, FINEST, encode


def with_orientation(orientation: int, fmt: str = "JPEG", **options) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(Image.fromarray(scene(orientation, 40, 64)), fmt, exif=exif.tobytes(), **options)


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF", "AVIF"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_orient_matches_exif_transpose(orientation, fmt):
    data = with_orientation(orientation, fmt)
    image = decode(data, CONFIG)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    # Pillow's JPEG and AVIF loaders keep the stored orientation (an AVIF's is turned into
    # EXIF's); its TIFF loader does not, so the stored TIFF pixels are the lossless source.
    stored = scene(orientation, 40, 64) if fmt == "TIFF" else decoded(data)
    assert image.orientation == image.exif.get(0x0112, 1) == orientation
    np.testing.assert_array_equal(image.pixels, stored)
    np.testing.assert_array_equal(image.orient(image.pixels), upright)
    assert (image.height, image.width) == upright.shape[:2]
    heat = image.pixels[:, :, 0].astype(np.float32)
    np.testing.assert_array_equal(image.orient(heat), upright[:, :, 0])


@pytest.mark.parametrize("fmt", ["AVIF", "HEIF"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_avif_and_heic_display_upright(orientation, fmt):
    """A HEIC's pixels come upright from libheif, with orientation 1; an AVIF's keep theirs."""
    image = decode(with_orientation(orientation, fmt, **FINEST[fmt]), CONFIG)
    exif = Image.Exif()
    exif[0x0112] = orientation
    source = Image.fromarray(scene(orientation, 40, 64))
    source.info["exif"] = exif.tobytes()
    upright = np.asarray(ImageOps.exif_transpose(source)).astype(int)
    shown = image.orient(image.pixels)
    assert shown.shape == upright.shape and (image.height, image.width) == upright.shape[:2]
    assert np.abs(shown - upright).mean() < 2  # a wrong turn is off by about 25
    assert image.orientation == (1 if fmt == "HEIF" else orientation)


@pytest.mark.parametrize("value", [0, 9, 300])
def test_invalid_orientation_counts_as_upright(value):
    image = decode(with_orientation(value), CONFIG)
    assert image.orientation == 1
    np.testing.assert_array_equal(image.orient(image.pixels), image.pixels)
    assert (image.width, image.height) == (64, 40)
