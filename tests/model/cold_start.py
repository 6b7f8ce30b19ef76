"""A cold start as users meet it, for the detector's test and the benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def verdict_in_new_process(image: Path, cache: Path) -> subprocess.CompletedProcess:
    """A fresh Python process that imports the detector, loads it with ``cache`` as its
    compile cache and prints its score for ``image``: a cold start, as users meet it."""
    code = (
        "import sys; from dataclasses import replace; from pathlib import Path; "
        "from model import Detector; from model.config import get_config; "
        "config = replace(get_config(), compile_cache_dir=Path(sys.argv[2])); "
        "print(Detector.load(config).analyze(Path(sys.argv[1]).read_bytes()).score)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(image), str(cache)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
