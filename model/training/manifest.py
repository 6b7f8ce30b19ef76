"""Dataset manifests (``path,label,kind,mask,source_repo,source_path``) and the split by
source photo.

CASIA's forgeries are made from its authentic photos (``Sp_D_..._ani0053_ani0054_...``
uses ``Au_ani_0053`` and ``Au_ani_0054``); a random split would put a photo in training
and its forgery in test. Images that share a source photo are joined into one group, and
whole groups go to train, validation or test.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FIELDS = ("path", "label", "kind", "mask", "source_repo", "source_path")
_CASIA_AUTHENTIC = re.compile(r"^Au_([a-z]{3})_(\d{4})$")
_CASIA_TAMPERED = re.compile(r"^Sp_[DS]_\w+?_([a-z]{3}\d{4})_([a-z]{3}\d{4})_\d+$")


@dataclass(frozen=True)
class Row:
    path: Path
    label: int  # 1 = manipulated ("fake"), 0 = untouched ("real")
    kind: str
    mask: Path | None = None
    source: str = ""  # a name for the photo this image came from, when known
    origin: str = ""  # the collection the image came from (the manifest's source_repo)


def sources_of(path: Path) -> list[str]:
    """The source photos an image was made from, read from its file name."""
    stem = path.stem
    if match := _CASIA_AUTHENTIC.match(stem):
        return [match.group(1) + match.group(2)]
    if match := _CASIA_TAMPERED.match(stem):
        return [match.group(1), match.group(2)]
    return [stem]


def read_manifest(path: str | Path) -> list[Row]:
    """Rows with absolute paths; raises ValueError naming the line of a malformed row."""
    path = Path(path)
    rows = []
    with path.open(newline="") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            label = (record.get("label") or "").strip().lower()
            if label not in ("real", "fake") or not record.get("path"):
                raise ValueError(f"{path}:{line}: needs a path and label real or fake")
            image = path.parent / record["path"]
            mask = path.parent / record["mask"] if record.get("mask") else None
            rows.append(
                Row(
                    image,
                    int(label == "fake"),
                    record.get("kind") or "unknown",
                    mask,
                    record.get("source_path") or "",
                    record.get("source_repo") or "",
                )
            )
    return rows


def write_manifest(path: Path, rows: Iterable[Row]) -> None:
    """Write rows with paths relative to the manifest, as every dataset folder has them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for row in rows:
            mask = _relative(row.mask, path.parent) if row.mask else ""
            writer.writerow(
                [
                    _relative(row.path, path.parent),
                    "fake" if row.label else "real",
                    row.kind,
                    mask,
                    row.origin,
                    row.source,
                ]
            )


def _relative(target: Path, start: Path) -> str:
    try:
        return str(target.relative_to(start))
    except ValueError:
        return str(target.resolve())


def split_by_source(
    rows: list[Row], val_share: float, test_share: float, seed: int
) -> dict[str, list[Row]]:
    """Assign whole source groups to "train", "val" and "test" (deterministic for a seed)."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    names = [sources_of(row.path) for row in rows]
    for first, *rest in names:
        for other in rest:
            parent[find(other)] = find(first)
    splits: dict[str, list[Row]] = {"train": [], "val": [], "test": []}
    for row, (first, *_) in zip(rows, names):
        digest = hashlib.sha256(f"{seed}:{find(first)}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        name = "test" if draw < test_share else "val" if draw < test_share + val_share else "train"
        splits[name].append(row)
    return splits


def split_stratified(
    rows: list[Row], val_share: float, test_share: float, seed: int
) -> dict[str, list[Row]]:
    """Train / val / test with each (origin, label) group split in the same shares, seeded:
    for sets whose images share no source photo (one face or one picture each)."""
    rng = np.random.default_rng(seed)
    parts: dict[str, list[Row]] = {"train": [], "val": [], "test": []}
    for key in sorted({(row.origin, row.label) for row in rows}):
        group = [row for row in rows if (row.origin, row.label) == key]
        order = rng.permutation(len(group))
        n_test = round(len(group) * test_share)
        n_val = round(len(group) * val_share)
        parts["test"] += [group[i] for i in order[:n_test]]
        parts["val"] += [group[i] for i in order[n_test : n_test + n_val]]
        parts["train"] += [group[i] for i in order[n_test + n_val :]]
    return parts
