"""The training commands' settings, apart from the detector's (``model.config``).

``TrainConfig`` (``fakecheck train``) and ``FaceTrainConfig`` (``fakecheck train-faces``)
hold how to train; what to train on is the commands' ``--datasets`` folder (by default the
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
    """What ``fakecheck train-faces`` reads unless told otherwise: real and GAN faces."""
    return datasets / "faces" / "manifest.csv"


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
class FaceTrainConfig:
    seed: int = 0
    val_share: float = 0.15
    test_share: float = 0.15
    # The set's crops are this size; they are augmented at it, then scaled to the input.
    source_size: int = 256
    epochs: int = 110
    batch_size: int = 32
    # Peak of a cosine decay to zero over the run.
    learning_rate: float = 3e-3
    # Augmentation of both classes alike, so framing and quality cannot give the label away.
    # Milder than the ELA-CNN's: with 1,540 training faces, downscaling to half and
    # re-saving at q60 on most copies left Meso-4 unable to fit (test AUC 0.72 vs 0.76).
    crop_range: tuple[float, float] = (0.85, 1.0)
    resize_range: tuple[float, float] = (0.7, 1.0)
    recompress_quality: tuple[int, int] = (70, 95)
    recompress_share: float = 0.5
    target_precision: float = 0.95
