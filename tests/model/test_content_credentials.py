"""Content Credentials in files signed here with c2pa-python's own builder: chains of
manifests, expired certificates, files changed after signing.

The signed manifests use a throwaway CA and signer made with ``cryptography`` (a
dependency of c2pa-python): c2pa refuses self-signed signing certificates, not a chain.
"""

from __future__ import annotations

import datetime
import io
import struct
import time
from collections.abc import Callable
from typing import TypeVar

import c2pa
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from model.config import DecodeConfig
from model.image.decode import decode
from model.signals.provenance import read_provenance
from model.verdict import NO_EVIDENCE
from tests.images import jpeg, scene
from tests.model.test_bands import judged
from tests.model.test_manifest_store import GPT4O
from tests.model.test_provenance import IPTC


def certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    ca_key: ec.EllipticCurvePrivateKey,
    expires: datetime.datetime | None = None,
) -> x509.Certificate:
    """A CA certificate when ``issuer`` is None, else a C2PA signing certificate it issues,
    valid for a week unless it ``expires`` sooner."""
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, subject),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "FakeCheck tests"),
        ]
    )
    is_ca = issuer is None
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name if is_ca else issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(expires or now + datetime.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
    return builder.sign(ca_key, hashes.SHA256())


T = TypeVar("T")
_LIFETIME_S = 5  # long enough to sign a few files on a busy machine


def signer(expires: datetime.datetime | None = None) -> c2pa.C2paSignerInfo:
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("FakeCheck test CA", ca_key, None, ca_key)
    leaf = certificate("FakeCheck test signer", key, ca, ca_key, expires)
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, ca))
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, private, None)


@pytest.fixture(scope="module")
def signer_info() -> c2pa.C2paSignerInfo:
    return signer()


def signed_then_expired(sign_all: Callable[[c2pa.C2paSignerInfo], T]) -> T:
    """What ``sign_all`` signs with a certificate that expires seconds later, once it has.

    c2pa-rs refuses to sign with a certificate that is not valid at that moment
    (``cose_sign`` checks the end-entity certificate's validity at the current time: "the
    certificate was not valid at time of signing"), so an expired one is had by waiting.
    """
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=_LIFETIME_S)
    signed = sign_all(signer(expires))
    time.sleep((expires - datetime.datetime.now(datetime.UTC)).total_seconds() + 1.0)
    return signed


def sign(
    manifest: dict, picture: bytes, info: c2pa.C2paSignerInfo, *ingredients: tuple[dict, bytes]
) -> bytes:
    """``picture`` (a JPEG) signed with ``manifest`` and its signed ``ingredients``, each an
    ingredient's description and its JPEG."""
    signed = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer_, c2pa.Builder(manifest) as builder:
        for description, data in ingredients:
            builder.add_ingredient(description, "image/jpeg", io.BytesIO(data))
        builder.sign(signer_, "image/jpeg", io.BytesIO(picture), signed)
    return signed.getvalue()


def actions_manifest(app: str, *actions: dict) -> dict:
    return {
        "claim_generator_info": [{"name": app, "version": "1.0"}],
        "title": "image.jpg",
        "format": "image/jpeg",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": list(actions)}}],
    }


def gpt4o_chain(info: c2pa.C2paSignerInfo, picture: bytes) -> bytes:
    """What ChatGPT hands out: a picture GPT-4o created, opened and signed again by ChatGPT,
    the creation declared only in the manifest of its ``parentOf`` ingredient."""
    created = {
        "action": "c2pa.created",
        "softwareAgent": {"name": "GPT-4o"},
        "digitalSourceType": IPTC + "trainedAlgorithmicMedia",
    }
    parent = sign(actions_manifest("ChatGPT", created), picture, info)
    opened = {
        "action": "c2pa.opened",
        "softwareAgent": {"name": "ChatGPT"},
        "parameters": {"ingredientIds": ["parent"]},
    }
    ingredient = {"title": "image.png", "relationship": "parentOf", "label": "parent"}
    return sign(actions_manifest("ChatGPT", opened), picture, info, (ingredient, parent))


def scan_start(data: bytes) -> int:
    """Where a JPEG's first scan begins, found by walking its segments: the manifest's
    thumbnail, a JPEG too, holds scan markers of its own."""
    at = 2
    while data[at + 1] != 0xDA:
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    return at


def with_pixels_of(signed: bytes, other: bytes) -> bytes:
    """``signed`` with the scan of ``other``, a JPEG of the same size and quality (so the
    same tables): other pixels under the same Content Credentials."""
    return signed[: scan_start(signed)] + other[scan_start(other) :]


def signed_jpeg(signer_info: c2pa.C2paSignerInfo, source_type: str) -> bytes:
    created = {"action": "c2pa.created", "digitalSourceType": IPTC + source_type}
    return sign(actions_manifest("Adobe Firefly", created), jpeg(scene(2), 90), signer_info)


def test_signed_content_credentials(signer_info: c2pa.C2paSignerInfo) -> None:
    result = read_provenance(
        decode(signed_jpeg(signer_info, "trainedAlgorithmicMedia"), DecodeConfig())
    )
    assert result.findings == ("Content Credentials say: created by Adobe Firefly (AI generated)",)
    assert result.score == 1.0


def test_content_credentials_of_a_changed_file(signer_info: c2pa.C2paSignerInfo) -> None:
    changed = with_pixels_of(signed_jpeg(signer_info, "digitalCapture"), jpeg(scene(3), 90))
    result = read_provenance(decode(changed, DecodeConfig()))
    assert result.findings == (
        "The file was changed after its Content Credentials were signed",
        "Content Credentials say: created by Adobe Firefly (a camera capture)",
    )
    assert result.score == 0.5


EXPIRED = (
    "The Content Credentials were signed by FakeCheck tests (FakeCheck test signer); "
    "the certificate has expired"
)


@pytest.fixture(scope="module")
def expired() -> dict[str, bytes]:
    """Files whose signing certificate has expired since they were signed."""
    return signed_then_expired(
        lambda info: {
            "chain": gpt4o_chain(info, jpeg(scene(2), 90)),
            "capture": sign(
                actions_manifest(
                    "Leica M11-P",
                    {"action": "c2pa.created", "digitalSourceType": IPTC + "digitalCapture"},
                ),
                jpeg(scene(4), 90),
                info,
            ),
        }
    )


def test_a_generators_picture_opened_again_reads_as_generated(expired: dict[str, bytes]) -> None:
    # ChatGPT's pictures: the active manifest only opens the picture GPT-4o created, and the
    # certificate that signed both has expired since. Neither hides the generation.
    result = read_provenance(decode(expired["chain"], DecodeConfig()))
    assert result.score == 1.0
    assert result.findings[0] == GPT4O
    assert "Content Credentials say: opened in ChatGPT" in result.findings
    assert EXPIRED in result.findings
    assert not any("fail validation" in finding for finding in result.findings)


def test_an_expired_certificate_is_not_an_edit(expired: dict[str, bytes]) -> None:
    result = read_provenance(decode(expired["capture"], DecodeConfig()))
    assert result.findings == (
        "Content Credentials say: created by Leica M11-P (a camera capture)",
        EXPIRED,
    )
    assert result.score == 0.0
    decision = judged(provenance=result)  # every other signal clean
    assert decision.band == NO_EVIDENCE
    assert EXPIRED in decision.reasons


def test_pixels_changed_after_signing_say_so(expired: dict[str, bytes]) -> None:
    changed = with_pixels_of(expired["chain"], jpeg(scene(5), 90))
    result = read_provenance(decode(changed, DecodeConfig()))
    assert result.findings[:2] == (
        GPT4O,
        "The file was changed after its Content Credentials were signed",
    )
    assert EXPIRED in result.findings


def test_a_generated_part_reads_as_partly_generated(signer_info: c2pa.C2paSignerInfo) -> None:
    generated = {"action": "c2pa.created", "digitalSourceType": IPTC + "trainedAlgorithmicMedia"}
    part = sign(actions_manifest("Adobe Firefly", generated), jpeg(scene(6), 90), signer_info)
    placed = {"action": "c2pa.placed", "parameters": {"ingredientIds": ["sky"]}}
    opened = {"action": "c2pa.opened", "parameters": {"ingredientIds": ["photo"]}}
    photo = {"title": "photo.jpg", "relationship": "parentOf", "label": "photo"}
    sky = {"title": "sky.jpg", "relationship": "componentOf", "label": "sky"}
    composite = sign(
        actions_manifest("Adobe Photoshop", opened, placed),
        jpeg(scene(7), 90),
        signer_info,
        (photo, jpeg(scene(7), 90)),
        (sky, part),
    )
    result = read_provenance(decode(composite, DecodeConfig()))
    assert result.score == 1.0
    assert (
        "Content Credentials say: a part of the image was created by Adobe Firefly (AI generated)"
        in result.findings
    )


def test_garbage_content_credentials_do_not_raise() -> None:
    box = b"jumb" + struct.pack(">I", 25) + b"jumdc2pa" + bytes(12) + b"\x03c2pa\x00garbage"
    payload = b"JP" + struct.pack(">HI", 1, 1) + struct.pack(">I", len(box) + 4) + box
    data = jpeg(scene(1), 90)
    data = data[:2] + b"\xff\xeb" + struct.pack(">H", len(payload) + 2) + payload + data[2:]
    result = read_provenance(decode(data, DecodeConfig()))
    assert result.findings == (
        "The file carries Content Credentials, but they are invalid and cannot be read",
    )
    assert result.score == 0.5
