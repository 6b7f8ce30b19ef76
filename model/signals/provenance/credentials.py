"""Content Credentials: what an embedded C2PA manifest store declares, read offline with
c2pa-python and trusted no further than its fields' types."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import c2pa

from model.signals.provenance.source_types import SOURCE_TYPES, Evidence

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
