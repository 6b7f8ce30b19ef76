"""FakeCheck's detector: load it once, hand it image bytes, get a ``Verdict`` back.

    from model import Detector
    detector = Detector.load()
    verdict = detector.analyze(data)            # or analyze_batch([...])

Bad bytes raise an ``ImageError`` subclass (see ``model.errors``); missing weights raise
``ModelError``. The names below load on first use, so ``import model.config`` stays light.

Start from ``detector.py``. Its rooms: ``image/`` (bytes to pixels), ``signals/`` (one
module or package per kind of evidence), ``nets/`` (the networks, their weights and
running) and ``training/`` (the training and evaluate commands, never run while serving).
``verdict.py`` and ``bands.py`` turn the signals into a verdict; ``config.py`` holds every
setting of the detector, ``cli.py`` the ``fakecheck`` command.
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
