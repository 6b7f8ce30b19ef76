"""Readers of what a file records about itself: EXIF fields and XMP properties, as
``decode`` left them. The ``metadata`` and ``provenance`` signals both read through here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.image.decode import DecodedImage

EXIF_IFD = 0x8769

# A tool's name is short: an unbounded value took quadratic time on text repeating
# "CreatorTool>" without a "<" (80 KB: seconds).
_XMP_VALUE = r"(?:=\"([^\"]{0,512})\"|='([^']{0,512})'|>([^<]{0,512})<)"


def xmp_property(name: str) -> re.Pattern[str]:
    """A pattern for one XMP property's value, written as attribute or element."""
    return re.compile(re.escape(name) + _XMP_VALUE)


CREATOR_TOOL = xmp_property("CreatorTool")
SOFTWARE_AGENT = xmp_property("softwareAgent")


def xmp_text(image: DecodedImage) -> str:
    """The XMP packet, as ``decode`` found it (within its text budget)."""
    packet = image.info.get("xmp")
    if not packet:
        return ""
    return packet.decode("utf-8", "replace") if isinstance(packet, bytes) else str(packet)


def exif_text(value: Any) -> str:
    """An EXIF string field without the padding some cameras leave in it."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def xmp_values(pattern: re.Pattern[str], xmp: str) -> list[str]:
    """Distinct values of one XMP property, written as attribute or element."""
    values = ("".join(g for g in m.groups() if g).strip() for m in pattern.finditer(xmp))
    return list(dict.fromkeys(v for v in values if v))
