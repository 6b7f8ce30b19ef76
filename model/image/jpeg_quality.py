"""The libjpeg quality a JPEG's quantisation tables correspond to.

Both the metadata signal and the verdict need it: below some quality earlier traces are
erased, and a table that is not libjpeg's says which encoder (camera, editor) wrote the file.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.image import dct

_QUALITIES = np.arange(1, 101)


@dataclass(frozen=True)
class QualityEstimate:
    """The libjpeg quality whose tables are nearest to the file's.

    ``standard`` is true only when every compared table equals libjpeg's at ``quality``
    exactly (Pillow, most web tools); cameras and Photoshop write their own tables, and
    for those ``quality`` is the nearest libjpeg equivalent.
    """

    quality: int
    standard: bool


@functools.cache
def _standard_tables(chroma: bool) -> np.ndarray:
    """(100, 64) libjpeg tables for qualities 1..100, row-major like Pillow's."""
    return np.stack([dct.quant_table(int(q), chroma).reshape(-1) for q in _QUALITIES])


def estimate_quality(quantization: dict[int, Sequence[int]]) -> QualityEstimate | None:
    """Nearest libjpeg quality for the luma table (slot 0) and chroma table (slot 1, if any).

    Tables are compared in log steps: quality scales a table multiplicatively, so a
    camera's table that is everywhere 10% finer than libjpeg's still lands on the right
    neighbourhood. None when there is no usable 64-entry luma table.
    """
    tables = [quantization.get(slot) for slot in (0, 1)]
    if tables[0] is None or len(tables[0]) != 64:
        return None
    compared = [
        (np.asarray(table, dtype=np.float64), _standard_tables(chroma=slot == 1))
        for slot, table in enumerate(tables)
        if table is not None and len(table) == 64
    ]
    distance = np.zeros(len(_QUALITIES))
    exact = np.ones(len(_QUALITIES), dtype=bool)
    for table, standard in compared:
        steps = np.maximum(table, 1.0)
        distance += np.abs(np.log(standard) - np.log(steps)).mean(axis=1)
        exact &= (standard == table).all(axis=1)
    if exact.any():
        return QualityEstimate(quality=int(_QUALITIES[exact.argmax()]), standard=True)
    return QualityEstimate(quality=int(_QUALITIES[distance.argmin()]), standard=False)
