"""Saving and loading the trained network with everything needed to use it.

A checkpoint named ``ela_cnn``: the parameters, and beside them the network's shape, its
calibration and a training summary. Keeping the shape beside the parameters means the
network is rebuilt as it was trained before the weights go in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from flax import nnx

from model.nets import checkpoint
from model.nets.calibration import Calibration
from model.nets.network import ElaNet, NetworkSpec

STEM = "ela_cnn"
MODEL_NAME = "ela-cnn"


@dataclass(frozen=True)
class Trained:
    network: ElaNet
    spec: NetworkSpec
    calibration: Calibration
    version: str
    summary: dict[str, Any] = field(default_factory=dict)


def save(directory: Path, trained: Trained) -> None:
    meta = {
        "name": MODEL_NAME,
        "version": trained.version,
        "spec": asdict(trained.spec),
        "calibration": trained.calibration.to_json(),
        "summary": trained.summary,
    }
    checkpoint.write(directory, STEM, trained.network, nnx.Param, meta)


def load(directory: Path) -> Trained:
    """Raises ModelError with what is missing or wrong, never a bare traceback."""
    meta = checkpoint.read_meta(directory, STEM, "detector")
    spec = NetworkSpec(
        **{
            key: tuple(value) if isinstance(value, list) else value
            for key, value in meta["spec"].items()
        }
    )
    network = checkpoint.restore(
        directory, STEM, lambda: ElaNet(spec, nnx.Rngs(0)), nnx.Param, "detector"
    )
    return Trained(
        network,
        spec,
        Calibration(**meta["calibration"]),
        str(meta["version"]),
        meta.get("summary", {}),
    )
