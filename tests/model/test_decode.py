import io
import random
import struct
import threading
import time
import warnings
import zlib

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageFile, ImageOps
from PIL.PngImagePlugin import PngInfo

from model.config import DecodeConfig
from model.errors import (
    CorruptImage,
    EmptyImage,
    ImageError,
    ImageTooLarge,
    TruncatedImage,
    UnsupportedFormat,
)
from model.image.decode import DecodedImage, decode, sniff_format
from tests.images import decoded, jpeg, png, scene

CONFIG = DecodeConfig()
FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF", "HEIF"]
# Closest to lossless each encoder goes, so that pixels can be compared with their source.
FINEST = {"AVIF": {"quality": 100, "subsampling": "4:4:4"}, "HEIF": {"quality": -1, "chroma": 444}}

# ITU-T T.81 Annex K tables in natural (row-major) order, which libjpeg scales by quality.
LUMA = (
    (16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55)
    + (14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62)
    + (18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92)
    + (49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99)
)
CHROMA = (17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66) + (99,) * 4
CHROMA += (24, 26, 56) + (99,) * 5 + (47, 66) + (99,) * 38


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header declares width x height RGB pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + png_chunk(b"IEND", b"")
    )


def gif_declaring(width: int, height: int) -> bytes:
    """A GIF of a few dozen bytes whose screen and first frame declare width x height."""
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    frame = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + frame + b";"


def iso_declaring(fmt: str, width: int, height: int) -> bytes:
    """A small AVIF or HEIC whose every picture size property (ispe: four bytes of version and
    flags, then width and height) is patched to declare width x height."""
    data = bytearray(encode(Image.fromarray(scene(3, 40, 64)), fmt))
    at = data.find(b"ispe")
    while at >= 0:
        data[at + 8 : at + 16] = struct.pack(">II", width, height)
        at = data.find(b"ispe", at + 4)
    return bytes(data)


def png_text(key: str, value: str) -> PngInfo:
    info = PngInfo()
    info.add_text(key, value)
    return info


def with_orientation(orientation: int, fmt: str = "JPEG", **options) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(Image.fromarray(scene(orientation, 40, 64)), fmt, exif=exif.tobytes(), **options)


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


def test_metadata_is_kept():
    exif = Image.Exif()
    exif[0x0131] = "GIMP 2.10"
    exif.get_ifd(0x8769)[0x9003] = "2024:01:02 03:04:05"
    image = decode(jpeg(scene(1, 32, 32), 90, exif=exif.tobytes(), progressive=True), CONFIG)
    assert image.exif.get(0x0131) == "GIMP 2.10"
    assert image.exif.get_ifd(0x8769)[0x9003] == "2024:01:02 03:04:05"
    assert image.info["progressive"] and image.info["mode"] == "RGB"
    text = decode(png(Image.new("RGB", (8, 8)), pnginfo=png_text("parameters", "a cat")), CONFIG)
    assert text.info["parameters"] == "a cat" and len(text.exif) == 0


@pytest.mark.parametrize("fmt", ["AVIF", "HEIF"])
def test_avif_and_heic_metadata_is_kept(fmt):
    exif = Image.Exif()
    exif[0x0131] = "GIMP 2.10"
    exif.get_ifd(0x8769)[0x9003] = "2024:01:02 03:04:05"
    packet = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">tool</x:xmpmeta>'
    source = Image.fromarray(scene(1, 32, 32))
    image = decode(encode(source, fmt, exif=exif.tobytes(), xmp=packet), CONFIG)
    assert image.exif.get(0x0131) == "GIMP 2.10"
    assert image.exif.get_ifd(0x8769)[0x9003] == "2024:01:02 03:04:05"
    assert image.info["xmp"].rstrip(b"\0") == packet and image.info["mode"] == "RGB"


def test_multi_picture_jpeg_is_a_jpeg():
    frames = [Image.fromarray(scene(seed, 32, 48)) for seed in (1, 2)]
    image = decode(encode(frames[0], "MPO", save_all=True, append_images=frames[1:]), CONFIG)
    assert image.format == "JPEG" and image.quantization
    np.testing.assert_array_equal(image.pixels, decoded(encode(frames[0], "JPEG")))


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (8, 6), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    image = decode(encode(frames[0], "GIF", save_all=True, append_images=frames[1:]), CONFIG)
    assert image.pixels.shape == (6, 8, 3) and (image.pixels == (255, 0, 0)).all()


def test_broken_exif_is_missing_metadata_not_an_error():
    exif = Image.Exif()
    exif[0x010F] = "A camera maker with a long name"
    exif[0x0131] = "Some editing software"
    # Cut short: Pillow warns about (and skips) the tag whose data is gone; no warning escapes.
    image = decode(jpeg(scene(2, 32, 32), 90, exif=exif.tobytes()[:-10]), CONFIG)
    assert image.exif.get(0x010F) == "A camera maker with a long name"
    unreadable = decode(jpeg(scene(2, 32, 32), 90, exif=b"Exif\0\0XXXXXXXX"), CONFIG)
    assert len(unreadable.exif) == 0 and unreadable.info["exif"]


def test_exif_tag_of_an_unexpected_type_warns_nobody_later():
    """Pillow decodes a tag when it is first read. A Make stored as three SHORTs made it warn
    on that read, after decode(), where warnings are errors under this suite."""
    entry = struct.pack("<HHI3H", 0x010F, 3, 3, 1, 2, 3)  # Make: SHORT x 3, kept at an offset
    tiff = b"II*\0" + struct.pack("<IH", 8, 1) + entry[:8] + struct.pack("<II", 26, 0)
    tiff += entry[8:]
    image = decode(jpeg(scene(2, 32, 32), 90, exif=b"Exif\0\0" + tiff), CONFIG)
    assert image.exif[0x010F] == 1  # Pillow keeps the first value


def test_exif_too_large_to_read_is_left_unread():
    def with_description(length: int) -> DecodedImage:
        exif = Image.Exif()
        exif[0x010E] = "x" * length  # ImageDescription
        return decode(png(Image.fromarray(scene(2, 32, 32)), exif=exif.tobytes()), CONFIG)

    assert len(with_description(1000).exif[0x010E]) == 1000
    huge = with_description(CONFIG.max_exif_bytes)
    assert len(huge.exif) == 0 and len(huge.info["exif"]) > CONFIG.max_exif_bytes


def test_avif_of_more_exif_than_is_read_is_refused_before_pillow_reads_it():
    """Pillow reads an AVIF's EXIF as it opens the file: 4.8 MB of it took 5 s. A HEIC's is
    left unread, as other formats' are."""
    exif = Image.Exif()
    exif[0x010E] = "x" * 5000  # ImageDescription
    source = Image.fromarray(scene(2, 32, 32))
    small = DecodeConfig(max_exif_bytes=4000)
    with pytest.raises(ImageTooLarge, match="AVIF carries 5,0.. bytes of EXIF; at most 4,000"):
        decode(encode(source, "AVIF", exif=exif.tobytes()), small)
    assert decode(encode(source, "AVIF", exif=exif.tobytes()), CONFIG).exif[0x010E] == "x" * 5000
    assert len(decode(encode(source, "HEIF", exif=exif.tobytes()), small).exif) == 0


@pytest.mark.parametrize("fmt", ["AVIF", "HEIF"])
def test_avif_and_heic_listing_more_boxes_than_a_photo_are_refused(fmt):
    data = encode(Image.fromarray(scene(2, 32, 32)), fmt) + b"\0\0\0\x08free" * 20
    assert decode(data, CONFIG).format == fmt
    with pytest.raises(ImageTooLarge, match="more than 10 boxes"):
        decode(data, DecodeConfig(max_iso_boxes=10))


def test_text_is_read_up_to_its_budget():
    """63 compressed text chunks of 1 MB each, 60 KB of file, gave the generator search 63 MB
    to read (17 s). The text read stops at the budget, in the file's order."""
    png = encode(Image.fromarray(scene(1, 32, 32)), "PNG")
    packed = zlib.compress(b"a " * 500_000, 9)
    chunks = b"".join(png_chunk(b"zTXt", b"k%d\0\0" % i + packed) for i in range(63))
    image = decode(png[:33] + chunks + png[33:], CONFIG)
    texts = [v for k, v in image.info.items() if k.startswith("k")]
    assert sum(map(len, texts)) == CONFIG.max_text_bytes and len(texts) == 2
    assert image.info["mode"] == "RGB"
    budget = DecodeConfig(max_text_bytes=10)
    comment = decode(jpeg(scene(1, 32, 32), 90, comment=b"made by a tool"), budget)
    assert comment.info["comment"] == b"made by a "


def test_xmp_of_formats_pillow_does_not_read_is_found_in_the_raw_bytes():
    packet = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">tool</x:xmpmeta>'
    gif = encode(Image.fromarray(scene(1, 32, 32)), "GIF") + b"junk" + packet + b"<x:xmpmeta"
    assert decode(gif, CONFIG).info["xmp"] == packet
    assert "xmp" not in decode(gif, DecodeConfig(max_text_bytes=0)).info
    assert "xmp" not in decode(encode(Image.fromarray(scene(1, 32, 32)), "BMP"), CONFIG).info


def test_xmp_is_read_once_and_from_the_first_picture_only():
    """A PNG's iTXt packet sits under its chunk's key and "xmp": counted twice, a 600 KB
    packet left no budget for the generator parameters after it. A JPEG holding more
    pictures (Pillow's "MPO") must not take a later picture's packet as its own."""
    packet = '<x:xmpmeta xmlns:x="adobe:ns:meta/">' + "x" * 600_000 + "</x:xmpmeta>"
    small = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">tool</x:xmpmeta>'
    chunks = PngInfo()
    chunks.add_itxt("XML:com.adobe.xmp", packet)
    chunks.add_text("parameters", "a cat\nSteps: 20, Sampler: Euler")
    image = decode(png(Image.fromarray(scene(1, 32, 32)), pnginfo=chunks), CONFIG)
    assert image.info["xmp"].decode() == packet and "XML:com.adobe.xmp" not in image.info
    assert image.info["parameters"].startswith("a cat")
    tagged = PngInfo()
    tagged.add_text("XML:com.adobe.xmp", packet)  # a tEXt chunk: Pillow gives text only
    assert (
        decode(png(Image.fromarray(scene(1, 32, 32)), pnginfo=tagged), CONFIG).info["xmp"] == packet
    )
    frame = Image.fromarray(scene(2, 32, 32))
    pictures = encode(frame, "MPO", save_all=True, append_images=[frame])
    second = pictures.index(b"\xff\xd8\xff", 3) + 2  # an XMP segment for the second picture
    segment = b"http://ns.adobe.com/xap/1.0/\0" + small
    pictures = (
        pictures[:second]
        + b"\xff\xe1"
        + (len(segment) + 2).to_bytes(2, "big")
        + segment
        + pictures[second:]
    )
    assert Image.open(io.BytesIO(pictures)).format == "MPO"
    assert "xmp" not in decode(pictures, CONFIG).info


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
