"""Safe decoding of untrusted image bytes into the pixels and metadata every analyser reads.

The bytes come from strangers, so the format is named by its magic bytes alone, Pillow may use
only the eight plugins we accept, the declared size is checked before any pixel is decoded, and
every failure leaves as one of the typed errors of ``model.errors``, never as Pillow's own.
Pixels stay in stored orientation because the JPEG 8x8 block grid lives there; ``orient``
turns anything computed on them upright for display. HEIC is the exception: its orientation
lives in its container, and libheif turns the pixels upright as it decodes them (pillow-heif
then sets the EXIF tag to 1, so that nothing turns them twice): they come with orientation 1.
"""

from __future__ import annotations

import codecs
import io
import struct
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pillow_heif
from PIL import ExifTags, Image, JpegImagePlugin, UnidentifiedImageError

from model import errors
from model.config import DecodeConfig
from model.image import iso, limits, modes

# HEIC through pillow-heif, registered here so that it serves only this decoder (Pillow reads
# AVIF itself). Only the picture is read: thumbnails, depth maps and auxiliary pictures stay
# unread, and no smaller thumbnail may stand in for the picture.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

_SUPPORTED = "JPEG, PNG, WebP, GIF, BMP, TIFF, AVIF or HEIC"
_MAGIC = {
    "JPEG": (b"\xff\xd8\xff",),
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "GIF": (b"GIF87a", b"GIF89a"),
    "BMP": (b"BM",),
    "TIFF": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),  # classic and BigTIFF
}
_LOOKALIKES = {
    "a PDF document": (b"%PDF-",),
    "a Photoshop document": (b"8BPS",),
    "a JPEG 2000 image": (b"\xff\x4f\xff\x51", b"\x00\x00\x00\x0cjP  "),
    "a JPEG XL image": (b"\xff\x0a", b"\x00\x00\x00\x0cJXL "),
}
# How complete files end: a failed decode that ran out of bytes without one was cut short.
_ENDINGS = {"JPEG": b"\xff\xd9", "PNG": b"IEND\xaeB`\x82", "GIF": b"\x00;"}
_SUBSAMPLING = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}
# EXIF orientation as a left-right mirror followed by quarter turns counter-clockwise.
_MIRRORED = {2, 4, 5, 7}
_TURNS = {3: 2, 4: 2, 5: 1, 6: 3, 7: 3, 8: 1}
_INVERSE = {6: 8, 8: 6}  # the other orientations undo themselves
# Formats whose XMP packet Pillow reads into info["xmp"]; in the others it is searched for
# in the raw bytes, between these tags (with bytes.find: a lazy regex took quadratic time
# on bytes repeating the opening tag without a closing one).
_PILLOW_XMP = {"JPEG", "PNG", "WEBP", "AVIF", "HEIF"}
# A PNG's XMP text chunk: Pillow keeps an iTXt packet under this key as well as "xmp".
_PNG_XMP = "XML:com.adobe.xmp"
_XMP_OPEN, _XMP_CLOSE = b"<x:xmpmeta", b"</x:xmpmeta>"
# info values of bytes that hold text (JPEG and GIF comments, XMP); text chunks are str.
_TEXT_BYTES = {"comment", "xmp"}
_WARNING_FILTERS = threading.Lock()  # see decode()


@dataclass(frozen=True)
class DecodedImage:
    """Stored-orientation RGB pixels (read-only, shared by all analysers) and the file's metadata."""

    pixels: np.ndarray
    format: str
    orientation: int
    exif: Image.Exif
    quantization: dict[int, tuple[int, ...]]
    info: dict[str, Any]
    data: bytes

    @property
    def width(self) -> int:
        return self.pixels.shape[0 if self.orientation >= 5 else 1]

    @property
    def height(self) -> int:
        return self.pixels.shape[1 if self.orientation >= 5 else 0]

    def orient(self, array: np.ndarray) -> np.ndarray:
        """``array`` (stored coordinates, H x W first) turned as EXIF says the picture displays."""
        return _oriented(array, self.orientation)


def _oriented(array: np.ndarray, orientation: int) -> np.ndarray:
    mirrored = array[:, ::-1] if orientation in _MIRRORED else array
    return np.ascontiguousarray(np.rot90(mirrored, _TURNS.get(orientation, 0)))


def sniff_format(data: bytes) -> str:
    """The format named by the file's first bytes; a file name or content type may lie."""
    if not data:
        raise errors.EmptyImage("The file is empty (zero bytes).")
    for name, magics in _MAGIC.items():
        if data.startswith(magics):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if iso_format := iso.format_named(data):
        return iso_format
    kind = _lookalike(data)
    if kind:
        raise errors.UnsupportedFormat(f"The file looks like {kind}, not an image in {_SUPPORTED}.")
    raise errors.UnsupportedFormat(
        f"The file is not an image in a format read here ({_SUPPORTED})."
    )


def _lookalike(data: bytes) -> str | None:
    """What a refused file seems to be, so the message can say so."""
    for kind, magics in _LOOKALIKES.items():
        if data.startswith(magics):
            return kind
    if data[4:8] == b"ftyp":  # ISO media of another codec than AVIF's or HEIC's
        return "a video or another ISO media file"
    try:  # an incremental decoder, because the 512-byte cut may split a character
        text = codecs.getincrementaldecoder("utf-8")().decode(data[:512]).lstrip("\ufeff \t\r\n")
    except UnicodeDecodeError:
        return None
    lowered = text.lower()
    if lowered.startswith("<") and "<svg" in lowered:
        return "an SVG drawing"
    if lowered.startswith(("<!doctype html", "<html", "<head", "<body")):
        return "an HTML page"
    if lowered.startswith("<"):
        return "an XML document"
    return "text" if all(c.isprintable() or c.isspace() for c in text) else None


def decode(data: bytes, config: DecodeConfig) -> DecodedImage:
    """Decode untrusted bytes once; raise an ``ImageError`` subclass for anything unusable."""
    fmt = sniff_format(data)
    limits.check_bytes(data, fmt, config)
    if fmt in iso.FORMATS and iso.cut_inside(data) == b"mdat":
        raise _cut_short(fmt)  # libheif decodes a HEIC cut short there as if it were whole
    stream = io.BytesIO(data)
    try:
        # Pillow warns about what it skips in hostile files (bad EXIF tags, odd palettes);
        # the picture is still usable and no warning may reach callers. Its bomb warning
        # can fire before our own size check does, so that one becomes an error. Before
        # Python 3.14 these filters are process-wide, and two threads entering and leaving
        # catch_warnings at once can leave the process with either's filters for good: the
        # service decodes on several threads, so the filters are held one decode at a time.
        with _WARNING_FILTERS, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=[fmt])
            limits.check_opened(image, config)
            # Before load(): Pillow's TIFF loader drops the orientation.
            exif = _read_exif(image, config)
            orientation = _orientation(exif)
            image.load()
            info = {**_bounded_text(_with_xmp(image.info, fmt, data), config), "mode": image.mode}
            pixels = modes.rgb8(image, config.tile_pixels)
    except errors.ImageError:
        raise
    except Exception as error:  # Pillow's plugins raise many types on hostile bytes
        raise _failure(error, fmt, _ran_out(data, stream, fmt), config) from error
    quantization: dict[int, tuple[int, ...]] = {}
    if isinstance(image, JpegImagePlugin.JpegImageFile):
        quantization = {table: tuple(values) for table, values in image.quantization.items()}
        if sampling := _SUBSAMPLING.get(JpegImagePlugin.get_sampling(image)):
            info["subsampling"] = sampling
    image.close()  # Pillow's copy of the pixels (up to 4 bytes each) is not needed again
    if orientation != 1 and ExifTags.Base.Orientation not in exif:
        # Pillow's TIFF loader turns the pixels upright and drops the tag; undo both, so that
        # pixels and orientation mean the same for every format.
        pixels = _oriented(pixels, _INVERSE.get(orientation, orientation))
        exif[ExifTags.Base.Orientation] = orientation
    pixels.setflags(write=False)  # one array shared by every analyser: none may change it
    return DecodedImage(pixels, fmt, orientation, exif, quantization, info, data)


def footprint(data: bytes, config: DecodeConfig) -> int:
    """The bytes analysing ``data`` holds at its peak, estimated from the header alone (in
    milliseconds, before any pixel is decoded): what the service admits against its memory
    budget. A file refused before its pixels are decoded costs about its own size."""
    try:
        fmt = sniff_format(data)
        limits.check_bytes(data, fmt, config)
        # Without decode()'s warning filters: their lock is held through whole decodes.
        # Any warning or error here is met again by decode(), which names it.
        image = Image.open(io.BytesIO(data), formats=[fmt])
        limits.check_opened(image, config)
    except Exception:  # noqa: BLE001 - see above: refused early, so cheap to admit
        return len(data)
    width, height = image.size
    working = round(width * height * config.working_bytes_per_pixel)
    return len(data) + limits.decoded_bytes(image) + working


def _failure(error: Exception, fmt: str, ran_out: bool, config: DecodeConfig) -> errors.ImageError:
    """The typed error, in words a person can follow, for what Pillow raised."""
    if isinstance(error, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return errors.ImageTooLarge(
            f"The image declares too many pixels to decode safely; at most "
            f"{config.max_pixels:,} are accepted here ({str(error).rstrip('.')})."
        )
    if ran_out:
        return _cut_short(fmt)
    reason = "its header is invalid" if isinstance(error, UnidentifiedImageError) else error
    return errors.CorruptImage(f"The {fmt} file is damaged and cannot be decoded ({reason}).")


def _cut_short(fmt: str) -> errors.TruncatedImage:
    return errors.TruncatedImage(f"The {fmt} file is cut short: its data stops part-way.")


def _read_exif(image: Image.Image, config: DecodeConfig) -> Image.Exif:
    """EXIF with its tags and the sub-IFDs other modules read parsed now, while their errors
    and warnings can be caught."""
    if image.format == "PNG" and "exif" not in image.info:
        image.load()  # a PNG's eXIf chunk may follow its pixels; Pillow reads it only then
    raw = image.info.get("exif")
    if isinstance(raw, bytes) and len(raw) > config.max_exif_bytes:
        return Image.Exif()  # left unread, like a broken block: missing metadata
    try:
        exif = image.getexif()
        for ifd in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
            exif.get_ifd(ifd)
        # Pillow decodes a tag when it is first read, and may warn then (a Make of three
        # numbers): read every tag now, under decode()'s warning filter.
        list(exif.values())
    except (SyntaxError, ValueError, OSError, struct.error, LookupError):
        # A broken EXIF block is missing metadata, not an unreadable picture (its bytes stay
        # in info["exif"] for whoever wants to report them).
        return Image.Exif()
    return exif


def _with_xmp(info: dict[str, Any], fmt: str, data: bytes) -> dict[str, Any]:
    """Pillow's info with the XMP packet once, as "xmp": a PNG's is also under its text
    chunk's key (or only there, in a tEXt chunk), and in GIF, BMP and TIFF it is searched
    for in the raw bytes. ``fmt`` is the sniffed format: a JPEG with more pictures in it
    (Pillow's "MPO") must not take a later picture's packet as its own."""
    info = dict(info)
    text_chunk = info.pop(_PNG_XMP, None)
    if not info.get("xmp"):
        if text_chunk:
            info["xmp"] = text_chunk
        elif fmt not in _PILLOW_XMP and (packets := b"\n".join(_xmp_packets(data))):
            info["xmp"] = packets
    return info


def _xmp_packets(data: bytes) -> Iterator[bytes]:
    """Each packet from an opening tag to the next closing one, in order."""
    start = data.find(_XMP_OPEN)
    while start >= 0:
        end = data.find(_XMP_CLOSE, start)
        if end < 0:
            return
        end += len(_XMP_CLOSE)
        yield data[start:end]
        start = data.find(_XMP_OPEN, end)


def _bounded_text(info: dict[str, Any], config: DecodeConfig) -> dict[str, Any]:
    """``info`` with its text (text chunks, comments, XMP) cut to ``max_text_bytes`` in all,
    in the file's order; values past the budget are left out, as unread."""
    budget = config.max_text_bytes
    bounded = {}
    for key, value in info.items():
        if isinstance(value, str) or (key in _TEXT_BYTES and isinstance(value, bytes)):
            if budget <= 0:
                continue
            value = value[:budget]
            budget -= len(value)
        bounded[key] = value
    return bounded


def _orientation(exif: Image.Exif) -> int:
    value = exif.get(ExifTags.Base.Orientation, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _ran_out(data: bytes, stream: io.BytesIO, fmt: str) -> bool:
    """Whether decoding failed because the bytes stop before the file's own structure does."""
    if fmt == "WEBP":  # Pillow reads WebP whole, but its RIFF header says how long it should be
        return int.from_bytes(data[4:8], "little") + 8 > len(data)
    if fmt in iso.FORMATS:  # so are these, but each box says how long it is
        return iso.cut_inside(data) is not None
    ending = _ENDINGS.get(fmt)
    return stream.tell() >= len(data) and not (ending and data.endswith(ending))
