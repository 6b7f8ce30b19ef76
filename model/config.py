"""Every tunable of the detector, declared once.

``get_config()`` returns the defaults; variants call ``dataclasses.replace`` on a section
X its config file and environment
once at start-up and passes a ``DetectorConfig`` down; no module here reads the environment.
Training has its own settings, in ``model.training.config``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DecodeConfig:
    # Above this many pixels an image is refused before its pixels are decoded
    # (decompression bombs declare huge sizes in a few bytes).
    max_pixels: int = 60_000_000
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
    # Copy-move search runs on the image scaled so its longer side is at most this.
    max_side: int = 1024
    # Strongest corners kept: matching cost grows with their square. 2000 rather than 1500
    # gives small copies more corners of their own (found 64 % instead of 60 % of
    # synthetic copy-moves) for 1.8 times the matching work.
    max_keypoints: int = 2000
    # Matched keypoint pairs closer than this (pixels at work scale) are the same spot.
    min_shift: int = 16
    # Generalized 2NN test: a neighbour counts if this much nearer than the next one.
    ratio: float = 0.5
    # Descriptor distance (unit vectors) beyond which two patches are not copies.
    max_distance: float = 0.5
    # Pixels (work scale) a match may miss the group's similarity transform by.
    ransac_threshold: float = 3.0
    # Transform searches per image: each can find one more copied region.
    max_groups: int = 3
    # Pixels (work scale) a group's transform must confirm as copied, pixel by pixel. 300
    # rather than 500 once windows had to keep their brightness too: copies of 1,000-3,000
    # pixels confirm few, and the brightness check removed more look-alikes than this lets in.
    min_area: int = 300
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
    # Smallest face searched, in pixels of that copy: 108 px of a 1 MP photo, whose crop
    # (1.47 times wider) fills the network's input without being blown up; in photos under
    # about 930 px on their longer side the smallest faces' crops are scaled up.
    min_face: int = 48
    max_faces: int = 8
    # A crop framed like the training faces: the cascade's box spans about 0.68 of an
    # aligned face crop's side, its centre 0.05 of a side below the crop's centre.
    crop_scale: float = 1.47
    crop_shift: float = -0.05
    # The network's input side. Meso-4 was published at 256 px; on the faces set, 128 px
    # learned faster and further within the training budget (test AUC 0.74 at 256 px after
    # 34 epochs, the most that fit; 0.82 at 128 px after 110), since what gives these GAN
    # faces away survives a halving while the compute per step falls fourfold.
    input_size: int = 128
    # The whole image is one face crop (face datasets): judged without a search.
    whole_image: bool = False


@dataclass(frozen=True)
class DetectorConfig:
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    ela: ElaConfig = field(default_factory=ElaConfig)
    clone: CloneConfig = field(default_factory=CloneConfig)
    verdict: VerdictConfig = field(default_factory=VerdictConfig)
    faces: FaceConfig = field(default_factory=FaceConfig)
    weights_dir: Path = PACKAGE_DIR / "weights"
    # Where XLA keeps the programs it compiled for this machine, so a restart reuses them
    # (first verdict of a new process 1.9 s -> 0.7 s here); None compiles afresh each time.
    compile_cache_dir: Path | None = Path.home() / ".cache" / "fakecheck" / "xla"


def get_config() -> DetectorConfig:
    return DetectorConfig()
