"""What every signal finds in an image, before anything is decided.

``Examiner.examine_batch`` decodes a batch, starts the ELA-CNN on XLA's threads for all of
it, and runs the other signals while it works (one verdict then uses the second core too:
a 1 MP verdict took 66 ms in sequence, the network alone 17 ms of it). The detector turns
``Findings`` into verdicts; fitting the fusion reads them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from model.config import DetectorConfig
from model.errors import ImageError
from model.image.decode import DecodedImage, decode
from model.image.jpeg_quality import estimate_quality
from model.nets import inference, probe, weights
from model.nets.backbone import Backbone
from model.nets.compiled import Frozen
from model.signals import ai_generated, ela, synthetic_face
from model.signals.clone import detect_copy_move
from model.signals.metadata import read_metadata
from model.signals.provenance import read_provenance
from model.signals.result import SignalResult
from model.verdict import where


@dataclass(frozen=True)
class Networks:
    """Everything trained the signals run: the ELA-CNN, and the pretrained encoder with the
    probes that read it for the AI signals."""

    ela: weights.Trained
    backbone: Backbone
    ai: probe.Probe
    face: probe.Probe

    @classmethod
    def load(cls, config: DetectorConfig) -> Networks:
        """Raises ModelError when a file is missing or does not fit."""
        ai = probe.load(config.weights_dir, ai_generated.NAME)
        face = probe.load(config.weights_dir, synthetic_face.NAME)
        # The encoder runs only as deep as a probe reads.
        layers = 1 + max(max(ai.spec.layers), max(face.spec.layers))
        backbone = Backbone.load(config.backbone.path, config.backbone.threads, layers)
        return cls(weights.load(config.weights_dir), backbone, ai, face)

    def version(self) -> str:
        return "+".join(
            [
                self.ela.version,
                f"{ai_generated.NAME}.{self.ai.version}",
                f"{synthetic_face.NAME}.{self.face.version}",
            ]
        )


@dataclass(frozen=True)
class Findings:
    image: DecodedImage
    quality: int | None  # the JPEG quality estimated from the file's tables
    ela: SignalResult  # the ELA-CNN's calibrated probability (no score without a mosaic)
    weak: tuple[str, ...]  # why the compression evidence is unreadable, if it is
    small: str | None  # why no learned evidence is readable, if so
    hotspot: str  # where the ELA heat peaks, in words
    heat: np.ndarray  # (h, w) float32, upright: ELA's heat with the clone and face marks
    ela_picture: np.ndarray  # (h, w) uint8, upright
    clone: SignalResult
    metadata: SignalResult
    provenance: SignalResult
    face: SignalResult
    ai: SignalResult

    @property
    def signals(self) -> tuple[SignalResult, ...]:
        """Every signal, in the order verdicts list them."""
        return (self.ela, self.clone, self.metadata, self.provenance, self.face, self.ai)


@dataclass(frozen=True)
class _Prepared:
    image: DecodedImage
    mosaic: ela.Mosaic | None  # None when the image has not even one 8x8 block


class Examiner:
    def __init__(self, networks: Networks, config: DetectorConfig):
        self.networks = networks
        self.config = config
        self._network = Frozen.of(networks.ela.network)

    def examine_batch(self, items: Sequence[bytes]) -> list[Findings | ImageError]:
        """The findings (or the image's error) of each item, in order; one ELA pass for all."""
        prepared: list[_Prepared | ImageError] = []
        for data in items:
            try:
                image = decode(data, self.config.decode)
            except ImageError as error:
                prepared.append(error)
                continue
            height, width = image.pixels.shape[:2]
            mosaic = None
            if min(height, width) >= 8:
                mosaic = ela.make_mosaic(image.pixels, self.config.ela.max_cells)
                if min(mosaic.grid) == 0:  # a sliver (40 x 20000): no whole cell across
                    mosaic = None
            prepared.append(_Prepared(image, mosaic))
        runnable = [p for p in prepared if isinstance(p, _Prepared) and p.mosaic is not None]
        pending = inference.start(
            self._network, [p.mosaic for p in runnable], self.config.ela.display_quality
        )
        found = {id(p): self._others(p.image) for p in prepared if isinstance(p, _Prepared)}
        by_item = {id(p): output for p, output in zip(runnable, pending.outputs())}
        return [
            p if isinstance(p, ImageError) else self._findings(p, by_item.get(id(p)), found[id(p)])
            for p in prepared
        ]

    def _others(self, image: DecodedImage) -> dict:
        """Every signal but the ELA-CNN. The signals that say where ("the face at the left",
        a copied region's box) see the picture as people do; only the network needs the
        stored JPEG block grid."""
        upright = image.orient(image.pixels)
        backbone = self.networks.backbone
        return {
            "clone": detect_copy_move(upright, self.config.clone),
            "metadata": read_metadata(image),
            "provenance": read_provenance(image),
            "face": synthetic_face.judge(upright, backbone, self.networks.face, self.config.faces),
            "ai": ai_generated.judge(upright, backbone, self.networks.ai, self.config.ai),
        }

    def _findings(
        self, prepared: _Prepared, output: inference.Output | None, others: dict
    ) -> Findings:
        image = prepared.image
        height, width = image.pixels.shape[:2]
        size = _picture_size(height, width, self.config.verdict.picture_max_side)
        if output is None:
            score = None
            heat = np.zeros(size, np.float32)
            ela_picture = np.zeros(size, np.uint8)
        else:
            score = float(self.networks.ela.calibration.probability(output.logit))
            cell_heat = 1.0 / (1.0 + np.exp(-output.cells))
            heat = _to_picture(cell_heat, prepared.mosaic, (height, width), size)
            error = ela.error_picture(output.error)
            ela_picture = _to_picture(error, prepared.mosaic, (height, width), size)
        heat, ela_picture = image.orient(heat), image.orient(ela_picture)
        # Where the network's own heat peaks, before the other signals' regions join it.
        hotspot = where(heat) if heat.any() else "centre"
        for signal in (others["clone"], others["face"]):
            if signal.mask is not None:
                mask = Image.fromarray(signal.mask.astype(np.float32)).resize(heat.shape[::-1])
                heat = np.maximum(heat, np.asarray(mask))
        estimate = estimate_quality(image.quantization)
        quality = estimate.quality if estimate else None
        small = self._small(image)
        weak = self._weaknesses(image, quality, small)
        return Findings(
            image=image,
            quality=quality,
            ela=SignalResult("ela_cnn", score),
            weak=weak,  # an image without a mosaic is small, and said so
            small=small,
            hotspot=hotspot,
            heat=heat.astype(np.float32),
            ela_picture=ela_picture,
            **others,
        )

    def _small(self, image: DecodedImage) -> str | None:
        if min(image.width, image.height) < self.config.verdict.min_side:
            return f"The image is small ({image.width}x{image.height}): too few pixels to judge"
        return None

    def _weaknesses(
        self, image: DecodedImage, quality: int | None, small: str | None
    ) -> tuple[str, ...]:
        weak = [small] if small else []
        if image.format != "JPEG":
            weak.append(
                f"The file is {image.format}: it carries no JPEG compression history to read"
            )
        elif quality is not None and quality < self.config.verdict.min_jpeg_quality:
            weak.append(
                f"The image is heavily recompressed (JPEG quality about {quality}): "
                "earlier traces are mostly erased"
            )
        return tuple(weak)


def _picture_size(height: int, width: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def _to_picture(
    grid_map: np.ndarray, mosaic: ela.Mosaic, image_shape: tuple[int, int], size: tuple[int, int]
) -> np.ndarray:
    """Stretch a map over the mosaic's cells onto a picture of the whole image (stored
    orientation); the thin strip the cells do not reach repeats the nearest edge."""
    grid_h, grid_w = mosaic.grid
    span = mosaic.factor * 8
    covered_h = min(size[0], round(size[0] * grid_h * span / image_shape[0]))
    covered_w = min(size[1], round(size[1] * grid_w * span / image_shape[1]))
    mode = "L" if grid_map.dtype == np.uint8 else "F"
    resample = Image.Resampling.BILINEAR
    stretched = np.asarray(
        Image.fromarray(grid_map.astype(grid_map.dtype), mode).resize(
            (max(1, covered_w), max(1, covered_h)), resample
        )
    )
    pad = ((0, size[0] - stretched.shape[0]), (0, size[1] - stretched.shape[1]))
    return np.pad(stretched, pad, mode="edge")
