"""The provenance signal on images made here: IPTC digital source types in XMP and the text
generators leave. Content Credentials have their own files: ``test_content_credentials``
(files signed with c2pa's own builder) and ``test_manifest_store`` (stores built by hand)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from model.config import DecodeConfig
from model.image.decode import DecodedImage, decode
from model.signals.metadata import read_metadata
from model.signals.metadata.readers import xmp_text
from model.signals.provenance import read_provenance
from tests.images import jpeg, png, scene

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
