"""The result type every signal returns, so the verdict can combine them uniformly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SignalResult:
    """One signal's evidence about one image.

    ``score`` is a probability-like number in [0, 1], or ``None`` when the signal has no
    opinion (a PNG has no JPEG history, an image without faces has no face score): the
    verdict must be able to tell "nothing found" from "not applicable".
    ``findings`` are plain-language sentences shown to people.
    ``details`` is JSON-safe extra evidence (regions, estimated quality, ...).
    ``mask`` marks, in stored-pixel coordinates (H, W) with values in [0, 1], where the
    signal sees manipulation; it is drawn into the heatmap.
    """

    name: str
    score: float | None = None
    findings: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    mask: np.ndarray | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.score is not None:
            out["score"] = round(float(self.score), 4)
        out["findings"] = list(self.findings)
        if self.details:
            out["details"] = self.details
        return out
