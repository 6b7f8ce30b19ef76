"""Fixtures of the model tests."""

from __future__ import annotations

import numpy as np
import pytest

from tests.images import scene


@pytest.fixture
def photo() -> np.ndarray:
    return scene(0)
