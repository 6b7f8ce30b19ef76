"""The provenance signal, on images and Content Credentials made here.

The signed manifests use a throwaway CA and signer made with ``cryptography`` (a
dependency of c2pa-python): c2pa refuses self-signed signing certificates, not a chain.
"""

from __future__ import annotations

import datetime
import io
import json
import struct

import c2pa
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image, PngImagePlugin

from model.config import DecodeConfig
from model.image.decode import DecodedImage, decode
from model.signals.metadata import read_metadata
from model.signals.metadata.readers import xmp_text
from model.signals.provenance import read_provenance
from model.signals.provenance.credentials import interpret_manifest_store
from tests.conftest import jpeg, png, scene

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
A1111 = (
    "a lighthouse at dawn, oil painting\nNegative prompt: blurry\n"
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 512x512, Model: sdxl_base"
)


def xmp_saying(attributes: str) -> bytes:
    """An XMP packet of one rdf:Description carrying ``attributes`` (IPTC and xmp spaces)."""
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f'xmlns:xmp="http://ns.adobe.com/xap/1.0/" {attributes}/></rdf:RDF></x:xmpmeta>'
    ).encode()


def xmp_declaring(source_type: str) -> bytes:
    return xmp_saying(f'Iptc4xmpExt:DigitalSourceType="{IPTC}{source_type}"')


def png_with_text(**chunks: str) -> DecodedImage:
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        info.add_text(key, value)
    return decode(png(Image.fromarray(scene(1)), pnginfo=info), DecodeConfig())


def jpeg_with(**options) -> DecodedImage:
    return decode(jpeg(scene(1), 90, **options), DecodeConfig())


def test_plain_photo_declares_nothing(photo: np.ndarray) -> None:
    result = read_provenance(decode(jpeg(photo, 90), DecodeConfig()))
    assert result.name == "provenance"
    assert result.score is None
    assert result.findings == ()


def test_stable_diffusion_parameters_in_png() -> None:
    result = read_provenance(png_with_text(parameters=A1111))
    assert result.findings == ("PNG text holds Stable Diffusion generation parameters",)
    assert result.score == 1.0


def test_comfyui_workflow_in_png() -> None:
    prompt = json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": 5}}})
    result = read_provenance(png_with_text(prompt=prompt))
    assert result.findings == ("PNG text holds an AI generation workflow (prompt)",)
    assert result.score == 1.0


def test_generator_named_in_text_and_exif() -> None:
    assert read_provenance(png_with_text(Software="NovelAI")).findings == (
        "PNG text (Software) names NovelAI",
    )
    tags = Image.Exif()
    tags[0x0131] = "Midjourney"
    assert read_provenance(jpeg_with(exif=tags.tobytes())).findings == (
        "EXIF Software names Midjourney",
    )


def test_generator_named_by_xmp_creator_tool() -> None:
    result = read_provenance(jpeg_with(xmp=xmp_saying('xmp:CreatorTool="Adobe Firefly"')))
    assert result.findings == ("XMP metadata names Adobe Firefly as the software that made it",)
    assert result.score == 1.0


def test_generation_records_name_their_generator() -> None:
    # What Fooocus writes in its default scheme, and the IPTC 2025.1 AI system field.
    record = json.dumps({"prompt": "a lighthouse", "version": "Fooocus v2.5.5"})
    fooocus = read_provenance(png_with_text(parameters=record, fooocus_scheme="fooocus"))
    assert "PNG text (parameters) names Fooocus" in fooocus.findings
    assert fooocus.score == 1.0
    packet = xmp_saying('Iptc4xmpExt:AISystemUsed="Acme Dreamer 3"')
    declared = read_provenance(jpeg_with(xmp=packet))
    assert declared.findings == ("XMP metadata names Acme Dreamer 3 as the AI system used",)
    assert declared.score == 1.0


def test_generator_in_a_caption_is_only_mentioned() -> None:
    # A photo of a talk, a protest or a court case may name a generator in its caption,
    # keywords or comment: that says what the picture shows, not how it was made.
    caption = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description><dc:description>'
        b'<rdf:Alt><rdf:li xml:lang="x-default">Protest outside the Midjourney copyright '
        b"hearing</rdf:li></rdf:Alt></dc:description><dc:subject><rdf:Bag><rdf:li>DALL-E"
        b"</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    tags = Image.Exif()
    tags[0x010E] = "Photo of the Stable Diffusion talk"
    tags[0x013B] = "Jo Bloggs, for Midjourney News"
    cases = {
        "XMP metadata mentions Midjourney": jpeg_with(xmp=caption),
        "EXIF ImageDescription mentions Stable Diffusion": jpeg_with(exif=tags.tobytes()),
        "JPEG text (comment) mentions DALL-E": jpeg_with(comment=b"Made for a DALL-E review"),
        "PNG text (Description) mentions NovelAI": png_with_text(Description="NovelAI review"),
    }
    for sentence, image in cases.items():
        result = read_provenance(image)
        assert sentence in result.findings
        assert result.score == 0.1


def test_parameters_in_exif_user_comment() -> None:
    # What the A1111 web UI writes into the JPEGs it saves.
    tags = Image.Exif()
    tags.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + A1111.encode("utf-16-be")
    result = read_provenance(jpeg_with(exif=tags.tobytes()))
    assert result.findings == ("EXIF UserComment holds Stable Diffusion generation parameters",)


def test_ordinary_words_are_not_generators() -> None:
    tags = Image.Exif()
    tags[0x010E] = "Fireflies at dusk over the lake"
    assert read_provenance(jpeg_with(exif=tags.tobytes())).score is None


def test_xmp_declaring_ai_generation() -> None:
    result = read_provenance(jpeg_with(xmp=xmp_declaring("trainedAlgorithmicMedia")))
    assert result.findings == (
        "XMP metadata declares the image AI generated (trainedAlgorithmicMedia)",
    )
    assert result.score == 1.0


def test_xmp_in_a_tiff_is_found_in_the_raw_bytes() -> None:
    buffer = io.BytesIO()
    xmp = xmp_declaring("compositeSynthetic")
    Image.fromarray(scene(1)).save(buffer, "TIFF", tiffinfo={700: xmp})
    result = read_provenance(decode(buffer.getvalue(), DecodeConfig()))
    assert result.findings == (
        "XMP metadata declares the image a composite with synthetic elements (compositeSynthetic)",
    )
    assert result.score == 1.0


@pytest.mark.timeout(60)
def test_text_built_to_stall_the_search_is_read_at_once() -> None:
    # Each of these made a pattern take time growing with the square of the text's length:
    # about five minutes for 900 KB, with every other request waiting.
    stalling = png_with_text(
        parameters="Steps: 1 " * 100_000, **{"XML:com.adobe.xmp": "CreatorTool>" * 75_000}
    )
    assert read_provenance(stalling).score is None
    assert not any("CreatorTool" in finding for finding in read_metadata(stalling).findings)
    buffer = io.BytesIO()
    Image.fromarray(scene(1)).save(buffer, "GIF")
    gif = decode(buffer.getvalue() + b"<x:xmpmeta" * 90_000, DecodeConfig())
    assert xmp_text(gif) == ""


def test_declared_camera_capture_scores_zero() -> None:
    result = read_provenance(jpeg_with(xmp=xmp_declaring("digitalCapture")))
    assert result.score == 0.0
    assert result.findings == ("XMP metadata declares the image a camera capture (digitalCapture)",)


def certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    ca_key: ec.EllipticCurvePrivateKey,
) -> x509.Certificate:
    """A CA certificate when ``issuer`` is None, else a C2PA signing certificate it issues."""
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
        .not_valid_after(now + datetime.timedelta(days=7))
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


@pytest.fixture(scope="module")
def signer_info() -> c2pa.C2paSignerInfo:
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("FakeCheck test CA", ca_key, None, ca_key)
    leaf = certificate("FakeCheck test signer", key, ca, ca_key)
    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, ca))
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, private, None)


def signed_jpeg(signer_info: c2pa.C2paSignerInfo, source_type: str) -> bytes:
    manifest = {
        "claim_generator_info": [{"name": "Adobe Firefly", "version": "1.0"}],
        "title": "generated.jpg",
        "format": "image/jpeg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [{"action": "c2pa.created", "digitalSourceType": IPTC + source_type}]
                },
            }
        ],
    }
    signed = io.BytesIO()
    with c2pa.Signer.from_info(signer_info) as signer, c2pa.Builder(manifest) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(jpeg(scene(2), 90)), signed)
    return signed.getvalue()


def test_signed_content_credentials(signer_info: c2pa.C2paSignerInfo) -> None:
    result = read_provenance(
        decode(signed_jpeg(signer_info, "trainedAlgorithmicMedia"), DecodeConfig())
    )
    assert result.findings == ("Content Credentials say: created by Adobe Firefly (AI generated)",)
    assert result.score == 1.0


def test_content_credentials_of_a_changed_file(signer_info: c2pa.C2paSignerInfo) -> None:
    data = signed_jpeg(signer_info, "digitalCapture")
    scan = data.index(b"\xff\xda")
    changed = data[:scan] + b"\xff\xfe\x00\x07hello" + data[scan:]  # a comment added later
    result = read_provenance(decode(changed, DecodeConfig()))
    assert result.findings == (
        "Content Credentials say: created by Adobe Firefly (a camera capture)",
        "The file was changed after its Content Credentials were signed",
    )
    assert result.score == 0.5


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


def manifest_store(*actions: dict, **manifest: object) -> dict:
    assertion = {"label": "c2pa.actions.v2", "data": {"actions": list(actions)}}
    return {
        "active_manifest": "urn:1",
        "manifests": {"urn:1": {"assertions": [assertion], **manifest}},
        "validation_state": "Valid",
    }


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


@pytest.mark.parametrize(
    "store",
    [
        {},
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
    for sentence, weight in interpret_manifest_store(store):
        assert sentence and 0.0 <= weight <= 1.0
