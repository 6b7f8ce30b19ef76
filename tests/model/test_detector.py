"""The detector with the committed weights, end to end on images the tests make."""

import hashlib
import io
from pathlib import Path

import jax
import numpy as np
import pytest
from PIL import Image

from model.errors import CorruptImage, EmptyImage
from model.nets.compiled import use_compile_cache
from model.verdict import (
    AI_GENERATED,
    BANDS,
    EDITED,
    INCONCLUSIVE,
    KINDS,
    LIKELY_MANIPULATED,
    label,
    where,
)
from tests.images import camera_photo, copy_moved, decoded, jpeg, png, scene, untouched
from tests.model.cold_start import verdict_in_new_process
from tests.model.test_content_credentials import gpt4o_chain, signed_then_expired


def test_verdict_carries_the_contract(detector):
    data = jpeg(scene(1), 90)
    verdict = detector.analyze(data)
    body = verdict.to_json()
    assert body["id"] == hashlib.sha256(data).hexdigest()
    assert body["verdict"] in BANDS
    assert 0.0 <= body["score"] <= 1.0
    assert body["reasons"] and all(isinstance(r, str) for r in body["reasons"])
    names = [s["name"] for s in body["signals"]]
    assert names == ["ela_cnn", "clone", "metadata", "provenance", "synthetic_face", "ai_generated"]
    assert body["kind"] in (*KINDS, None) and body["label"] == label(body["verdict"], body["kind"])
    assert body["image"] == {"width": 384, "height": 256, "format": "JPEG", "jpeg_quality": 90}
    assert body["model"]["name"] == "ela-cnn" and body["model"]["version"]
    for picture in (verdict.ela_png(), verdict.heatmap_png()):
        assert Image.open(io.BytesIO(picture)).size == (384, 256)


def test_batched_analysis_matches_one_at_a_time(detector):
    items = [jpeg(scene(2), 85), jpeg(scene(3, 300, 500), 95), b"", jpeg(scene(4, 480, 640), 75)]
    batched = detector.analyze_batch(items)
    assert isinstance(batched[2], EmptyImage)
    for data, together in zip(items, batched):
        if data:
            alone, together_json = detector.analyze(data).to_json(), together.to_json()
            assert alone.pop("score") == pytest.approx(together_json.pop("score"), abs=1e-4)
            assert alone == together_json
            np.testing.assert_allclose(detector.analyze(data).heat, together.heat, atol=1e-5)


def test_bad_bytes_raise_typed_errors(detector):
    with pytest.raises(CorruptImage):
        detector.analyze(jpeg(scene(5), 90)[:300])


def test_pictures_are_upright(detector):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: displays 256 wide, 384 high
    verdict = detector.analyze(jpeg(scene(6), 90, exif=exif))
    assert (verdict.image.width, verdict.image.height) == (256, 384)
    assert verdict.ela.shape == (384, 256) and verdict.heat.shape == (384, 256)


def with_orientation(rgb: np.ndarray, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg(rgb, 95, exif=exif)


# Where the stored bottom right and top left show once the picture is turned upright.
UPRIGHT = {1: ("bottom right", "top left"), 3: ("top left", "bottom right")}
UPRIGHT |= {6: ("bottom left", "top right"), 8: ("top right", "bottom left")}
# The mirrored ones: a selfie camera may store its picture flipped.
UPRIGHT |= {2: ("bottom left", "top right"), 4: ("top right", "bottom left")}
UPRIGHT |= {5: ("bottom right", "top left"), 7: ("top left", "bottom right")}


@pytest.mark.parametrize("orientation", sorted(UPRIGHT))
def test_places_are_named_as_the_picture_displays(detector, orientation):
    # A region saved at another quality, stored at the bottom right: phones store most
    # photos turned (orientation 6), and the words must match the picture people see.
    base = decoded(jpeg(camera_photo(8), 60)).copy()
    base[280:440, 440:600] = decoded(jpeg(camera_photo(108), 95))[280:440, 440:600]
    verdict = detector.analyze(with_orientation(base, orientation))
    spliced, _ = UPRIGHT[orientation]
    assert verdict.band == LIKELY_MANIPULATED
    # Turned sideways or upside down, a photo may also look generated (the model card's
    # limits): that reason may come first, the region's must still be named right.
    [region] = [reason for reason in verdict.reasons if reason.startswith("The region at")]
    assert region.startswith(f"The region at the {spliced} ")
    assert where(verdict.heat) == spliced


@pytest.mark.parametrize("orientation", [2, 3, 6])
def test_copies_are_placed_as_the_picture_displays(detector, orientation):
    rgb = decoded(jpeg(scene(11, 480, 640), 95)).copy()
    rgb[300:396, 420:548] = rgb[60:156, 80:208]  # stored top left to bottom right
    verdict = detector.analyze(with_orientation(rgb, orientation))
    clone = verdict.signal("clone")
    (sentence,) = clone.findings
    for place in UPRIGHT[orientation]:
        assert f"the {place} " in sentence
    for region in clone.details["regions"]:
        for x, y, width, height in (region["source"], region["target"]):
            assert x + width <= verdict.image.width and y + height <= verdict.image.height


def test_weak_evidence_is_inconclusive_with_the_reason(detector):
    tiny = detector.analyze(jpeg(scene(7, 60, 80), 90))
    assert tiny.band == INCONCLUSIVE
    assert any("small" in reason for reason in tiny.reasons)
    lossless = detector.analyze(png(Image.fromarray(camera_photo(8))))
    assert lossless.band == INCONCLUSIVE
    assert any("no JPEG compression history" in reason for reason in lossless.reasons)


def test_declared_generation_is_likely_manipulated(detector):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("parameters", "a castle at dawn\nSteps: 30, Sampler: Euler a, CFG scale: 7")
    verdict = detector.analyze(png(Image.fromarray(scene(9)), pnginfo=info))
    assert verdict.band == LIKELY_MANIPULATED
    assert verdict.signal("provenance").score == 1.0


def test_a_gpt4o_picture_with_its_credentials_is_likely_manipulated(detector):
    # As ChatGPT hands it out: GPT-4o's creation declared by the ingredient of a manifest
    # that only opens it, signed with a certificate that has expired since.
    data = signed_then_expired(lambda info: gpt4o_chain(info, jpeg(scene(12), 90)))
    verdict = detector.analyze(data)
    assert verdict.band == LIKELY_MANIPULATED
    assert "GPT-4o" in verdict.reasons[0]
    assert any("the certificate has expired" in reason for reason in verdict.reasons)


def test_a_verdict_says_what_it_found(detector):
    generated = detector.analyze(jpeg(scene(14, 480, 640), 90))  # drawn by a program
    assert (generated.band, generated.kind) == (LIKELY_MANIPULATED, AI_GENERATED)
    assert generated.to_json()["label"] == "Likely AI-generated"
    assert generated.signal("ai_generated").findings[0] in generated.reasons
    edited = detector.analyze(copy_moved())  # a camera photo with a region copied
    assert (edited.band, edited.kind) == (LIKELY_MANIPULATED, EDITED)
    assert edited.to_json()["label"] == "Likely edited"
    for seed in (31, 32, 33):  # camera photos as they came, re-saved once
        photo = detector.analyze(untouched(seed))
        assert photo.band != LIKELY_MANIPULATED and photo.kind is None
        assert photo.signal("ai_generated").score < 0.5


def test_editing_software_is_reported(detector):
    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop 24.0"
    verdict = detector.analyze(jpeg(camera_photo(10), 90, exif=exif))
    assert "EXIF Software: Adobe Photoshop 24.0" in verdict.signal("metadata").findings
    assert "EXIF Software: Adobe Photoshop 24.0" in verdict.reasons
    assert verdict.band == INCONCLUSIVE  # an editor's record is not "no evidence"


def test_copy_move_is_found_and_drawn(detector):
    rgb = decoded(jpeg(scene(11, 480, 640), 95)).copy()
    rgb[300:396, 420:548] = rgb[60:156, 80:208]
    verdict = detector.analyze(jpeg(rgb, 92))
    clone = verdict.signal("clone")
    assert clone.score >= detector.config.clone.threshold
    assert verdict.band == LIKELY_MANIPULATED
    # The heatmap is at most picture_max_side wide: image pixels map onto it by one scale.
    heat = verdict.heat
    scale = heat.shape[1] / 640

    def region(top: int, bottom: int, left: int, right: int) -> float:
        rows = slice(round(top * scale), round(bottom * scale))
        return float(heat[rows, round(left * scale) : round(right * scale)].mean())

    assert region(300, 396, 420, 548) > 0.5
    assert region(300, 396, 420, 548) > 3 * region(200, 260, 250, 330)

    # The picture people see: faint where the map is cold, red to yellow and opaque where
    # it is hot (heat above 1 drawn as 1), to within one step of the palette.
    drawn = np.asarray(Image.open(io.BytesIO(verdict.heatmap_png())).convert("RGBA"), float)
    assert drawn.shape[:2] == heat.shape
    level = np.clip(heat, 0.0, 1.0)
    expected = np.stack(
        [np.full_like(level, 255), level * 220, np.zeros_like(level), np.sqrt(level) * 200], -1
    )
    np.testing.assert_allclose(drawn, expected, atol=2.5)


def _score_in_new_process(image: Path, cache: Path) -> tuple[float, str]:
    """A fresh process's verdict score on ``image``, and what it wrote to stderr."""
    done = verdict_in_new_process(image, cache)
    return float(done.stdout), done.stderr


def test_compiled_programs_are_kept_for_the_next_start(tmp_path):
    image, cache = tmp_path / "photo.jpg", tmp_path / "xla"
    image.write_bytes(jpeg(scene(5), 88))
    first, errors = _score_in_new_process(image, cache)
    entries = sorted(cache.iterdir())
    assert entries, "the first start kept no compiled program"
    assert "compilation cache" not in errors
    again, _ = _score_in_new_process(image, cache)
    assert again == pytest.approx(first, abs=1e-6)
    assert sorted(cache.iterdir()) == entries  # the same programs, under the same keys
    for entry in entries:  # a damaged cache is read, refused, and compiled around
        entry.write_bytes(b"not a compiled program")
    damaged, errors = _score_in_new_process(image, cache)
    assert damaged == pytest.approx(first, abs=1e-6)
    assert "Error reading persistent compilation cache entry" in errors


def test_a_compile_cache_that_cannot_be_written_is_skipped_with_one_warning(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    before = jax.config.jax_compilation_cache_dir
    with pytest.warns(RuntimeWarning, match="not kept: cannot write to"):
        use_compile_cache(blocker / "xla")
    assert jax.config.jax_compilation_cache_dir == before


@pytest.mark.parametrize("shape", [(1, 20000), (20000, 1), (3, 100000), (40, 20000), (2, 2)])
def test_slivers_of_image_are_inconclusive(detector, shape):
    noise = np.random.default_rng(0).integers(0, 256, (*shape, 3), dtype=np.uint8)
    verdict = detector.analyze(png(Image.fromarray(noise)))
    assert verdict.band == INCONCLUSIVE
    assert verdict.reasons[0].startswith("The image is small")
