"""The metadata signal and the JPEG quality estimate, on images made here."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from model.config import DecodeConfig
from model.image import dct
from model.image.decode import DecodedImage, decode
from model.image.jpeg_quality import QualityEstimate, estimate_quality
from model.signals.metadata import read_metadata
from tests.images import decoded, jpeg, png, scene

EXIF_IFD = 0x8769
CAMERA = {0x010F: "Canon", 0x0110: "Canon PowerShot A40", 0x0131: "Firmware Version 1.00"}
TAKEN = "2021:06:01 12:00:00"


def exif(base: dict[int, object], sub: dict[int, object] | None = None) -> bytes:
    tags = Image.Exif()
    for tag, value in base.items():
        tags[tag] = value
    for tag, value in (sub or {}).items():
        tags.get_ifd(EXIF_IFD)[tag] = value
    return tags.tobytes()


def photo_with(rgb: np.ndarray, quality: int = 90, **options) -> DecodedImage:
    return decode(jpeg(rgb, quality, **options), DecodeConfig())


def camera_exif(
    rgb: np.ndarray, base: dict[int, object] | None = None, sub: dict[int, object] | None = None
) -> bytes:
    """EXIF as a camera writes it for ``rgb`` (consistent size and times), then ``base``
    and ``sub`` (Exif IFD) changes; a None value removes the tag."""
    height, width = rgb.shape[:2]
    tags = {**CAMERA, 0x0132: TAKEN, **(base or {})}
    exif_tags = {0x9003: TAKEN, 0xA002: width, 0xA003: height, **(sub or {})}
    return exif(
        {k: v for k, v in tags.items() if v is not None},
        {k: v for k, v in exif_tags.items() if v is not None},
    )


def test_editor_in_exif_software_is_reported_but_is_no_proof(photo: np.ndarray) -> None:
    result = read_metadata(photo_with(photo, exif=exif({0x0131: "Adobe Photoshop 24.0"})))
    assert result.name == "metadata"
    assert "EXIF Software: Adobe Photoshop 24.0" in result.findings
    assert 0.2 <= result.score < 0.5
    assert result.details["software"] == "Adobe Photoshop 24.0"


def test_consistent_camera_exif_accuses_nothing(photo: np.ndarray) -> None:
    result = read_metadata(photo_with(photo, exif=camera_exif(photo)))
    assert result.findings == ()
    assert result.score < 0.1
    assert result.details["jpeg_quality"] == 90
    assert result.details["quantization_standard"] is True


def test_recorded_size_differing_from_the_pixels_is_reported(photo: np.ndarray) -> None:
    result = read_metadata(
        photo_with(photo, exif=camera_exif(photo, sub={0xA002: 4000, 0xA003: 3000}))
    )
    resized = "EXIF records a 4000x3000 picture but the image is 384x256: it was resized"
    assert result.findings == (f"{resized} or cropped after capture",)
    edited = read_metadata(
        photo_with(photo, exif=camera_exif(photo, {0x0131: "GIMP 2.10"}, {0xA002: 4000}))
    )
    assert edited.score > result.score > 0.3


def test_rotated_size_is_consistent(photo: np.ndarray) -> None:
    result = read_metadata(
        photo_with(photo, exif=camera_exif(photo, sub={0xA002: 256, 0xA003: 384}))
    )
    assert result.findings == ()


def test_incomplete_and_contradictory_camera_fields(photo: np.ndarray) -> None:
    result = read_metadata(
        photo_with(photo, exif=camera_exif(photo, {0x0110: None, 0x0132: "2021:07:01 09:30:00"}))
    )
    assert result.findings == (
        "EXIF names the camera maker (Canon) but no model",
        "The file was saved again 30 days after the photo was taken",
    )


def test_editor_in_xmp_is_reported(photo: np.ndarray) -> None:
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
        b'xmp:CreatorTool="Adobe Photoshop 25.0 (Windows)"><photoshop:History/>'
        b"<xmpMM:History><rdf:Seq><rdf:li stEvt:action='saved' "
        b"stEvt:softwareAgent='Adobe Photoshop 25.0 (Windows)'/></rdf:Seq></xmpMM:History>"
        b"</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    result = read_metadata(photo_with(photo, xmp=xmp))
    assert "XMP CreatorTool: Adobe Photoshop 25.0 (Windows)" in result.findings
    assert "XMP edit history names Adobe Photoshop 25.0 (Windows)" in result.findings
    assert "XMP holds a Photoshop edit history" in result.findings
    # One editor named three times is still one piece of evidence.
    assert result.score == pytest.approx(0.25, abs=0.05)


def test_missing_exif_is_only_a_note(photo: np.ndarray) -> None:
    result = read_metadata(photo_with(photo))
    assert result.findings == ("The file has no EXIF camera data; many sites remove it",)
    assert result.score < 0.1


def test_png_without_metadata_is_not_judged(photo: np.ndarray) -> None:
    result = read_metadata(decode(png(Image.fromarray(photo)), DecodeConfig()))
    assert result.score is None
    assert result.findings == ()


def test_png_with_editor_exif_is_judged(photo: np.ndarray) -> None:
    data = png(Image.fromarray(photo), exif=exif({0x0131: "GIMP 2.10.34"}))
    result = read_metadata(decode(data, DecodeConfig()))
    assert result.findings == ("EXIF Software: GIMP 2.10.34",)
    assert "jpeg_quality" not in result.details


@pytest.mark.parametrize("quality", [50, 75, 90, 95])
def test_quality_of_pillow_saves_is_exact(photo: np.ndarray, quality: int) -> None:
    image = photo_with(photo, quality)
    assert estimate_quality(image.quantization) == QualityEstimate(quality, standard=True)


def test_custom_tables_get_the_nearest_quality() -> None:
    # A camera-style table: libjpeg's quality-80 table made 10% finer.
    luma = np.maximum(np.round(dct.quant_table(80) * 0.9), 1).astype(int).reshape(-1)
    estimate = estimate_quality({0: tuple(luma)})
    assert estimate is not None and not estimate.standard
    assert 78 <= estimate.quality <= 84
    assert estimate_quality({}) is None


def test_double_compression_is_found_and_dated() -> None:
    rgb = scene(3, 512, 768)
    single = read_metadata(photo_with(rgb, 90))
    lower_first = read_metadata(photo_with(decoded(jpeg(rgb, 60)), 90))
    higher_first = read_metadata(photo_with(decoded(jpeg(rgb, 90)), 70))
    assert single.details["double_compression"] < 0.2
    assert lower_first.details["double_compression"] > 0.9
    assert higher_first.details["double_compression"] > 0.5
    assert lower_first.details["earlier_quality"] == 60
    assert "Signs of an earlier JPEG compression at about quality 60" in lower_first.findings
    assert lower_first.score > single.score


def test_double_compression_ignores_a_resize_between_saves() -> None:
    # Resizing destroys the earlier grid: the result is a single compression again.
    first = Image.open(io.BytesIO(jpeg(scene(4, 640, 960), 60))).resize((768, 512))
    result = read_metadata(photo_with(np.asarray(first), 90))
    assert result.details["double_compression"] < 0.5
