"""Bytes that are no picture, or a broken one: each a typed error (empty, unsupported,
truncated, corrupt), also for 300 mutated files; and decoding leaves Pillow's and the
warnings' globals as it found them, on any number of threads."""

import random
import threading
import warnings

import numpy as np
import pytest
from PIL import Image, ImageFile

from model.errors import (
    CorruptImage,
    EmptyImage,
    ImageError,
    ImageTooLarge,
    TruncatedImage,
    UnsupportedFormat,
)
from model.image.decode import DecodedImage, decode, sniff_format
from tests.images import jpeg, png, scene
from tests.model.decode_files import CONFIG, FORMATS, encode, png_declaring


def test_zero_bytes_are_empty():
    with pytest.raises(EmptyImage):
        decode(b"", CONFIG)


@pytest.mark.parametrize(
    "data, kind",
    [
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"\xef\xbb\xbf  <svg width='10' height='10'></svg>", "SVG"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "HTML"),
        (b'<?xml version="1.0"?><feed></feed>', "XML"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "video"),
        (b"Just some words, not a picture.\n", "text"),
    ],
)
def test_lookalikes_are_named(data, kind):
    with pytest.raises(UnsupportedFormat, match=kind):
        decode(data, CONFIG)


def test_unknown_bytes_are_unsupported():
    with pytest.raises(UnsupportedFormat, match="not an image"):
        sniff_format(bytes(range(256)))


def test_text_posing_as_jpeg_is_corrupt():
    with pytest.raises(CorruptImage) as caught:
        decode(b"\xff\xd8\xff" + b"this is not a picture at all, only words. " * 20, CONFIG)
    assert type(caught.value) is CorruptImage


@pytest.mark.parametrize("fmt", FORMATS)
def test_half_a_file_is_truncated(fmt):
    data = encode(Image.fromarray(scene(7, 64, 64)), fmt)
    with pytest.raises(TruncatedImage, match="cut short"):
        decode(data[: len(data) // 2], CONFIG)


@pytest.mark.parametrize("fmt", ["AVIF", "HEIF"])
def test_avif_and_heic_cut_inside_their_picture_data_are_truncated(fmt):
    # libheif decoded this HEIC as if it were whole.
    data = encode(Image.fromarray(scene(7, 64, 64)), fmt)
    with pytest.raises(TruncatedImage, match=f"{fmt} file is cut short"):
        decode(data[:-5], CONFIG)


def test_complete_but_damaged_png_is_corrupt():
    data = bytearray(png(Image.fromarray(scene(8, 16, 16))))
    data[29] ^= 0xFF  # the header's checksum
    with pytest.raises(CorruptImage) as caught:
        decode(bytes(data), CONFIG)
    assert type(caught.value) is CorruptImage


def test_pillow_and_warnings_globals_are_left_alone():
    def state():
        return Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters)

    before = state()
    with pytest.raises(ImageTooLarge):
        decode(png_declaring(10_000, 10_000), CONFIG)
    decode(jpeg(scene(9, 16, 16), 80), CONFIG)
    assert state() == before


def test_decoding_on_several_threads_leaves_the_warning_filters_alone():
    # Each decode enters and leaves catch_warnings; interleaved on threads (as the service
    # decodes), one thread's exit restored the filters another had replaced, and the
    # process kept "ignore every warning" for good (about one run in three of this).
    before = list(warnings.filters)
    data = png(Image.fromarray(scene(11, 8, 8)))

    def work() -> None:
        for _ in range(3000):
            decode(data, CONFIG)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list(warnings.filters) == before


def _mutated(case: int) -> bytes:
    """Case ``case`` of the mini-fuzz: a small file of one format, cut short or bit-flipped."""
    rng = random.Random(case)
    fmt = FORMATS[case % len(FORMATS)]
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8769)[0x9003] = "2024:01:02 03:04:05"
    data = bytearray(encode(Image.fromarray(scene(10, 24, 40)), fmt, exif=exif.tobytes()))
    if rng.random() < 0.3:
        return bytes(data[: rng.randrange(1, len(data))])
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data)


@pytest.mark.parametrize("case", range(300))
def test_mutated_files_decode_or_raise_typed_errors(case):
    try:
        image = decode(_mutated(case), CONFIG)
    except ImageError:
        return
    assert isinstance(image, DecodedImage)
    assert image.pixels.ndim == 3 and image.pixels.shape[2] == 3
    assert image.pixels.dtype == np.uint8 and 1 <= image.orientation <= 8
    assert image.orient(image.pixels).shape[:2] == (image.height, image.width)
