"""Files the decoder's tests make: a picture in any format Pillow writes, and small
files whose headers declare sizes their data does not have."""

import io
import struct
import zlib

from PIL import Image

from model.config import DecodeConfig
from tests.images import scene

CONFIG = DecodeConfig()
FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF", "HEIF"]
# Closest to lossless each encoder goes, so that pixels can be compared with their source.
FINEST = {"AVIF": {"quality": 100, "subsampling": "4:4:4"}, "HEIF": {"quality": -1, "chroma": 444}}


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
