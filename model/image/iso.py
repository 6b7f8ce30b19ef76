"""The boxes of ISO base media files, the container AVIF and HEIC pictures come in.

Read before any library parses the file, so that ``limits`` can refuse it first: which codec
the brands name, the size each picture declares and how many bytes of EXIF there are. A box
is a 32-bit size, a four-letter type and a body; a "full" box's body opens with a version
byte and three bytes of flags. Reading takes a Python step per box or item, so no list of
more than ``max_iso_boxes`` is read: 20 MB of empty boxes took 1.2 s to walk.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterator
from typing import NamedTuple

from model import errors

# Brands naming the codec: AV1 (AVIF, still and sequence) or HEVC (HEIC, what phones save).
# Other ISO media (MP4 and QuickTime videos, JPEG or AVC in HEIF) are not read here.
_BRANDS = dict.fromkeys((b"avif", b"avis"), "AVIF") | dict.fromkeys(
    (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"), "HEIF"
)
FORMATS = frozenset(_BRANDS.values())
# An ftyp box lists a handful of brands; a longer list is read no further than this.
_MAX_FTYP_BYTES = 256
_FULL_BOXES = {b"meta", b"iinf", b"iloc"}


class Box(NamedTuple):
    kind: bytes
    body: int  # where its body starts
    end: int  # where it says it ends, which may be past the data


def format_named(data: bytes) -> str | None:
    """ "AVIF" or "HEIF" as the file type box's brands name it (the major brand first, then
    the compatible ones), else None."""
    if data[4:8] != b"ftyp":
        return None
    end = min(int.from_bytes(data[:4], "big"), len(data), _MAX_FTYP_BYTES)
    brands = [data[8:12]] + [data[at : at + 4] for at in range(16, end - 3, 4)]
    return next((_BRANDS[brand] for brand in brands if brand in _BRANDS), None)


def boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[Box]:
    """The boxes from ``start`` to ``end`` (the data's end), in order, up to one too short
    to hold its own header."""
    end = len(data) if end is None else end
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        body = start + 8
        if size == 1 and body + 8 <= end:  # a 64-bit size follows the type
            (size,) = struct.unpack_from(">Q", data, body)
            body += 8
        elif size == 0:  # the last box, running to the end
            size = end - start
        if size < body - start:
            return
        yield Box(kind, body, start + size)
        start += size


def cut_inside(data: bytes) -> bytes | None:
    """The type of the box the data stops inside (or what there is of it, in a header cut
    short), if it does. The top level was walked already, within ``max_iso_boxes``, by
    ``limits``."""
    end, kind = 0, None
    for end, kind in ((box.end, box.kind) for box in boxes(data)):
        pass
    if end > len(data):
        return kind
    return data[end + 4 : end + 8] if 0 < len(data) - end < 8 else None


def metadata(data: bytes, max_boxes: int) -> Box | None:
    """The file's metadata box, which describes every picture in it."""
    return _child(data, Box(b"", 0, len(data)), b"meta", max_boxes)


def declared_sizes(data: bytes, meta: Box, max_boxes: int) -> Iterator[tuple[int, int]]:
    """Width and height of each picture (its ispe property): the whole picture, each tile of
    a grid, thumbnails, depth maps, as coded (before any crop)."""
    properties = _child(data, meta, b"iprp", max_boxes)
    container = properties and _child(data, properties, b"ipco", max_boxes)
    for box in _children(data, container, max_boxes) if container else ():
        if box.kind == b"ispe" and box.body + 12 <= min(box.end, len(data)):
            yield struct.unpack_from(">II", data, box.body + 4)


def exif_bytes(data: bytes, meta: Box, max_boxes: int) -> int:
    """Bytes of the file's EXIF items, as their locations (the iloc box) say."""
    info = _child(data, meta, b"iinf", max_boxes)
    locations = _child(data, meta, b"iloc", max_boxes)
    exif = set(_items_of_type(data, info, b"Exif", max_boxes)) if info else set()
    if not exif or not locations:
        return 0
    try:
        return _length_of(data, locations, exif, max_boxes)
    except (struct.error, IndexError):  # a location list cut short: the library says so
        return 0


def _children(data: bytes, box: Box, max_boxes: int) -> list[Box]:
    start = box.body + (4 if box.kind in _FULL_BOXES else 0)
    children = list(itertools.islice(boxes(data, start, min(box.end, len(data))), max_boxes + 1))
    _check_count(len(children), max_boxes)
    return children


def _child(data: bytes, box: Box, kind: bytes, max_boxes: int) -> Box | None:
    return next((child for child in _children(data, box, max_boxes) if child.kind == kind), None)


def _check_count(count: int, max_boxes: int) -> None:
    if count > max_boxes:
        raise errors.ImageTooLarge(
            f"The file lists more than {max_boxes:,} boxes or items in one place; a photo's "
            "lists a few hundred at most."
        )


def _items_of_type(data: bytes, info: Box, kind: bytes, max_boxes: int) -> Iterator[int]:
    """Ids of the items of type ``kind`` in the item information box (its entries of
    version 2 and 3: earlier ones name no type)."""
    version = data[info.body] if info.body < len(data) else 0
    entries = Box(b"", info.body + 4 + (2 if version == 0 else 4), info.end)
    for entry in _children(data, entries, max_boxes):
        if entry.kind != b"infe" or entry.body + 12 > min(entry.end, len(data)):
            continue
        if data[entry.body] == 2:
            item, _, item_kind = struct.unpack_from(">HH4s", data, entry.body + 4)
        elif data[entry.body] == 3:
            item, _, item_kind = struct.unpack_from(">IH4s", data, entry.body + 4)
        else:
            continue
        if item_kind == kind:
            yield item


def _length_of(data: bytes, locations: Box, items: set[int], max_boxes: int) -> int:
    """The sum of the lengths of ``items``' extents (ISO/IEC 14496-12, 8.11.3), read up to
    the last of them; the other items' extents are stepped over without reading them."""
    version, sizes = data[locations.body], data[locations.body + 4 : locations.body + 6]
    offset, length, base, index = sizes[0] >> 4, sizes[0] & 15, sizes[1] >> 4, sizes[1] & 15
    extent_size = offset + length + (index if version else 0)
    id_format = ">H" if version < 2 else ">I"
    id_size = struct.calcsize(id_format)
    (count,) = struct.unpack_from(id_format, data, locations.body + 6)
    _check_count(count, max_boxes)
    at, left, total = locations.body + 6 + id_size, set(items), 0
    for _ in range(count):
        if not left or at > locations.end:
            break
        (item,) = struct.unpack_from(id_format, data, at)
        at += id_size + (4 if version else 2) + base  # method, data reference, base offset
        (extents,) = struct.unpack_from(">H", data, at)
        at += 2
        if item in left:
            left.discard(item)
            for n in range(1, extents + 1):  # with no lengths, each runs to the end of the file
                end = at + n * extent_size
                total += int.from_bytes(data[end - length : end], "big") if length else len(data)
        at += extents * extent_size
    return total
