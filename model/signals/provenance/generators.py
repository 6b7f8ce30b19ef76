"""Generators' traces in a file's text: generation parameters and workflows, and generator
names where a program records itself (a declaration) or in free text (a mere mention)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from PIL import ExifTags

from model.signals.metadata.readers import (
    CREATOR_TOOL,
    EXIF_IFD,
    SOFTWARE_AGENT,
    exif_text,
    xmp_property,
    xmp_values,
)
from model.signals.provenance.source_types import Evidence

if TYPE_CHECKING:
    from model.image.decode import DecodedImage

# Generators by unambiguous name only: free text ("fireflies at dusk") must not match.
GENERATORS = re.compile(
    r"\b(?:midjourney|dall[-·. ]?e(?: ?[23])?|stable[ -]?diffusion|sdxl|novelai|adobe firefly"
    r"|imagen ?[2-4]|ideogram|leonardo\.ai|dreamstudio|craiyon|nightcafe|artbreeder|comfyui"
    r"|automatic1111|invokeai|fooocus|flux\.1|black forest labs|kandinsky|bing image creator"
    r"|gpt-image|gpt-4o)\b",
    re.IGNORECASE,
)
# Stable Diffusion web UI parameters: "Steps: N", later "Sampler: " or "Seed: ". Searched in
# two steps: one pattern with ".*" between them took quadratic time on text repeating
# "Steps: 1" (80 KB: seconds, with the event loop stalled).
_A1111_STEPS = re.compile(r"\bSteps: \d+")
_A1111_LATER = re.compile(r"\b(?:Sampler|Seed): ")
# Text chunks ComfyUI and InvokeAI write next to the picture (Fooocus: _TOOL_KEYS).
_WORKFLOW_KEYS = {"prompt", "workflow", "invokeai_metadata", "invokeai_graph", "sd-metadata"}
_XMP = "xmp"  # a text chunk decode() moved here: searched once, as XMP
# Where a program writes its own name: PNG text keys (NovelAI writes both), the EXIF tag.
# "parameters" and "fooocus_scheme" hold a generation record (A1111, Fooocus).
_TOOL_KEYS = {"Software", "Source", "parameters", "fooocus_scheme"}
# IPTC 2025.1: the AI system that made or changed the picture, by whoever wrote it.
_AI_SYSTEM = xmp_property("AISystemUsed")
# Free text a person writes: a generator's name there may be the picture's subject.
_EXIF_FREE_TEXT = {
    ExifTags.Base.ImageDescription: "ImageDescription",
    ExifTags.Base.Artist: "Artist",
}
_MENTION = 0.1
_USER_COMMENT = 0x9286


def _generation_parameters(text: str) -> bool:
    """Whether ``text`` holds Stable Diffusion web UI generation parameters."""
    steps = _A1111_STEPS.search(text)
    return steps is not None and _A1111_LATER.search(text, steps.end()) is not None


def generator_text(image: DecodedImage, xmp: str) -> list[Evidence]:
    """Generation parameters and generator names in text chunks, comments, EXIF and XMP.

    A name counts as a declaration only where a program records itself (EXIF Software,
    XMP CreatorTool, an edit's softwareAgent or IPTC's AISystemUsed, a PNG's Software,
    Source or generation-record text). In free text (a caption, a keyword, a comment) it
    may be what the photo shows, "the Stable Diffusion talk", so there it is only
    mentioned and weighs next to nothing."""
    declared, mentioned = [], []
    for key, value in image.info.items():
        if key == "comment" and isinstance(value, bytes):  # JPEG and GIF comments
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str) or key == _XMP:
            continue
        if key == "parameters" and _generation_parameters(value):
            declared.append(f"{image.format} text holds Stable Diffusion generation parameters")
        elif key in _WORKFLOW_KEYS and value.lstrip().startswith("{"):
            declared.append(f"{image.format} text holds an AI generation workflow ({key})")
        elif match := GENERATORS.search(value):
            if key in _TOOL_KEYS:
                declared.append(f"{image.format} text ({key}) names {match[0]}")
            else:
                mentioned.append(f"{image.format} text ({key}) mentions {match[0]}")
    if match := GENERATORS.search(exif_text(image.exif.get(ExifTags.Base.Software))):
        declared.append(f"EXIF Software names {match[0]}")
    for tag, field in _EXIF_FREE_TEXT.items():
        if match := GENERATORS.search(exif_text(image.exif.get(tag))):
            mentioned.append(f"EXIF {field} mentions {match[0]}")
    comment = _user_comment(image.exif.get_ifd(EXIF_IFD).get(_USER_COMMENT))
    if _generation_parameters(comment):
        declared.append("EXIF UserComment holds Stable Diffusion generation parameters")
    elif match := GENERATORS.search(comment):
        mentioned.append(f"EXIF UserComment mentions {match[0]}")
    declared += [
        f"XMP metadata names {name} as the AI system used" for name in xmp_values(_AI_SYSTEM, xmp)
    ]
    tools = xmp_values(CREATOR_TOOL, xmp) + xmp_values(SOFTWARE_AGENT, xmp)
    if match := GENERATORS.search("\n".join(tools)):
        declared.append(f"XMP metadata names {match[0]} as the software that made it")
    elif match := GENERATORS.search(xmp):
        mentioned.append(f"XMP metadata mentions {match[0]}")
    return [Evidence(s, 1.0, generated=True) for s in declared] + [
        Evidence(s, _MENTION) for s in mentioned
    ]


def _user_comment(raw: Any) -> str:
    """EXIF UserComment as text: an 8-byte character-code header, then the comment."""
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, bytes):
        return ""
    header, body = raw[:8], raw[8:]
    if header.startswith(b"UNICODE"):
        # UTF-16 in the EXIF block's byte order, which is not recorded here: ASCII text
        # has its zero bytes first in big-endian.
        big = body[0::2].count(0) >= body[1::2].count(0)
        return body.decode("utf-16-be" if big else "utf-16-le", "replace")
    return (body if header.rstrip(b"\x00") in (b"ASCII", b"JIS", b"") else raw).decode("latin-1")
