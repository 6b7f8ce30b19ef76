"""The ``provenance`` signal: what the file declares about how it was made.

Content Credentials (C2PA manifests), the IPTC digital source type in XMP, and the text
AI image generators leave in their files. A declaration can be stripped, so finding none
means nothing; one that says "generated" or "composite" is taken at its word.
"""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING, Any, NamedTuple

import c2pa
from PIL import ExifTags

from model.signals.metadata.readers import (
    CREATOR_TOOL,
    EXIF_IFD,
    SOFTWARE_AGENT,
    exif_text,
    xmp_property,
    xmp_text,
    xmp_values,
)
from model.signals.result import SignalResult

if TYPE_CHECKING:
    from model.image.decode import DecodedImage

_MIME = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
}
# Read offline: never fetch a manifest or a certificate status from the network.
_OFFLINE = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}

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
_SOURCE_TYPE = re.compile(r"digitalsourcetype/(\w+)", re.IGNORECASE)

# C2PA actions: what to say, the preposition before the software, and a weight.
# Placing another image in is compositing; colour and size changes are routine.
_ACTIONS: dict[str, tuple[str, str, float]] = {
    "c2pa.created": ("created", "by", 0.0),
    "c2pa.opened": ("opened", "in", 0.0),
    "c2pa.placed": ("another image placed into it", "with", 1.0),
    "c2pa.removed": ("content removed", "with", 0.7),
    "c2pa.drawing": ("drawn on", "with", 0.5),
    "c2pa.edited": ("edited", "with", 0.3),
    "c2pa.filtered": ("filtered", "with", 0.3),
    "c2pa.color_adjustments": ("colours adjusted", "with", 0.1),
    "c2pa.cropped": ("cropped", "with", 0.1),
    "c2pa.resized": ("resized", "with", 0.1),
    "c2pa.orientation": ("rotated", "with", 0.0),
}
_ACTION_LABELS = {"c2pa.actions", "c2pa.actions.v2"}
_INVALID = 0.5

# Generators by unambiguous name only: free text ("fireflies at dusk") must not match.
GENERATORS = re.compile(
    r"\b(?:midjourney|dall[-·. ]?e(?: ?[23])?|stable[ -]?diffusion|sdxl|novelai|adobe firefly"
    r"|imagen ?[2-4]|ideogram|leonardo\.ai|dreamstudio|craiyon|nightcafe|artbreeder|comfyui"
    r"|automatic1111|invokeai|fooocus|flux\.1|black forest labs|kandinsky|bing image creator"
    r"|gpt-image)\b",
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


class Evidence(NamedTuple):
    sentence: str
    weight: float


def read_provenance(image: DecodedImage) -> SignalResult:
    """The provenance signal.

    The score is the strongest declaration found: 1.0 when generation or compositing is
    declared (an IPTC source type such as trainedAlgorithmicMedia, a C2PA ``c2pa.placed``
    action, generator parameters or a generator's name where software records itself),
    0.7 for declared removal of content, 0.5 for credentials that are present but invalid,
    for algorithmic enhancement or digital art, 0.3 or less for ordinary edits, 0.1 for a
    generator merely mentioned in a caption or comment, 0.0 for a declared camera
    capture. ``None`` when the file declares nothing.
    """
    xmp = xmp_text(image)
    evidence = [
        *_content_credentials(image),
        *_declared_source_types(xmp),
        *_generator_text(image, xmp),
    ]
    if not evidence:
        return SignalResult(name="provenance")
    return SignalResult(
        name="provenance",
        score=max(weight for _, weight in evidence),
        findings=tuple(dict.fromkeys(sentence for sentence, _ in evidence)),
    )


def _content_credentials(image: DecodedImage) -> list[Evidence]:
    """Evidence from an embedded C2PA manifest store (a JUMBF box, hence the quick test)."""
    mime = _MIME.get(image.format)
    if mime is None or b"jumb" not in image.data:
        return []
    try:
        with (
            c2pa.Settings.from_dict(_OFFLINE) as settings,
            c2pa.Context(settings) as context,
        ):
            reader = c2pa.Reader.try_create(mime, io.BytesIO(image.data), None, context)
            if reader is None:
                return []
            with reader:
                store = json.loads(reader.json())
    except (c2pa.C2paError, ValueError):
        return [
            Evidence(
                "The file carries Content Credentials, but they are invalid and cannot be read",
                _INVALID,
            )
        ]
    return interpret_manifest_store(store)


def interpret_manifest_store(store: dict[str, Any]) -> list[Evidence]:
    """Evidence from a manifest store as ``c2pa.Reader.json()`` gives it.

    Only the active manifest (the last one signed) speaks for the file. The store is
    untrusted input, so every field is type-checked before use.
    """
    manifests, label = store.get("manifests"), store.get("active_manifest")
    active = (
        manifests.get(label) if isinstance(manifests, dict) and isinstance(label, str) else None
    )
    if not isinstance(active, dict):
        return [
            Evidence("The file carries Content Credentials without a usable manifest", _INVALID)
        ]
    generator = _generator_name(active)
    found = [_describe(action, generator) for action in _actions(active)]
    if not found:
        made_with = f" by {generator}" if generator else ""
        found.append(Evidence(f"Content Credentials say: made{made_with}", 0.0))
    if store.get("validation_state") == "Invalid":
        found.append(Evidence(_invalid_sentence(store.get("validation_status")), _INVALID))
    return found


def _invalid_sentence(statuses: Any) -> str:
    """Why validation failed. Every signer is "untrusted" here (no trust list is loaded
    offline), so that code says nothing about this file and is left out."""
    codes = [str(s.get("code")) for s in _list(statuses) if isinstance(s, dict) and s.get("code")]
    codes = [code for code in codes if code != "signingCredential.untrusted"]
    if any(code.endswith(".mismatch") for code in codes):
        return "The file was changed after its Content Credentials were signed"
    return f"The Content Credentials fail validation ({', '.join(codes) or 'no reason given'})"


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    actions = []
    for assertion in _list(manifest.get("assertions")):
        if not isinstance(assertion, dict):
            continue
        label = str(assertion.get("label", "")).split("__")[0]  # "__1": a repeated assertion
        data = assertion.get("data")
        if label in _ACTION_LABELS and isinstance(data, dict):
            actions += [a for a in _list(data.get("actions")) if isinstance(a, dict)]
    return actions


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _describe(action: dict[str, Any], generator: str) -> Evidence:
    """One action as a sentence: 'Content Credentials say: created by X (AI generated)'."""
    name = str(action.get("action", "changed"))
    verb, preposition, weight = _ACTIONS.get(
        name, (name.removeprefix("c2pa.").replace("_", " "), "with", 0.2)
    )
    agent = _agent_name(action.get("softwareAgent")) or generator
    sentence = f"Content Credentials say: {verb}" + (f" {preposition} {agent}" if agent else "")
    source = str(action.get("digitalSourceType", "")).rstrip("/").rsplit("/", 1)[-1]
    if source in SOURCE_TYPES:
        phrase, source_weight = SOURCE_TYPES[source]
        sentence += f" ({phrase})"
        weight = max(weight, source_weight)
    return Evidence(sentence, weight)


def _generator_name(manifest: dict[str, Any]) -> str:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info:
        name = _agent_name(info[0])
        if name:
            return name
    claim_generator = manifest.get("claim_generator")
    # Version 1 claims say "Adobe_Firefly/1.0 c2pa-rs/0.25": the first product is the app.
    if isinstance(claim_generator, str) and claim_generator.strip():
        return claim_generator.split()[0].split("/")[0].replace("_", " ")
    return ""


def _agent_name(agent: Any) -> str:
    if isinstance(agent, dict):
        agent = agent.get("name")
    return agent.strip() if isinstance(agent, str) else ""


def _declared_source_types(xmp: str) -> list[Evidence]:
    """IPTC digital source types declared in XMP (Midjourney, Google and others write them)."""
    terms = dict.fromkeys(m.group(1) for m in _SOURCE_TYPE.finditer(xmp))
    return [
        Evidence(f"XMP metadata declares the image {SOURCE_TYPES[t][0]} ({t})", SOURCE_TYPES[t][1])
        for t in terms
        if t in SOURCE_TYPES
    ]


def _generation_parameters(text: str) -> bool:
    """Whether ``text`` holds Stable Diffusion web UI generation parameters."""
    steps = _A1111_STEPS.search(text)
    return steps is not None and _A1111_LATER.search(text, steps.end()) is not None


def _generator_text(image: DecodedImage, xmp: str) -> list[Evidence]:
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
    return [Evidence(s, 1.0) for s in declared] + [Evidence(s, _MENTION) for s in mentioned]


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
