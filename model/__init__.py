"""FakeCheck's detector: load it once, hand it image bytes, get a ``Verdict`` back.

    from model import Detector
    detector = Detector.load()
    verdict = detector.analyze(data)            # or analyze_batch([...])

Bad bytes raise an ``ImageError`` subclass (see ``model.errors``); missing weights raise
``ModelError``. The names below load on first use, so ``import model.config`` stays light.
"""

from importlib import import_module

_EXPORTS = {
    "Detector": "model.detector",
    "Verdict": "model.verdict",
    "DetectorConfig": "model.config",
    "get_config": "model.config",
    "ImageError": "model.errors",
    "ModelError": "model.errors",
}

__all__ = ["Detector", "DetectorConfig", "ImageError", "ModelError", "Verdict", "get_config"]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
