"""Each format the decoder reads, to 8-bit RGB pixels of its own size: the JPEG's
quantisation tables, and every mode (CMYK, deep grey, 10-bit, floats, palettes, alpha)
converted as a viewer shows it."""

import io

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from model.image.decode import decode, sniff_format
from tests.images import decoded, jpeg, png, scene
from tests.model.decode_files import CONFIG, FINEST, FORMATS, encode

# ITU-T T.81 Annex K tables in natural (row-major) order, which libjpeg scales by quality.
LUMA = (
    (16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55)
    + (14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62)
    + (18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92)
    + (49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99)
)
CHROMA = (17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66) + (99,) * 4
CHROMA += (24, 26, 56) + (99,) * 5 + (47, 66) + (99,) * 38


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_decodes_to_its_size_and_pixels(fmt):
    source = scene(0, 48, 64)
    data = encode(Image.fromarray(source), fmt)
    image = decode(data, CONFIG)
    assert sniff_format(data) == image.format == fmt
    assert image.pixels.shape == (48, 64, 3) and image.pixels.dtype == np.uint8
    assert image.pixels.flags.c_contiguous and not image.pixels.flags.writeable
    assert (image.width, image.height) == (64, 48) and image.orientation == 1
    assert image.data is data
    np.testing.assert_array_equal(image.pixels, decoded(data))
    if fmt in ("PNG", "BMP", "TIFF"):
        np.testing.assert_array_equal(image.pixels, source)
    assert (image.quantization != {}) == (fmt == "JPEG")


def test_multi_picture_jpeg_is_a_jpeg():
    frames = [Image.fromarray(scene(seed, 32, 48)) for seed in (1, 2)]
    image = decode(encode(frames[0], "MPO", save_all=True, append_images=frames[1:]), CONFIG)
    assert image.format == "JPEG" and image.quantization
    np.testing.assert_array_equal(image.pixels, decoded(encode(frames[0], "JPEG")))


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (8, 6), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    image = decode(encode(frames[0], "GIF", save_all=True, append_images=frames[1:]), CONFIG)
    assert image.pixels.shape == (6, 8, 3) and (image.pixels == (255, 0, 0)).all()


@pytest.mark.parametrize("quality, subsampling", [(75, "4:2:0"), (90, "4:4:4")])
def test_jpeg_quantization_is_in_natural_order(quality, subsampling):
    data = jpeg(scene(3, 64, 64), quality, subsampling=subsampling)
    image = decode(data, CONFIG)
    scale = 200 - 2 * quality

    def scaled(table):
        return tuple(min(max((value * scale + 50) // 100, 1), 255) for value in table)

    assert image.quantization == {0: scaled(LUMA), 1: scaled(CHROMA)}
    assert image.quantization == {
        k: tuple(v) for k, v in Image.open(io.BytesIO(data)).quantization.items()
    }
    assert image.info["subsampling"] == subsampling


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk_becomes_rgb(fmt):
    source = scene(4, 48, 64)
    image = decode(encode(Image.fromarray(source).convert("CMYK"), fmt), CONFIG)
    assert image.info["mode"] == "CMYK"
    # Pillow's own CMYK JPEGs carry the Adobe marker and inverted ink; read wrongly, every
    # colour would come out inverted, far beyond compression loss.
    assert np.abs(image.pixels.astype(int) - source).mean() < 12


@pytest.mark.parametrize(
    "fmt, mode, values, expected",
    [
        ("PNG", "I;16", np.array([[0, 257, 40000, 65535]], np.uint16), [0, 1, 156, 255]),
        ("TIFF", "I;16B", np.array([[0, 128, 32896, 65535]], np.uint16), [0, 0, 128, 255]),
        ("TIFF", "F", np.array([[0.0, 0.25, 0.5, 1.0]], np.float32), [0, 64, 128, 255]),
        ("TIFF", "F", np.array([[-2.0, 0.0, 1.0, 2.0]], np.float32), [0, 128, 191, 255]),
        ("TIFF", "I", np.array([[-100, 0, 100000, 200000]], np.int32), [0, 0, 128, 255]),
    ],
)
def test_deep_grey_is_scaled_not_clipped(fmt, mode, values, expected):
    source = Image.new(mode, (values.shape[1], 1))
    source.putdata(values.ravel().tolist())
    image = decode(encode(source, fmt), CONFIG)
    assert image.info["mode"].startswith(mode[0])
    np.testing.assert_array_equal(image.pixels[0], np.repeat(np.array(expected)[:, None], 3, 1))


def test_ten_bit_heic_becomes_eight_bit_rgb():
    source = scene(3, 48, 64)
    deep = pillow_heif.from_bytes("RGB;16", (64, 48), (source.astype(np.uint16) * 257).tobytes())
    buffer = io.BytesIO()
    deep.save(buffer, **FINEST["HEIF"])
    image = decode(buffer.getvalue(), CONFIG)
    assert image.info["bit_depth"] == 10 and image.pixels.dtype == np.uint8
    assert np.abs(image.pixels.astype(int) - source).max() <= 1


def test_extreme_and_nan_floats_are_scaled_without_warnings():
    values = np.array([[-3e38, 0.0, 3e38, 0.0]], np.float32)
    values.view(np.uint32)[0, 3] = 0x7FA00000  # a signalling NaN
    image = decode(encode(Image.fromarray(values), "TIFF"), CONFIG)
    assert image.pixels[0, :, 0].tolist() == [0, 128, 255, 128]


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_palette_transparency_is_white(fmt):
    palette = Image.new("P", (4, 2))
    palette.putpalette([200, 10, 10, 10, 200, 10] + [0] * 762)
    palette.putdata([0, 1, 0, 1, 1, 1, 0, 0])
    image = decode(encode(palette, fmt, transparency=1), CONFIG)
    pixels = image.pixels.reshape(-1, 3)
    np.testing.assert_array_equal(pixels[[0, 2, 6, 7]], [[200, 10, 10]] * 4)
    np.testing.assert_array_equal(pixels[[1, 3, 4, 5]], [[255, 255, 255]] * 4)


@pytest.mark.parametrize(
    "mode, fmt", [("RGBA", "PNG"), ("LA", "PNG"), ("RGBA", "AVIF"), ("RGBA", "HEIF")]
)
def test_alpha_is_composited_on_white(mode, fmt):
    rgb = scene(5, 16, 256)
    alpha = np.tile(np.arange(256, dtype=np.uint8), (16, 1))
    data = encode(Image.fromarray(np.dstack([rgb, alpha])).convert(mode), fmt)
    stored = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")).astype(float)
    colour, alpha = stored[:, :, :3], stored[:, :, 3:]
    expected = np.floor(colour * alpha / 255 + 255 - alpha + 0.5)
    image = decode(data, CONFIG)
    np.testing.assert_array_equal(image.pixels, expected.astype(np.uint8))
    assert (image.pixels[:, 0] >= 254).all()  # lossy alpha: 0 may come back as 1


def test_transparent_colour_and_grey_modes():
    rgb = Image.new("RGB", (2, 1), (1, 2, 3))
    rgb.putpixel((1, 0), (9, 9, 9))
    assert decode(png(rgb, transparency=(1, 2, 3)), CONFIG).pixels.tolist() == [
        [[255, 255, 255], [9, 9, 9]]
    ]
    for mode in ("L", "1"):
        grey = decode(png(Image.fromarray(scene(6, 8, 8)).convert(mode)), CONFIG).pixels
        assert grey.shape == (8, 8, 3) and (grey == grey[:, :, :1]).all()
