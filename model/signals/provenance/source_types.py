"""IPTC digital source types: how a picture says it was made, in XMP or in a C2PA action,
and the ``Evidence`` every provenance reader returns."""

from __future__ import annotations

import re
from typing import NamedTuple

# IPTC digital source types (the last part of the cv.iptc.org URL, which C2PA uses too):
# how to say it, and how strongly it speaks of an image that is not a plain photograph.
SOURCE_TYPES: dict[str, tuple[str, float]] = {
    "trainedAlgorithmicMedia": ("AI generated", 1.0),
    "compositeWithTrainedAlgorithmicMedia": ("partly AI generated", 1.0),
    "algorithmicMedia": ("computer generated", 1.0),
    "compositeSynthetic": ("a composite with synthetic elements", 1.0),
    "composite": ("a composite", 1.0),
    "compositeCapture": ("a composite of several captures", 1.0),
    "algorithmicallyEnhanced": ("algorithmically enhanced", 0.5),
    "dataDrivenMedia": ("generated from data", 0.5),
    "digitalCreation": ("made on a computer", 0.5),
    "digitalArt": ("made on a computer", 0.5),
    "virtualRecording": ("a recording of a virtual scene", 0.5),
    "humanEdits": ("edited", 0.3),
    "minorHumanEdits": ("lightly edited", 0.1),
    "screenCapture": ("a screen capture", 0.1),
    "digitalCapture": ("a camera capture", 0.0),
    "computationalCapture": ("a camera capture", 0.0),
    "negativeFilm": ("a film scan", 0.0),
    "positiveFilm": ("a film scan", 0.0),
    "print": ("a scan of a print", 0.0),
}
# The types that say a generator made the picture or a part of it, not a person's edit.
GENERATED = {
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
    "algorithmicMedia",
    "compositeSynthetic",
}
_SOURCE_TYPE = re.compile(r"digitalsourcetype/(\w+)", re.IGNORECASE)


class Evidence(NamedTuple):
    """One declaration: the sentence shown to people, how strongly it speaks (0-1), and
    whether it says a generator made the picture (rather than that a person changed it)."""

    sentence: str
    weight: float
    generated: bool = False


def declared_source_types(xmp: str) -> list[Evidence]:
    """IPTC digital source types declared in XMP (Midjourney, Google and others write them)."""
    terms = dict.fromkeys(m.group(1) for m in _SOURCE_TYPE.finditer(xmp))
    return [
        Evidence(
            f"XMP metadata declares the image {SOURCE_TYPES[t][0]} ({t})",
            SOURCE_TYPES[t][1],
            t in GENERATED,
        )
        for t in terms
        if t in SOURCE_TYPES
    ]
