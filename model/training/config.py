"""The training commands' settings, apart from the detector's (``model.config``).

``TrainConfig`` (``fakecheck train``) and ``ProbeTrainConfig`` (``fakecheck train-ai``)
hold how to train (``fakecheck train-fusion`` reuses their splits); what to train on is the commands' ``--datasets`` folder (by default the
shared datasets beside the checkout) or ``--manifest``. Tests shrink the runs with
``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from model.config import PACKAGE_DIR

# The shared datasets sit beside the checkout; named from here, training finds them from
# any working directory.
DATASETS = PACKAGE_DIR.parent.parent / "shared" / "datasets"


def train_manifests(datasets: Path) -> tuple[Path, ...]:
    """What ``fakecheck train`` reads unless told otherwise: CASIA v1 and the camera originals."""
    return (datasets / "casia1" / "manifest.csv", datasets / "camera-originals" / "manifest.csv")


def faces_manifest(datasets: Path) -> Path:
    """What ``fakecheck train-ai`` reads for faces unless told otherwise: real and GAN faces."""
    return datasets / "faces" / "manifest.csv"


def pictures_manifest(datasets: Path) -> Path:
    """What ``fakecheck train-ai`` reads for whole pictures unless told otherwise."""
    return datasets / "ai-generated" / "manifest.csv"


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    # Shares of source-photo groups that go to validation and test (the rest trains).
    val_share: float = 0.15
    test_share: float = 0.2
    batch_size: int = 16
    steps: int = 2400
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    # Weight of the per-cell (heatmap) loss against the image loss.
    mask_loss_weight: float = 1.0
    # Share of training examples made from camera photos (the rest are CASIA images).
    synthetic_share: float = 0.4
    # Fixed evaluation images made from each held-out camera photo, per class.
    synthetic_eval_per_photo: int = 3
    # Re-compression range applied to both classes alike.
    recompress_quality: tuple[int, int] = (65, 95)
    resize_range: tuple[float, float] = (0.5, 1.0)
    # Share of CASIA images fed as their original bytes (no augmentation).
    keep_original_share: float = 0.4
    # Precision the likely_manipulated band must hold on validation data.
    target_precision: float = 0.95


@dataclass(frozen=True)
class ProbeTrainConfig:
    """``fakecheck train-ai``: the probes on the pretrained encoder (``model.nets.probe``)."""

    seed: int = 0
    val_share: float = 0.15
    test_share: float = 0.15
    # The encoder outputs each probe reads: (token, layers). Measured by a probe trained on
    # two of ai-generated's sources and tested on the third (the DiffusionDB/COCO set, the
    # photoreal set, the portraits): class tokens of layers 4-9 gave AUC 0.95 / 0.71 / 0.76,
    # the final embedding 0.83 / 0.53 / 0.61, mean patch tokens of layers 4-9 0.84 / 0.60 /
    # 0.60. On faces, mean patch tokens of layers 4-9 reached 0.999 (0.999 after a 0.75x
    # resize and q85), class tokens of the same layers 0.994, the final embedding 0.977.
    ai_features: tuple[str, tuple[int, ...]] = ("cls", (4, 5, 6, 7, 8, 9))
    face_features: tuple[str, tuple[int, ...]] = ("mean", (4, 5, 6, 7, 8, 9))
    # L2 penalty on the weights over standardised features, per probe. The whole-picture
    # probe needs it strong: weaker penalties fit each source's content and lost 0.01-0.03
    # of cross-source AUC; faces have one content and gain from a light one.
    ai_l2: float = 0.1
    face_l2: float = 0.005
    steps: int = 500
    learning_rate: float = 0.01
    # How the changed copies are made, for both classes alike: shrunk (to at most 0.875 for
    # whole pictures: the set's crops are 256 px and the encoder reads 224), mirrored,
    # re-saved as JPEG; faces also re-framed.
    resize_share: float = 0.5
    resize_range: tuple[float, float] = (0.875, 1.0)
    recompress_share: float = 0.7
    recompress_quality: tuple[int, int] = (65, 96)
    face_crop_range: tuple[float, float] = (0.85, 1.0)
    face_resize_range: tuple[float, float] = (0.7, 1.0)
    target_precision: float = 0.95


@dataclass(frozen=True)
class FusionTrainConfig:
    """``fakecheck train-fusion``: the grid the fusion's scales and offsets are searched on
    (``model.fusion``), for ELA's and the face probe's logits against the picture probe's."""

    scale_grid: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
    offset_grid: tuple[float, ...] = tuple(x / 2 for x in range(-16, 9))
