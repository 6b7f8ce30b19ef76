"""One calibrated score from the learned signals: the strongest of their evidence, each on
a common scale.

Each learned signal is calibrated on its own task (ELA on splices and retouching, the
probes on generated pictures and faces), so their probabilities do not say the same thing:
ELA leaves most untouched photos between 0.18 and 0.49, the picture probe puts most real
photos under 0.05. Each signal's logit is therefore moved onto a common scale (``scale``
times the logit plus ``offset``) and the verdict's score is the largest, calibrated once
more. A sum of the logits was tried and ranked worse on every task: a signal that cannot
tell on another task's pictures (ELA on generated pictures is at chance) only adds noise
there, while the strongest evidence keeps each task's own ranking almost whole (the
figures are in the model card). ELA's logit enters only where its evidence is readable
(a JPEG of some size and quality, ``model.findings``), a face's only where a face was found.

Kept in ``fusion.json`` beside the networks' weights; ``fakecheck train-fusion`` fits it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.errors import ModelError
from model.nets.calibration import Calibration

INPUTS = ("ela", "ai", "face")
FILE = "fusion.json"
_EDGE = 1e-6  # probabilities are clipped this far from 0 and 1 before their logit


def logit(probability: float) -> float:
    p = min(max(probability, _EDGE), 1.0 - _EDGE)
    return float(np.log(p / (1.0 - p)))


def logits(probabilities: list[tuple[float | None, ...]]) -> np.ndarray:
    """(N, len(INPUTS)) logits of the signals' probabilities, NaN where not readable."""
    return np.array(
        [[np.nan if p is None else logit(p) for p in row] for row in probabilities], np.float64
    ).reshape(len(probabilities), len(INPUTS))


@dataclass(frozen=True)
class Fusion:
    scales: tuple[float, ...]  # one per INPUTS
    offsets: tuple[float, ...]
    # Platt scaling of the largest term, and the bands' thresholds on the probability it
    # gives, chosen on validation data as each network's are (``model.nets.calibration``).
    calibration: Calibration
    version: str
    summary: dict[str, Any] = field(default_factory=dict)

    def scaled(self, values: np.ndarray) -> np.ndarray:
        """Logits (N, len(INPUTS)) on the common scale; NaN stays NaN."""
        return values * np.array(self.scales) + np.array(self.offsets)

    def strongest(self, values: np.ndarray) -> np.ndarray:
        """The largest scaled term of each row; a row with none readable gets the lowest."""
        scaled = np.where(np.isnan(values), -np.inf, self.scaled(values))
        return np.maximum(scaled.max(axis=1), logit(0.0))

    def terms(self, ela: float | None, ai: float | None, face: float | None) -> dict[str, float]:
        """Each readable signal's logit on the common scale (None: not readable)."""
        row = self.scaled(logits([(ela, ai, face)]))[0]
        return {name: float(v) for name, v in zip(INPUTS, row) if not np.isnan(v)}

    def probability(self, terms: dict[str, float]) -> float:
        """The calibrated probability of the strongest term (of nothing: the lowest)."""
        strongest = max(terms.values(), default=logit(0.0))
        return float(self.calibration.probability(strongest))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        data = asdict(self) | {"inputs": list(INPUTS)}
        (directory / FILE).write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path) -> Fusion:
        """Raises ModelError when the file is missing, unreadable or for other inputs."""
        try:
            data = json.loads((directory / FILE).read_text())
            if data.pop("inputs") != list(INPUTS):
                raise ValueError(f"it combines other inputs than {', '.join(INPUTS)}")
            return cls(
                scales=tuple(float(s) for s in data["scales"]),
                offsets=tuple(float(o) for o in data["offsets"]),
                calibration=Calibration(**data["calibration"]),
                version=str(data["version"]),
                summary=data.get("summary", {}),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelError(f"cannot read the fusion in {directory / FILE}: {error}") from error
