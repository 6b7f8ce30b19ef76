"""A trained head on the pretrained encoder's features: a linear probe with its calibration.

Both learned AI signals are one: ``ai_generated`` reads whole pictures, ``synthetic_face``
face crops. A probe is a single ``nnx.Linear`` over the features its ``FeatureSpec``
names; the standardisation it was trained with is folded into its weights when saved, so
nothing else travels with it. Kept as a checkpoint (``model.nets.checkpoint``) named by
its signal, beside the ELA-CNN's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jax
import numpy as np
from flax import nnx

from model.nets import checkpoint
from model.nets.backbone import WIDTH, Features, FeatureSpec
from model.nets.calibration import Calibration
from model.nets.compiled import Frozen, frozen_jit


@frozen_jit()
def _logits(network: nnx.Linear, features: jax.Array) -> jax.Array:
    return network(features)[:, 0]


@dataclass
class Probe:
    network: nnx.Linear
    spec: FeatureSpec
    calibration: Calibration
    version: str
    summary: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._frozen = Frozen.of(self.network)

    def logits(self, features: Features) -> np.ndarray:
        """One logit per crop. Rows are padded to a power of two so few shapes compile."""
        rows = self.spec.select(features)
        if len(rows) == 0:
            return np.zeros(0, np.float32)
        padded = np.zeros((1 << (len(rows) - 1).bit_length(), rows.shape[1]), np.float32)
        padded[: len(rows)] = rows
        return np.asarray(_logits(self._frozen, padded))[: len(rows)]

    def probability(self, logit: float) -> float:
        return float(self.calibration.probability(logit))


def linear(width: int) -> nnx.Linear:
    return nnx.Linear(width, 1, rngs=nnx.Rngs(0))


def save(directory: Path, stem: str, probe: Probe) -> None:
    meta = {
        "name": stem,
        "version": probe.version,
        "features": probe.spec.to_json(),
        "calibration": probe.calibration.to_json(),
        "summary": probe.summary,
    }
    checkpoint.write(directory, stem, probe.network, nnx.Param, meta)


def load(directory: Path, stem: str) -> Probe:
    """Raises ModelError with what is missing or wrong."""
    what = f"{stem} probe"
    meta = checkpoint.read_meta(directory, stem, what)
    spec = FeatureSpec.from_json(meta["features"])
    width = len(spec.layers) * WIDTH
    network = checkpoint.restore(directory, stem, lambda: linear(width), nnx.Param, what)
    return Probe(
        network,
        spec,
        Calibration(**meta["calibration"]),
        str(meta["version"]),
        meta.get("summary", {}),
    )
