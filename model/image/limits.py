"""Refusals of images whose decoding would cost far more than their size suggests.

Each limit is a setting of ``DecodeConfig``. A decompression bomb declares more pixels than
are accepted; other files make one of Pillow's parsers, several of them written in Python,
take a step per byte or per segment of hostile padding. The checks read no more of the
file than they need, so refusing costs milliseconds.
"""

from __future__ import annotations

import re
import struct

import numpy as np
from PIL import Image, ImageMode, JpegImagePlugin

from model import errors
from model.config import DecodeConfig
from model.image import iso

# TIFF field types of whole numbers (SHORT, LONG, LONG8) and their struct codes.
_TIFF_NUMBERS = {3: "H", 4: "I", 16: "Q"}
# TIFF tags listing strips or tiles: StripOffsets, StripByteCounts, TileOffsets, TileByteCounts.
_TIFF_PIECES = (273, 279, 324, 325)
# A run of 0xFF bytes in a JPEG header: one before each marker code, more as fill.
_FILL = re.compile(rb"\xff+")
# JPEG marker codes Pillow's header parser reads without a length (no handler in its table:
# RST0-7, SOI, EOI, JPG, JPG0-13), and 0x00, a stuffed byte it steps over.
_STANDALONE = {0x00} | {
    code & 0xFF for code, (_, _, handler) in JpegImagePlugin.MARKER.items() if handler is None
}


def check_bytes(data: bytes, fmt: str, config: DecodeConfig) -> None:
    """Refusals read from the raw bytes, before Pillow parses anything."""
    if fmt == "JPEG":
        _check_scans(data, config)
        _check_header(data, config)
    if fmt == "TIFF":
        _check_tiles(data)
    if fmt in iso.FORMATS:
        _check_iso(data, fmt, config)


def check_opened(image: Image.Image, config: DecodeConfig) -> None:
    """Refusals read from the header Pillow parsed, before any pixel is decoded."""
    _check_size(image.size, config)
    if (decoded := decoded_bytes(image)) > config.max_decoded_bytes:
        raise errors.ImageTooLarge(
            f"The image would take {decoded:,} bytes decoded ({image.width}x{image.height}, "
            f"mode {image.mode}); at most {config.max_decoded_bytes:,} are accepted."
        )
    if image.format == "BMP":
        _check_run_length(image, config)


def decoded_bytes(image: Image.Image) -> int:
    """The bytes Pillow holds for the opened picture once decoded: width x height x bands x
    bytes per sample of the mode it decodes to (16-bit colour arrives as 8-bit RGB or RGBA;
    deep grey and floats keep 2 or 4 bytes)."""
    mode = ImageMode.getmode(image.mode)
    sample = np.dtype(mode.typestr).itemsize
    return image.width * image.height * len(mode.bands) * sample


def _check_size(size: tuple[int, int], config: DecodeConfig) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise errors.CorruptImage(f"The image declares an impossible size of {width}x{height}.")
    if width * height > config.max_pixels:
        raise errors.ImageTooLarge(
            f"The image is {width}x{height} ({width * height:,} pixels); "
            f"at most {config.max_pixels:,} pixels are accepted."
        )


def _check_iso(data: bytes, fmt: str, config: DecodeConfig) -> None:
    """Refuses an AVIF or HEIC any of whose pictures declares more than ``max_pixels``, before
    libavif or libheif parse it (libavif takes a size past its own limit for a broken header),
    and an AVIF of more EXIF than ``max_exif_bytes``: Pillow reads it whole as it opens the
    file, and writes it anew where the container's orientation differs from its tag (4.8 MB
    of rationals took 5 s)."""
    meta = iso.metadata(data, config.max_iso_boxes)
    if meta is None:
        return  # no picture described: the library says what is wrong
    for size in iso.declared_sizes(data, meta, config.max_iso_boxes):
        _check_size(size, config)
    exif = iso.exif_bytes(data, meta, config.max_iso_boxes) if fmt == "AVIF" else 0
    if exif > config.max_exif_bytes:
        raise errors.ImageTooLarge(
            f"The AVIF carries {exif:,} bytes of EXIF; at most {config.max_exif_bytes:,} are "
            "read (a camera writes at most 64 KB)."
        )


def _check_tiles(data: bytes) -> None:
    """Refuses a TIFF listing more strips or tiles than its size has room for, before Pillow
    reads the list: it decodes every one, wrapping to the top (4.9 million one-row strips of
    a 64 x 64 image took a minute), and reading the list alone took 9 s. A strip holds at
    least a row, a tile at least 16 x 16 pixels, per sample where samples lie in planes.

    Only the first directory's counts and size are read here; a file too broken for that
    is left to Pillow, which says what is wrong."""
    order = "<" if data.startswith(b"II") else ">"
    big = data[2:4] in (b"+\x00", b"\x00+")
    entry_format = order + ("HHQ8s" if big else "HHI4s")

    def number(tag: int, default: int) -> int:
        kind, _, value = fields.get(tag, (0, 0, b""))
        unpack = _TIFF_NUMBERS.get(kind)
        return struct.unpack_from(order + unpack, value)[0] if unpack else default

    try:
        (start,) = struct.unpack_from(order + ("Q" if big else "I"), data, 8 if big else 4)
        if start >= len(data):
            # A directory past the end of the file (a BigTIFF's 64-bit offset may exceed
            # what struct can even address): nothing to count, and Pillow says what is wrong.
            return
        (count,) = struct.unpack_from(order + ("Q" if big else "H"), data, start)
        first = start + (8 if big else 2)
        size = struct.calcsize(entry_format)
        table = data[first : first + size * min(count, (len(data) - first) // size)]
        fields = {
            tag: (kind, n, value) for tag, kind, n, value in struct.iter_unpack(entry_format, table)
        }
        # A LONG8 in a classic TIFF's 4-byte field does not fit: struct.error, left to Pillow.
        width, height, samples = number(256, 1), number(257, 1), max(number(277, 1), 1)
    except struct.error:
        return
    room = max(height, -(-width // 16) * -(-height // 16)) * samples
    listed = max((fields[tag][1] for tag in _TIFF_PIECES if tag in fields), default=0)
    if listed > room:
        raise errors.CorruptImage(
            f"The TIFF lists {listed:,} strips or tiles for a {width}x{height} image."
        )


def _check_run_length(image: Image.Image, config: DecodeConfig) -> None:
    """Refuses a run-length BMP larger than ``max_bmp_rle_pixels``: Pillow decodes those in
    Python, about a pixel at a time."""
    width, height = image.size
    run_length = bool(image.tile) and image.tile[0].codec_name == "bmp_rle"
    if run_length and width * height > config.max_bmp_rle_pixels:
        raise errors.ImageTooLarge(
            f"The BMP is run-length compressed and {width}x{height} ({width * height:,} "
            f"pixels); at most {config.max_bmp_rle_pixels:,} pixels are accepted for such BMPs."
        )


def _check_scans(data: bytes, config: DecodeConfig) -> None:
    """Refuses JPEGs of more scans than any encoder writes, before the decoder walks them.

    Entropy-coded data never holds 0xFF 0xDA (a coded 0xFF is followed by 0x00 or a restart
    marker), so counting start-of-scan markers counts scans, plus those of an embedded
    thumbnail."""
    scans = data.count(b"\xff\xda")
    if scans > config.max_jpeg_scans:
        raise errors.ImageTooLarge(
            f"The JPEG is written in {scans:,} scans; at most {config.max_jpeg_scans} are "
            "decoded (a progressive photo has about 10)."
        )


def _check_header(data: bytes, config: DecodeConfig) -> None:
    """Refuses a JPEG whose header (all before the first scan) takes Pillow's parser more than
    ``max_jpeg_header_steps``: it takes a Python step per segment and per stray byte.

    The walk skips each segment by its length and each run of stray bytes at once, so it
    costs a step per segment, and stops at the limit."""
    steps, position = 0, 2  # after the start-of-image marker
    while steps <= config.max_jpeg_header_steps:
        marker = data.find(b"\xff", position)
        if marker < 0:
            return  # no scan: Pillow says what is wrong
        code_at = _FILL.match(data, marker).end()
        steps += code_at - position  # stray bytes, fill bytes and the marker itself
        if code_at >= len(data) or data[code_at] == 0xDA:  # the first scan: header read
            return
        position = code_at + 1
        if data[code_at] not in _STANDALONE:
            position += int.from_bytes(data[position : position + 2], "big")
    raise errors.ImageTooLarge(
        f"The JPEG header holds more than {config.max_jpeg_header_steps:,} segments and "
        "stray bytes; a photo's has a few dozen segments."
    )
