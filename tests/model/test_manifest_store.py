"""Content Credentials as ``c2pa.Reader.json()`` gives them, built by hand: chains of
manifests, including circular and endless ones, and both forms of validation results."""

from __future__ import annotations

import pytest

from model.signals.provenance.credentials import interpret_manifest_store
from tests.model.test_provenance import IPTC

GPT4O = "Content Credentials say: an earlier version was created by GPT-4o (AI generated)"


def manifest(*actions: dict, ingredients: tuple[tuple[str, str], ...] = (), **fields) -> dict:
    """A manifest as ``c2pa.Reader.json()`` gives it, with ``actions`` and ``ingredients``
    given as (relationship, label of the ingredient's manifest)."""
    return {
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": list(actions)}}],
        "ingredients": [
            {"relationship": relationship, "active_manifest": label}
            for relationship, label in ingredients
        ],
        **fields,
    }


def store_of(manifests: dict[str, dict], **store: object) -> dict:
    """A manifest store whose active manifest is ``urn:0``."""
    return {"active_manifest": "urn:0", "manifests": manifests, **store}


def manifest_store(*actions: dict, **fields: object) -> dict:
    return store_of({"urn:0": manifest(*actions, **fields)}, validation_state="Valid")


def test_interpret_manifest_store() -> None:
    placed = manifest_store(
        {"action": "c2pa.opened"},
        {"action": "c2pa.placed", "softwareAgent": {"name": "Adobe Photoshop", "version": "25"}},
        claim_generator="Adobe_Photoshop/25.0 c2pa-rs/0.25",
    )
    assert [e.sentence for e in interpret_manifest_store(placed)] == [
        "Content Credentials say: opened in Adobe Photoshop",
        "Content Credentials say: another image placed into it with Adobe Photoshop",
    ]
    assert max(e.weight for e in interpret_manifest_store(placed)) == 1.0
    edited = manifest_store({"action": "c2pa.color_adjustments"}, claim_generator="Lightroom")
    assert interpret_manifest_store(edited)[0].weight < 0.3
    bare = manifest_store(claim_generator_info=[{"name": "Leica M11-P"}])
    assert [e.sentence for e in interpret_manifest_store(bare)] == [
        "Content Credentials say: made by Leica M11-P"
    ]


OPENED = {"action": "c2pa.opened"}
CREATED_BY_GPT4O = {
    "action": "c2pa.created",
    "softwareAgent": "GPT-4o",
    "digitalSourceType": IPTC + "trainedAlgorithmicMedia",
}


def sentences(store: dict) -> list[str]:
    return [evidence.sentence for evidence in interpret_manifest_store(store)]


def said(store: dict) -> dict[str, float]:
    """Each sentence read from the store with its weight."""
    return {evidence.sentence: evidence.weight for evidence in interpret_manifest_store(store)}


@pytest.mark.timeout(30)
def test_circular_and_endless_chains_are_read_within_bounds() -> None:
    circle = store_of(
        {
            "urn:0": manifest(OPENED, ingredients=(("parentOf", "urn:1"),)),
            "urn:1": manifest(
                CREATED_BY_GPT4O, ingredients=(("parentOf", "urn:0"), ("componentOf", "urn:1"))
            ),
        }
    )
    assert sentences(circle) == ["Content Credentials say: opened", GPT4O]
    endless = 100_000
    deep = store_of(
        {
            f"urn:{i}": manifest(
                CREATED_BY_GPT4O if i == 1 else OPENED, ingredients=(("parentOf", f"urn:{i + 1}"),)
            )
            for i in range(endless)
        }
    )
    assert sentences(deep)[:2] == ["Content Credentials say: opened", GPT4O]
    parts = tuple(("componentOf", f"urn:{i}") for i in range(1, endless))
    wide = store_of(
        {"urn:0": manifest(OPENED, ingredients=parts)}
        | {f"urn:{i}": manifest(CREATED_BY_GPT4O) for i in range(1, endless)}
    )
    found = sentences(wide)
    assert (
        "Content Credentials say: a part of the image was created by GPT-4o (AI generated)" in found
    )
    assert len(found) < 100


def test_a_generator_named_as_the_software_declares_generation() -> None:
    midjourney = {"action": "c2pa.created", "softwareAgent": {"name": "Midjourney"}}
    cases = {
        "Content Credentials say: created by Midjourney (an AI image generator)": 1.0,
        "Content Credentials say: made by Midjourney (an AI image generator)": 1.0,
        "Content Credentials say: opened in Adobe Firefly": 0.0,  # opening is not making
    }
    stores = (
        manifest_store(midjourney),
        manifest_store(claim_generator="Midjourney/6.1"),
        manifest_store(OPENED, claim_generator_info=[{"name": "Adobe Firefly"}]),
    )
    for (sentence, weight), store in zip(cases.items(), stores, strict=True):
        [evidence] = interpret_manifest_store(store)
        assert (evidence.sentence, evidence.weight) == (sentence, weight)
        assert evidence.generated == (weight == 1.0)  # made by a generator, not opened


def test_edits_recorded_by_earlier_versions_count() -> None:
    placed = {"action": "c2pa.placed", "softwareAgent": "Adobe Photoshop"}
    edited = store_of(
        {
            "urn:0": manifest(OPENED, ingredients=(("parentOf", "urn:1"), ("inputTo", "urn:2"))),
            "urn:1": manifest(OPENED, placed, {"action": "c2pa.color_adjustments"}),
            "urn:2": manifest({"action": "c2pa.created", "softwareAgent": "DALL-E"}),
        }
    )
    assert said(edited) == {
        "Content Credentials say: opened": 0.0,
        "Content Credentials say: an earlier version had another image placed into it "
        "with Adobe Photoshop": 1.0,
        "Content Credentials say: an earlier version had colours adjusted": 0.1,
        "Content Credentials say: an image used to make it was created by DALL-E "
        "(an AI image generator)": 1.0,
    }


def failure(code: str, label: str) -> dict:
    return {"code": code, "url": f"self#jumbf=/c2pa/{label}/c2pa.signature", "explanation": ""}


def test_validation_is_read_manifest_by_manifest() -> None:
    # Both forms c2pa gives: the older validation_status list and validation_results.
    signed = {"issuer": "OpenAI", "common_name": "Truepic Lens CLI in Sora"}
    store = store_of(
        {
            "urn:0": manifest(OPENED, ingredients=(("parentOf", "urn:1"),), signature_info=signed),
            "urn:1": manifest(CREATED_BY_GPT4O),
        },
        validation_state="Invalid",
        validation_status=[
            failure("signingCredential.untrusted", "urn:0"),
            failure("assertion.hashedURI.mismatch", "urn:0"),
            failure("assertion.bmffHash.mismatch", "urn:0"),
        ],
        validation_results={
            "activeManifest": {
                "success": [failure("claimSignature.validated", "urn:0")],
                "failure": [
                    failure("assertion.bmffHash.mismatch", "urn:0"),
                    failure("signingCredential.expired", "urn:0"),
                    failure("timeStamp.mismatch", "urn:0"),
                ],
            },
            "ingredientDeltas": [
                {
                    "validationDeltas": {
                        "failure": [
                            failure("assertion.dataHash.mismatch", "urn:1"),
                            failure("signingCredential.revoked", "urn:1"),
                        ]
                    }
                }
            ],
        },
    )
    assert said(store) == {
        "Content Credentials say: opened": 0.0,
        GPT4O: 1.0,
        "The file was changed after its Content Credentials were signed": 0.5,
        "The Content Credentials were signed by OpenAI (Truepic Lens CLI in Sora); the "
        "certificate has expired; the time stamp fails a check (timeStamp.mismatch)": 0.0,
        "The Content Credentials fail validation (assertion.hashedURI.mismatch)": 0.5,
        "An earlier version was changed after its Content Credentials were signed": 0.5,
        "The Content Credentials of an earlier version: the certificate has been revoked": 0.0,
    }


@pytest.mark.parametrize(
    "store",
    [
        {},
        {
            "active_manifest": "a",
            "manifests": {
                "a": {
                    "ingredients": [
                        5,
                        {"active_manifest": ["a"]},
                        {"active_manifest": "b", "relationship": ["x"]},
                        {"active_manifest": "missing", "validation_status": 3},
                    ],
                    "signature_info": [1],
                },
                "b": {"assertions": "x", "ingredients": {"a": 1}},
            },
            "validation_results": 5,
            "validation_status": [{"code": "signingCredential.expired", "url": 5}, 7],
        },
        {
            **manifest_store(),
            "validation_results": {
                "activeManifest": [],
                "ingredientDeltas": [
                    5,
                    {"validationDeltas": 7},
                    {"validationDeltas": {"failure": [5, {"code": 5}]}},
                ],
            },
        },
        {"manifests": [], "active_manifest": 3},
        {"active_manifest": "a", "manifests": {"a": {"assertions": [7, {"label": None}]}}},
        {"active_manifest": "a", "manifests": {"a": {"assertions": [{"label": "c2pa.actions"}]}}},
        manifest_store("junk", {"action": 5, "softwareAgent": ["x"], "digitalSourceType": 1}),
        {**manifest_store(), "validation_state": "Invalid", "validation_status": "nonsense"},
        {**manifest_store(), "validation_state": "Invalid", "validation_status": 5},
        {"active_manifest": ["a"], "manifests": {"a": {}}},
        {"active_manifest": "a", "manifests": {"a": {"assertions": 5}}},
        {
            "active_manifest": "a",
            "manifests": {"a": {"assertions": [{"label": "c2pa.actions", "data": {"actions": 5}}]}},
        },
    ],
)
def test_interpret_manifest_store_survives_junk(store: dict) -> None:
    for evidence in interpret_manifest_store(store):
        assert evidence.sentence and 0.0 <= evidence.weight <= 1.0
