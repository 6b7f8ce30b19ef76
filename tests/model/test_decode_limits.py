"""Files made to cost: pixel bombs, and headers, strips, runs and scans past what any
real picture holds, refused before decoding, with the size and the limit in words."""

import struct
import time

import pytest
from PIL import Image

from model.config import DecodeConfig
from model.errors import CorruptImage, ImageError, ImageTooLarge
from model.image.decode import decode
from tests.images import jpeg, png, scene
from tests.model.decode_files import CONFIG, encode, gif_declaring, iso_declaring, png_declaring


@pytest.mark.parametrize("fmt", ["AVIF", "HEIF"])
def test_avif_and_heic_listing_more_boxes_than_a_photo_are_refused(fmt):
    data = encode(Image.fromarray(scene(2, 32, 32)), fmt) + b"\0\0\0\x08free" * 20
    assert decode(data, CONFIG).format == fmt
    with pytest.raises(ImageTooLarge, match="more than 10 boxes"):
        decode(data, DecodeConfig(max_iso_boxes=10))


def _tiff_of_strips(count: int, side: int = 64, big: bool = False) -> bytes:
    """A grey side x side TIFF (or BigTIFF) of one-row strips, listing ``count`` of them (all
    pointing at one row): more than its height is a file made to make the decoder loop."""
    row = bytes(range(side))
    header = b"II+\x00\x08\x00\x00\x00" if big else b"II*\x00"
    number = "<Q" if big else "<L"  # counts, offsets and the value field
    width = struct.calcsize(number)
    pixels_at = len(header) + width
    arrays = pixels_at + side + (8 if big else 2) + 9 * (4 + 2 * width) + width

    def entry(tag: int, kind: int, n: int, value: int) -> bytes:
        field = struct.pack("<H", value) if kind == 3 and n == 1 else struct.pack(number, value)
        return struct.pack("<HH", tag, kind) + struct.pack(number, n) + field.ljust(width, b"\0")

    entries = [(256, 3, 1, side), (257, 3, 1, side), (258, 3, 1, 8), (259, 3, 1, 1)]
    entries += [(262, 3, 1, 1), (273, 3, count, arrays), (277, 3, 1, 1), (278, 3, 1, 1)]
    entries += [(279, 3, count, arrays + 2 * count)]
    ifd = struct.pack("<Q" if big else "<H", 9) + b"".join(entry(*e) for e in entries)
    ifd += bytes(width)  # no next directory
    offsets = struct.pack(f"<{count}H", *[pixels_at] * count)
    sizes = struct.pack(f"<{count}H", *[side] * count)
    return header + struct.pack(number, pixels_at + side) + row + ifd + offsets + sizes


def test_tiff_size_of_a_type_that_does_not_fit_is_corrupt():
    """A width typed LONG8 (8 bytes) in a classic TIFF's 4-byte field: no struct.error."""
    entries = struct.pack("<HHI4s", 256, 16, 1, b"\x40\0\0\0") + struct.pack(
        "<HHI4s", 257, 3, 1, b"\x40\0\0\0"
    )
    with pytest.raises(ImageError):
        decode(b"II*\0" + struct.pack("<IH", 8, 2) + entries + b"\0\0\0\0", CONFIG)


@pytest.mark.parametrize("big", [False, True], ids=["TIFF", "BigTIFF"])
def test_tiff_listing_more_strips_than_rows_is_refused(big):
    assert decode(_tiff_of_strips(64, big=big), CONFIG).pixels.shape == (64, 64, 3)
    with pytest.raises(CorruptImage, match="20,000 strips or tiles"):
        decode(_tiff_of_strips(20_000, big=big), CONFIG)


def _bmp_rle8(width: int, height: int, runs: bytes) -> bytes:
    """An 8-bit run-length BMP with a grey palette (Pillow writes none)."""
    palette = b"".join(bytes((i, i, i, 0)) for i in range(256))
    offset = 14 + 40 + len(palette)
    header = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(runs), 0, 0, 256, 0)
    return b"BM" + struct.pack("<IHHI", offset + len(runs), 0, 0, offset) + header + palette + runs


def test_run_length_bmp_is_decoded_up_to_its_own_limit():
    """Pillow decodes these in Python, a pixel at a time: 32 KB declaring 60 M pixels took 7 s."""
    # Bottom row first: two pixels of 200 then end of line; three of 50; end of bitmap.
    small = decode(_bmp_rle8(3, 2, b"\x02\xc8\x00\x00\x03\x32\x00\x01"), CONFIG)
    assert small.pixels[..., 0].tolist() == [[50, 50, 50], [200, 200, 0]]
    side = 2001  # just over 4 million pixels: one pixel, then end of line, on every row
    with pytest.raises(ImageTooLarge, match="run-length"):
        decode(_bmp_rle8(side, side, b"\x01\x80\x00\x00" * side + b"\x00\x01"), CONFIG)


def test_jpeg_of_more_scans_than_any_encoder_writes_is_refused():
    progressive = jpeg(scene(4, 64, 64), 90, progressive=True)
    assert decode(progressive, CONFIG).pixels.shape == (64, 64, 3)  # about 10 scans: fine
    last_scan = progressive.rindex(b"\xff\xda")
    scan = progressive[last_scan:-2]  # the final refinement scan, repeated as a bomb does
    many = progressive[:-2] + scan * CONFIG.max_jpeg_scans + b"\xff\xd9"
    with pytest.raises(ImageTooLarge, match="scans"):
        decode(many, CONFIG)


@pytest.mark.parametrize(
    "padding",
    [
        b"\xff" * 100,
        b"\xff\xef\x00\x02" * 100,
        b"\xff\xfe\x00\x05abc" * 50 + b"\x00" * 40,
    ],
    ids=["fill", "empty-segments", "comments-and-junk"],
)
def test_jpeg_header_is_read_up_to_its_own_limit(padding):
    """Pillow's header parser takes a Python step per segment and per stray byte (20 MB of
    0xFF fill took 10 s); a header needing more steps than the limit is refused at once."""
    photo = jpeg(scene(4, 64, 64), 90)
    app0_end = 4 + int.from_bytes(photo[4:6], "big")  # junk after a segment, not after SOI
    padded = photo[:app0_end] + padding + photo[app0_end:]
    assert decode(padded, CONFIG).pixels.shape == (64, 64, 3)
    strict = DecodeConfig(max_jpeg_header_steps=50)  # each padding takes 90-100 steps
    with pytest.raises(ImageTooLarge, match="JPEG header"):
        decode(padded, strict)
    assert decode(photo, strict).pixels.shape == (64, 64, 3)
    # Markers Pillow reads without a length (EOI, JPG) are no segment to jump over.
    for code in (b"\xd9", b"\xc8"):
        with pytest.raises(ImageTooLarge, match="JPEG header"):
            decode(
                photo[:app0_end] + (b"\xff" + code + b"\xff" * 40) * 3 + photo[app0_end:], strict
            )


@pytest.mark.parametrize(
    "data",
    [
        png_declaring(100_000, 100_000),
        gif_declaring(65_535, 65_535),
        png_declaring(10_000, 10_000),
        iso_declaring("AVIF", 100_000, 100_000),  # past libavif's own limit
        iso_declaring("AVIF", 10_000, 10_000),
        iso_declaring("HEIF", 10_000, 10_000),  # libheif reads a picture's size in its data
    ],
    ids=["png-10G", "gif-4G", "png-100M", "avif-10G", "avif-100M", "heic-100M"],
)
def test_bombs_are_refused_before_decoding(data):
    started = time.perf_counter()
    with pytest.raises(ImageTooLarge, match="60,000,000"):
        decode(data, CONFIG)
    assert time.perf_counter() - started < 0.5


def test_limit_message_gives_size_and_limit():
    with pytest.raises(ImageTooLarge, match=r"9000x9000 \(81,000,000 pixels\).*60,000,000"):
        decode(png_declaring(9000, 9000), CONFIG)
    with pytest.raises(ImageTooLarge, match="20x10"):
        decode(png(Image.new("RGB", (20, 10))), DecodeConfig(max_pixels=199))
    assert decode(png(Image.new("RGB", (20, 10))), DecodeConfig(max_pixels=200)).width == 20


@pytest.mark.parametrize("data", [png_declaring(0, 5), gif_declaring(5, 0)], ids=["png", "gif"])
def test_zero_sizes_are_refused(data):
    with pytest.raises(CorruptImage):
        decode(data, CONFIG)
