"""The ``metadata`` signal: what the file's own records say about its history.

Camera fields (EXIF), the editors that saved the file (EXIF, XMP), the JPEG quality and
traces of an earlier JPEG compression under the last one.

Start from ``read_metadata`` below, which weighs the evidence; ``readers`` reads the EXIF
fields and XMP properties (``provenance`` reads through it too), and ``double_compression``
finds the earlier compression.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from model.image.jpeg_quality import estimate_quality
from model.signals.metadata.double_compression import double_compression
from model.signals.metadata.readers import (
    CREATOR_TOOL,
    EXIF_IFD,
    SOFTWARE_AGENT,
    exif_text,
    xmp_text,
    xmp_values,
)
from model.signals.result import SignalResult

if TYPE_CHECKING:
    from model.image.decode import DecodedImage

_MAKE, _MODEL, _SOFTWARE, _DATETIME, _PROCESSING = 0x010F, 0x0110, 0x0131, 0x0132, 0x000B
_DATETIME_ORIGINAL, _PIXEL_X, _PIXEL_Y = 0x9003, 0xA002, 0xA003

# Editors by name; camera firmware strings ("Ver1.00", "E775v1.4u") never match.
EDITORS = re.compile(
    r"\b(?:photoshop|lightroom|camera raw|gimp|snapseed|pixelmator|affinity|paint\.net|canva"
    r"|picsart|facetune|photopea|krita|darktable|rawtherapee|capture one|luminar|acdsee"
    r"|paintshop|corel|fotor|meitu|vsco|photoscape|picasa|photodirector|polarr|pixlr"
    r"|airbrush|befunky|remini|lensa)\b",
    re.IGNORECASE,
)

# Evidence weights, combined as a noisy OR (see ``read_metadata``).
_EDITED, _RESIZED, _RESAVED, _INCOMPLETE, _DOUBLE = 0.25, 0.35, 0.15, 0.1, 0.5
# Log-likelihood gain at which the earlier compression is as likely as not.
_EVIDENCE_HALF = 10.0


def read_metadata(image: DecodedImage) -> SignalResult:
    """The metadata signal.

    Each piece of evidence has a weight, and the score is their noisy OR,
    ``1 - prod(1 - w)``: editing software 0.25 (many honest photos pass through
    Lightroom), size differing from the recorded capture size 0.35, saved again more than
    a day after capture 0.15, incomplete camera fields 0.1, an earlier JPEG compression
    0.5 times its probability. Metadata alone never reaches 1. ``None`` for a non-JPEG
    without EXIF or XMP: there is nothing to judge.
    """
    evidence: list[tuple[str | None, float]] = []
    details: dict[str, Any] = {}
    # decode() has parsed the Exif sub-IFD already, so reading it cannot fail here.
    sub = image.exif.get_ifd(EXIF_IFD)
    xmp = xmp_text(image)
    evidence += _editing(image, xmp, details)
    evidence += _camera_fields(image, sub)
    if image.quantization:
        evidence += _jpeg_history(image, details)
    elif not len(image.exif) and not xmp:
        return SignalResult(name="metadata")
    if not len(image.exif):
        evidence.append(("The file has no EXIF camera data; many sites remove it", 0.0))
    score = 1.0 - float(np.prod([1.0 - weight for _, weight in evidence]))
    findings = tuple(sentence for sentence, _ in evidence if sentence)
    return SignalResult(name="metadata", score=score, findings=findings, details=details)


def _editing(image: DecodedImage, xmp: str, details: dict[str, Any]) -> list[tuple[str, float]]:
    """Editors named by EXIF Software/ProcessingSoftware and by the XMP packet."""
    found = []
    software = exif_text(image.exif.get(_SOFTWARE))
    if software:
        details["software"] = software
        if EDITORS.search(software):
            found.append(f"EXIF Software: {software}")
    processing = exif_text(image.exif.get(_PROCESSING))
    if processing:
        found.append(f"EXIF ProcessingSoftware: {processing}")
    for tool in xmp_values(CREATOR_TOOL, xmp):
        if EDITORS.search(tool):
            found.append(f"XMP CreatorTool: {tool}")
    edited_by = [agent for agent in xmp_values(SOFTWARE_AGENT, xmp) if EDITORS.search(agent)]
    if edited_by:
        found.append(f"XMP edit history names {', '.join(edited_by)}")
    if "photoshop:History" in xmp:
        found.append("XMP holds a Photoshop edit history")
    details["edited"] = bool(found)
    # One editor recorded in several places is one piece of evidence.
    return [(sentence, _EDITED if i == 0 else 0.0) for i, sentence in enumerate(found)]


def _camera_fields(image: DecodedImage, sub: dict[int, Any]) -> list[tuple[str, float]]:
    """Camera fields that are missing or contradict each other or the pixels."""
    found = []
    make, model = exif_text(image.exif.get(_MAKE)), exif_text(image.exif.get(_MODEL))
    if make and not model:
        found.append((f"EXIF names the camera maker ({make}) but no model", _INCOMPLETE))
    if model and not make:
        found.append((f"EXIF names a camera model ({model}) but no maker", _INCOMPLETE))
    recorded = (sub.get(_PIXEL_X), sub.get(_PIXEL_Y))
    height, width = image.pixels.shape[:2]
    valid = all(isinstance(v, int) and v > 0 for v in recorded)
    if valid and recorded not in ((width, height), (height, width)):
        size = f"{recorded[0]}x{recorded[1]} picture but the image is {width}x{height}"
        found.append((f"EXIF records a {size}: it was resized or cropped after capture", _RESIZED))
    saved, taken = _when(image.exif.get(_DATETIME)), _when(sub.get(_DATETIME_ORIGINAL))
    if saved and taken:
        days = (saved - taken).total_seconds() / 86400
        if days > 1:
            found.append(
                (f"The file was saved again {days:.0f} days after the photo was taken", _RESAVED)
            )
        elif days < -1:
            found.append(("EXIF says the file was saved before the photo was taken", _RESAVED))
    return found


def _when(value: Any) -> datetime | None:
    try:
        return datetime.strptime(exif_text(value), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _jpeg_history(image: DecodedImage, details: dict[str, Any]) -> list[tuple[str | None, float]]:
    """JPEG quality, and the evidence of a compression before the last one."""
    estimate = estimate_quality(image.quantization)
    if estimate is None:
        return []
    details["jpeg_quality"] = estimate.quality
    details["quantization_standard"] = estimate.standard
    evidence, earlier = double_compression(image.pixels, image.quantization[0])
    probability = evidence / (evidence + _EVIDENCE_HALF)
    details["double_compression"] = round(probability, 4)
    if probability < 0.5:
        return [(None, _DOUBLE * probability)]
    details["earlier_quality"] = earlier
    sentence = f"Signs of an earlier JPEG compression at about quality {earlier}"
    return [(sentence, _DOUBLE * probability)]
