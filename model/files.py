"""Image files analysed from disk a batch at a time, for the commands that take many.

Reading every file before analysing any held all of them, decoded, at once (about 180 MB
per 60 MP photo); a batch at a time bounds that while the network still judges several
images per pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from model.detector import Detector
from model.errors import ImageError
from model.verdict import Verdict

BATCH = 16


def analyze_files(
    detector: Detector, paths: Sequence[Path]
) -> Iterator[tuple[Path, Verdict | ImageError | OSError]]:
    """Each path with its verdict, or the error that kept it from one, in order."""
    for start in range(0, len(paths), BATCH):
        chunk = paths[start : start + BATCH]
        contents: list[bytes | OSError] = []
        for path in chunk:
            try:
                contents.append(path.read_bytes())
            except OSError as error:
                contents.append(error)
        readable = [data for data in contents if isinstance(data, bytes)]
        verdicts = iter(detector.analyze_batch(readable))
        for path, data in zip(chunk, contents):
            yield path, data if isinstance(data, OSError) else next(verdicts)


def why(error: ImageError | OSError) -> str:
    """Why a file could not be analysed, in words."""
    return f"cannot be read ({error.strerror})" if isinstance(error, OSError) else str(error)
