"""The ``provenance`` signal: what the file declares about how it was made.

Content Credentials (C2PA manifests), the IPTC digital source type in XMP, and the text
AI image generators leave in their files. A declaration can be stripped, so finding none
means nothing; one that says "generated" or "composite" is taken at its word.

Start from ``read_provenance`` below; each kind of declaration has its reader:
``credentials`` (C2PA, with ``chain`` and ``validation``), ``source_types`` (IPTC in XMP) and ``generators`` (the text
generators leave).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.signals.metadata.readers import xmp_text
from model.signals.provenance.credentials import content_credentials
from model.signals.provenance.generators import generator_text
from model.signals.provenance.source_types import declared_source_types
from model.signals.result import SignalResult

if TYPE_CHECKING:
    from model.image.decode import DecodedImage


def read_provenance(image: DecodedImage) -> SignalResult:
    """The provenance signal.

    The score is the strongest declaration found: 1.0 when generation or compositing is
    declared (an IPTC source type such as trainedAlgorithmicMedia, a C2PA ``c2pa.placed``
    action, generator parameters or a generator's name where software records itself),
    in Content Credentials by any manifest of the chain (a generator's picture opened and
    signed again by another program is still generated), 0.7 for declared removal of
    content, 0.5 for credentials that are broken or were signed before the file was
    changed, for algorithmic enhancement or digital art, 0.3 or less for ordinary edits,
    0.1 for a generator merely mentioned in a caption or comment, 0.0 for a declared
    camera capture and for a signing certificate that has expired (reported, but it
    changes neither what the credentials declare nor the pixels). ``None`` when the file
    declares nothing. Findings come strongest first: the first is the one a short reply
    shows. ``details["generated"]`` says whether a declaration at full weight says a
    generator made the picture (rather than that it was composited or edited).
    """
    xmp = xmp_text(image)
    evidence = [
        *content_credentials(image),
        *declared_source_types(xmp),
        *generator_text(image, xmp),
    ]
    if not evidence:
        return SignalResult(name="provenance")
    evidence.sort(key=lambda found: found.weight, reverse=True)  # stable: ties keep order
    return SignalResult(
        name="provenance",
        score=evidence[0].weight,
        findings=tuple(dict.fromkeys(found.sentence for found in evidence)),
        details={"generated": any(f.generated and f.weight >= 1.0 for f in evidence)},
    )
