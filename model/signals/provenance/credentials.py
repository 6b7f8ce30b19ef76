"""Content Credentials: what an embedded C2PA manifest store declares, through the whole
chain of manifests (``chain``) and with its validation in words (``validation``), read
offline with c2pa-python and trusted no further than its fields' types."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import c2pa

from model.signals.provenance.chain import Link, as_list, as_text, walk
from model.signals.provenance.generators import GENERATORS
from model.signals.provenance.source_types import GENERATED, SOURCE_TYPES, Evidence
from model.signals.provenance.validation import INVALID, validation_evidence

if TYPE_CHECKING:
    from model.image.decode import DecodedImage

_MIME = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "TIFF": "image/tiff",
    "AVIF": "image/avif",
    "HEIF": "image/heic",
}
# Read offline: never fetch a manifest or a certificate status from the network.
_OFFLINE = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}

# C2PA actions: the verb before "was" or "had" (for an ingredient), what to say, the
# preposition before the software, and a weight. Placing another image in is compositing;
# colour and size changes are routine.
_ACTIONS: dict[str, tuple[str, str, str, float]] = {
    "c2pa.created": ("was", "created", "by", 0.0),
    "c2pa.opened": ("was", "opened", "in", 0.0),
    "c2pa.placed": ("had", "another image placed into it", "with", 1.0),
    "c2pa.removed": ("had", "content removed", "with", 0.7),
    "c2pa.drawing": ("was", "drawn on", "with", 0.5),
    "c2pa.edited": ("was", "edited", "with", 0.3),
    "c2pa.filtered": ("was", "filtered", "with", 0.3),
    "c2pa.color_adjustments": ("had", "colours adjusted", "with", 0.1),
    "c2pa.cropped": ("was", "cropped", "with", 0.1),
    "c2pa.resized": ("was", "resized", "with", 0.1),
    "c2pa.orientation": ("was", "rotated", "with", 0.0),
}
_CREATED, _OPENED = "c2pa.created", "c2pa.opened"
_ACTION_LABELS = {"c2pa.actions", "c2pa.actions.v2"}
_GENERATOR = " (an AI image generator)"


def content_credentials(image: DecodedImage) -> list[Evidence]:
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
                INVALID,
            )
        ]
    return interpret_manifest_store(store)


def interpret_manifest_store(store: dict[str, Any]) -> list[Evidence]:
    """Evidence from a manifest store as ``c2pa.Reader.json()`` gives it.

    The active manifest (the last one signed) and every manifest its ingredients lead to
    speak for the file: a picture a generator created and another program opened and
    signed again is still generated. The store is untrusted input, so every field is
    type-checked before use.
    """
    links = walk(store)
    if not links:
        return [Evidence("The file carries Content Credentials without a usable manifest", INVALID)]
    found = [evidence for link in links for evidence in _declarations(link)]
    return found + validation_evidence(store, links)


def _declarations(link: Link) -> list[Evidence]:
    """What one manifest says was done, as sentences about what it speaks of. An
    ingredient's "opened" only repeats that there was an earlier version, so it is left out."""
    generator = _generator_name(link.manifest)
    actions = _actions(link.manifest)
    if actions:
        return [
            _describe(action, generator, link.subject)
            for action in actions
            if not link.subject or action.get("action") != _OPENED
        ]
    if link.subject and not generator:
        return []
    said = f"{link.subject} was made" if link.subject else "made"
    sentence = f"Content Credentials say: {said}" + (f" by {generator}" if generator else "")
    if GENERATORS.search(generator):
        return [Evidence(sentence + _GENERATOR, 1.0, generated=True)]
    return [Evidence(sentence, 0.0)]


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    actions = []
    for assertion in as_list(manifest.get("assertions")):
        if not isinstance(assertion, dict):
            continue
        label = str(assertion.get("label", "")).split("__")[0]  # "__1": a repeated assertion
        data = assertion.get("data")
        if label in _ACTION_LABELS and isinstance(data, dict):
            actions += [a for a in as_list(data.get("actions")) if isinstance(a, dict)]
    return actions


def _describe(action: dict[str, Any], generator: str, subject: str) -> Evidence:
    """One action as a sentence: 'Content Credentials say: created by X (AI generated)', or
    of an ingredient, 'Content Credentials say: an earlier version was created by X (...)'.
    A generator named as the software that created the picture counts as a declared AI
    source type would."""
    name = str(action.get("action", "changed"))
    auxiliary, verb, preposition, weight = _ACTIONS.get(
        name, ("was", name.removeprefix("c2pa.").replace("_", " "), "with", 0.2)
    )
    agent = _agent_name(action.get("softwareAgent")) or generator
    said = f"{subject} {auxiliary} {verb}" if subject else verb
    sentence = f"Content Credentials say: {said}" + (f" {preposition} {agent}" if agent else "")
    source = str(action.get("digitalSourceType", "")).rstrip("/").rsplit("/", 1)[-1]
    generated = source in GENERATED
    if source in SOURCE_TYPES:
        phrase, source_weight = SOURCE_TYPES[source]
        sentence += f" ({phrase})"
        weight = max(weight, source_weight)
    elif name == _CREATED and GENERATORS.search(agent):
        sentence += _GENERATOR
        weight, generated = 1.0, True
    return Evidence(sentence, weight, generated)


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
    return as_text(agent.get("name") if isinstance(agent, dict) else agent)
