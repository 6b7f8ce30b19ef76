"""The ``metadata`` signal: what the file's own records say about its history.

Camera fields (EXIF), the editors that saved the file (EXIF, XMP), the JPEG quality and
traces of an earlier JPEG compression under the last one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from model.image import dct
from model.image.jpeg_quality import estimate_quality
from model.signals.result import SignalResult

if TYPE_CHECKING:
    from model.image.decode import DecodedImage

EXIF_IFD = 0x8769
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
# A tool's name is short: an unbounded value took quadratic time on text repeating
# "CreatorTool>" without a "<" (80 KB: seconds).
_XMP_VALUE = r"(?:=\"([^\"]{0,512})\"|='([^']{0,512})'|>([^<]{0,512})<)"


def xmp_property(name: str) -> re.Pattern[str]:
    """A pattern for one XMP property's value, written as attribute or element."""
    return re.compile(re.escape(name) + _XMP_VALUE)


CREATOR_TOOL = xmp_property("CreatorTool")
SOFTWARE_AGENT = xmp_property("softwareAgent")

# Evidence weights, combined as a noisy OR (see ``read_metadata``).
_EDITED, _RESIZED, _RESAVED, _INCOMPLETE, _DOUBLE = 0.25, 0.35, 0.15, 0.1, 0.5

# Double quantisation: low-frequency AC positions (row-major) that keep enough non-zero
# coefficients, histogram bins per position, and the block budget that bounds the work.
_FREQS = np.array([1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4])
_BINS = 24
_MAX_BLOCKS = 4096
_MIN_COUNT = 200
# Earlier qualities tried: lower ones are rare and change no decision on camera photos.
_MIN_EARLIER = 30
# Log-likelihood gain at which the earlier compression is as likely as not.
_EVIDENCE_HALF = 10.0
# Smooth log-envelope of a coefficient histogram over its bins: heavy-tailed, so a log
# term beside the quadratic; the periodic gaps and peaks of double quantisation do not fit it.
_POSITION = np.arange(1, _BINS + 1) / _BINS
_ENVELOPE = np.stack([np.ones(_BINS), _POSITION, _POSITION**2, np.log(_POSITION)], axis=1)


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


def xmp_values(pattern: re.Pattern[str], xmp: str) -> list[str]:
    """Distinct values of one XMP property, written as attribute or element."""
    values = ("".join(g for g in m.groups() if g).strip() for m in pattern.finditer(xmp))
    return list(dict.fromkeys(v for v in values if v))


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


def double_compression(pixels: np.ndarray, luma_table: Sequence[int]) -> tuple[float, int]:
    """Evidence that the luma was quantised before the file's own ``luma_table``.

    Double quantisation (Lukas & Fridrich; Popescu & Farid): coefficients quantised with
    step q1, then with q2, crowd into some multiples of q2 and leave others empty, a
    periodic pattern a single compression cannot make. For each earlier libjpeg quality,
    each position's histogram is fitted with a smooth envelope times that pattern (a
    Poisson model) and compared with the envelope alone. Returns the summed log-likelihood
    gain (deviance) of the best earlier quality, and that quality; 0 when nothing fits better.
    """
    values = _coefficients(pixels)
    steps = np.maximum(np.asarray(luma_table, dtype=np.int64)[_FREQS], 1)  # 0 is invalid
    histograms = [
        np.bincount(np.abs(np.rint(v / q2)).astype(np.int64), minlength=_BINS + 1)[1 : _BINS + 1]
        for v, q2 in zip(values.T, steps, strict=True)
    ]
    return _best_earlier(np.array(histograms), steps)


def _best_earlier(histograms: np.ndarray, steps: np.ndarray) -> tuple[float, int]:
    """``double_compression`` from the (len(_FREQS), _BINS) histograms of |value / step|."""
    counts, offsets, owners = [], [], []
    for f, (histogram, q2) in enumerate(zip(histograms, steps.tolist(), strict=True)):
        if q2 < 2 or histogram.sum() < _MIN_COUNT:
            continue  # step 1 keeps every integer: no earlier step can show through it
        earlier, patterns = _candidates(f, q2)
        counts.append(np.broadcast_to(histogram, (len(patterns) + 1, _BINS)))
        offsets += [np.zeros((1, _BINS)), patterns]
        owners.append((f, earlier))
    if not counts:
        return 0.0, 0
    deviance = _deviance(np.concatenate(counts).astype(np.float64), np.concatenate(offsets))
    gain = np.zeros((len(_FREQS), 256))
    row = 0
    for f, earlier in owners:
        gain[f, earlier] = deviance[row] - deviance[row + 1 : row + 1 + len(earlier)]
        row += 1 + len(earlier)
    standard = _standard_steps()
    joint = gain[np.arange(len(_FREQS)), standard].sum(axis=1)
    best = int(joint.argmax())
    return max(float(joint[best]), 0.0), _MIN_EARLIER + best


def _coefficients(pixels: np.ndarray) -> np.ndarray:
    """(n, len(_FREQS)) luma DCT coefficients of at most ``_MAX_BLOCKS`` blocks.

    Every ``stride``-th row of blocks is used, so the luma is computed only where needed.
    Blocks touching black or white are dropped: clipping moves coefficients off the
    quantisation lattice.
    """
    height, width = pixels.shape[:2]
    rows, cols = height // dct.BLOCK, width // dct.BLOCK
    stride = max(1, -(-rows * cols // _MAX_BLOCKS))
    band = pixels[: rows * dct.BLOCK].reshape(rows, dct.BLOCK, width, 3)[::stride]
    plane = dct.luma(band.reshape(-1, width, 3))
    clipped = dct.to_blocks((plane < 0.5) | (plane > 254.5)).reshape(-1, dct.BLOCK**2).any(axis=1)
    blocks = dct.to_blocks(plane).reshape(-1, dct.BLOCK**2)[~clipped]
    return (blocks - 128.0) @ dct.block_dct_rows(tuple(_FREQS.tolist())).T


@functools.cache
def _standard_steps() -> np.ndarray:
    """(qualities, len(_FREQS)) libjpeg luma steps at qualities _MIN_EARLIER..100."""
    tables = [dct.quant_table(q).reshape(-1)[_FREQS] for q in range(_MIN_EARLIER, 101)]
    return np.stack(tables).astype(np.int64)


@functools.cache
def _candidates(f: int, q2: int) -> tuple[np.ndarray, np.ndarray]:
    """The earlier steps at position ``f`` that leave a pattern under step ``q2`` (a step
    dividing q2 leaves none), and their patterns."""
    kept = [(q1, _log_pattern(q1, q2)) for q1 in np.unique(_standard_steps()[:, f]).tolist()]
    kept = [(q1, pattern) for q1, pattern in kept if pattern.any()]
    return np.array([q1 for q1, _ in kept], dtype=np.int64), np.array(
        [pattern for _, pattern in kept]
    ).reshape(-1, _BINS)


@functools.cache
def _log_pattern(q1: int, q2: int) -> np.ndarray:
    """Log of the share of step-q1 values that land in each step-q2 bin 1.._BINS,
    relative to a single compression (0 everywhere when q1 divides q2: no trace)."""
    k2 = np.arange(1, _BINS + 1)[:, None]
    k1 = np.arange((_BINS + 1) * q2 // q1 + 2)[None, :]
    distance = 2 * np.abs(k1 * q1 - k2 * q2)
    hits = (distance < q2) + 0.5 * (distance == q2)
    # A floor, because pixel rounding between the compressions leaks a little into gaps.
    return np.log(np.maximum(hits.sum(axis=1) * q1 / q2, 0.2))


def _deviance(counts: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Poisson deviance of log(mean) = envelope + offset, per row.

    The fit is weighted least squares on the log counts refined by one Poisson (IRLS)
    step; more steps changed no decision on the camera photos and cost time.
    """
    x = _ENVELOPE
    weight = counts + 0.5
    beta = _solve(weight, x, np.log(weight) - offsets)
    mean = np.exp(np.clip(beta @ x.T + offsets, -30, 30))
    beta = _solve(mean, x, beta @ x.T + (counts - mean) / mean)
    mean = np.exp(np.clip(beta @ x.T + offsets, -30, 30))
    ratio = np.where(counts > 0, counts / mean, 1.0)
    return 2 * (counts * np.log(ratio) - (counts - mean)).sum(axis=1)


def _solve(weight: np.ndarray, x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Row-wise weighted least squares of ``target`` on the columns of ``x``."""
    weighted = weight[..., None] * x
    normal = weighted.transpose(0, 2, 1) @ x + 1e-6 * np.eye(x.shape[1])
    return np.linalg.solve(normal, (weighted * target[..., None]).sum(axis=1)[..., None])[..., 0]
