"""``fakecheck train-ai``: the probes of ``ai_generated`` (whole pictures) and
``synthetic_face`` (face crops) on the pretrained encoder, calibrated and measured.

The encoder is frozen, so each picture is encoded once per view (clean, and a copy changed
as shared online) and the probes train on those features in seconds. Whole pictures come
from three collections with different content, so besides the usual split the probe is
trained on two collections and measured on the third, in every direction: how it fares on
generators and subjects it never saw is the figure that matters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from PIL import Image
from tqdm import tqdm

from model.config import DetectorConfig
from model.nets import probe
from model.nets.backbone import SIDE, Backbone, FeatureSpec
from model.nets.calibration import calibrate
from model.signals import ai_generated, synthetic_face
from model.signals.faces import resized
from model.training import face_search, views
from model.training.config import ProbeTrainConfig, TrainConfig
from model.training.evaluate import Outcome, auc, flag_rates, plot
from model.training.manifest import Row, read_manifest, split_by_source, split_stratified

VERSION = "1"
View = Callable[[np.ndarray], np.ndarray]  # a picture to the crop the encoder reads


@dataclass
class Encoded:
    """One set's rows, labels and features under the views every row is encoded in."""

    rows: list[Row]
    labels: np.ndarray
    views: dict[str, np.ndarray]  # view name -> (len(rows), width)

    def training(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every view of the rows at ``index``, stacked, with their labels."""
        features = np.concatenate([v[index] for v in self.views.values()])
        return features, np.tile(self.labels[index], len(self.views))


class Encoder:
    def __init__(self, backbone: Backbone, settings: ProbeTrainConfig):
        self.backbone, self.settings = backbone, settings

    def features(self, rows: list[Row], view: View, spec: FeatureSpec, desc: str) -> np.ndarray:
        """The features ``spec`` names of each row's picture under ``view``."""
        out = []
        for row in tqdm(rows, desc=desc):
            pixels = np.asarray(Image.open(row.path).convert("RGB"))
            if row.origin == views.PHOTOS:
                pixels = views.collected(pixels)
            out.append(spec.select(self.backbone.features(view(pixels)[None])))
        return np.concatenate(out)

    def encode(self, rows: list[Row], views_: dict[str, View], spec: FeatureSpec) -> Encoded:
        labels = np.array([row.label for row in rows])
        encoded = {name: self.features(rows, view, spec, name) for name, view in views_.items()}
        return Encoded(rows, labels, encoded)


def fit(features: np.ndarray, labels: np.ndarray, l2: float, settings: ProbeTrainConfig):
    """A logistic probe (``nnx.Linear``) on standardised features: full-batch Adam with an
    L2 penalty. The standardisation is folded into the weights it returns."""
    centre, scale = features.mean(0), features.std(0) + 1e-6
    inputs = jnp.asarray((features - centre) / scale)
    targets = jnp.asarray(labels, jnp.float32)
    network = probe.linear(features.shape[1])
    optimizer = nnx.Optimizer(network, optax.adam(settings.learning_rate), wrt=nnx.Param)

    @nnx.jit
    def step(network: nnx.Linear, optimizer: nnx.Optimizer) -> jax.Array:
        def loss_fn(network: nnx.Linear) -> jax.Array:
            logits = network(inputs)[:, 0]
            data = optax.sigmoid_binary_cross_entropy(logits, targets).mean()
            return data + l2 * jnp.sum(network.kernel[...] ** 2)

        loss, grads = nnx.value_and_grad(loss_fn)(network)
        optimizer.update(network, grads)
        return loss

    for _ in range(settings.steps):
        step(network, optimizer)
    kernel = np.asarray(network.kernel[...])
    network.kernel[...] = jnp.asarray(kernel / scale[:, None])
    network.bias[...] = network.bias[...] - jnp.asarray((centre / scale) @ kernel)
    return network


def logits_of(network: nnx.Linear, features: np.ndarray) -> np.ndarray:
    return np.asarray(network(jnp.asarray(features))[:, 0])


def measure(scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict:
    return {"auc": auc(scores, labels), **flag_rates(scores >= threshold, labels)}


def split_index(rows: list[Row], settings: ProbeTrainConfig) -> dict[str, np.ndarray]:
    """Train / val / test positions. Photos are split by source photo with the ELA-CNN's
    seed and shares, as ``fakecheck train`` splits them: a CASIA forgery and the photo it
    was made from stay together, and the photos the ELA-CNN is tested on are unseen here
    too; everything else is split per (collection, label)."""
    photos = [row for row in rows if row.origin == views.PHOTOS]
    train = TrainConfig()
    parts = split_by_source(photos, train.val_share, train.test_share, train.seed)
    others = split_stratified(
        [row for row in rows if row.origin != views.PHOTOS],
        settings.val_share,
        settings.test_share,
        settings.seed,
    )
    position = {row: i for i, row in enumerate(rows)}
    return {
        name: np.array([position[r] for r in parts[name] + others[name]], int)
        for name in ("train", "val", "test")
    }


def ship(
    name: str,
    data: Encoded,
    test_views: dict[str, View],
    spec: FeatureSpec,
    l2: float,
    encoder: Encoder,
    workdir: Path,
) -> tuple[probe.Probe, dict]:
    """The probe to ship: trained on the train split, calibrated on the validation split
    (both under every encoded view), measured on the test split under each encoded view and
    each of ``test_views``."""
    settings = encoder.settings
    index = split_index(data.rows, settings)
    network = fit(*data.training(index["train"]), l2, settings)
    val_features, val_labels = data.training(index["val"])
    calibration = calibrate(logits_of(network, val_features), val_labels, settings.target_precision)
    test_rows = [data.rows[i] for i in index["test"]]
    labels = data.labels[index["test"]]
    test_features = {f"test_{k}": v[index["test"]] for k, v in data.views.items()}
    for view_name, view in test_views.items():
        test_features[f"test_{view_name}"] = encoder.features(test_rows, view, spec, view_name)
    metrics: dict = {"n": {part: len(i) for part, i in index.items()}}
    origins = np.array([row.origin for row in test_rows])
    for view_name, features in test_features.items():
        scores = calibration.probability(logits_of(network, features))
        metrics[view_name] = measure(scores, labels, calibration.manipulated_threshold) | {
            "by_origin": {
                origin: measure(
                    scores[origins == origin],
                    labels[origins == origin],
                    calibration.manipulated_threshold,
                )
                for origin in sorted(set(origins))
            }
        }
        outcomes = [Outcome(r, float(s), "", {}) for r, s in zip(test_rows, scores)]
        plot(outcomes, workdir, f"{name}_{view_name}")
    trained = probe.Probe(network, spec, calibration, VERSION, metrics)
    return trained, metrics


def across_origins(data: Encoded, l2: float, settings: ProbeTrainConfig) -> dict[str, dict]:
    """Trained on every collection but one (all its views, and the photos), measured on that
    one under each view: AUC per held-out collection."""
    origins = np.array([row.origin for row in data.rows])
    result = {}
    for origin in sorted(set(origins) - {views.PHOTOS}):  # photos are never generated
        held = origins == origin
        network = fit(*data.training(np.flatnonzero(~held)), l2, settings)
        result[origin] = {
            f"auc_{name}": auc(logits_of(network, features[held]), data.labels[held])
            for name, features in data.views.items()
        }
    return result


def train_probes(
    config: DetectorConfig,
    settings: ProbeTrainConfig,
    pictures_manifest: Path,
    faces_manifest: Path,
    photos_manifests: Sequence[Path],
    workdir: Path,
) -> dict:
    """Trains, calibrates and measures both probes; writes their weights to the detector's
    weights folder and metrics.json and the ROC / reliability figures to ``workdir``.

    The photos of ``photos_manifests`` (the ELA-CNN's: camera originals, CASIA's authentic
    and edited photos) join the whole pictures as real ones: none was generated, and
    without them the probe took 14 % of CASIA's photos for generated."""
    backbone = Backbone.load(config.backbone.path, config.backbone.threads)
    encoder = Encoder(backbone, settings)
    workdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(settings.seed)

    spec = FeatureSpec(*settings.ai_features)
    photos = [
        replace(row, label=0, origin=views.PHOTOS)
        for manifest in photos_manifests
        for row in read_manifest(manifest)
    ]
    pictures = encoder.encode(
        read_manifest(pictures_manifest) + photos,
        {"clean": views.picture, "changed": lambda p: views.picture_changed(p, rng, settings)},
        spec,
    )
    picture_probe, picture_metrics = ship(
        ai_generated.NAME,
        pictures,
        {
            "recompressed": lambda p: views.picture(views.jpeg_again(p, 75)),
            "resized": lambda p: views.picture(views.shared_copy(p, 0.875, 80)),
        },
        spec,
        settings.ai_l2,
        encoder,
        workdir,
    )
    picture_metrics["across_origins"] = across_origins(pictures, settings.ai_l2, settings)

    spec = FeatureSpec(*settings.face_features)
    faces = encoder.encode(
        read_manifest(faces_manifest),
        {
            "clean": lambda p: resized(p, SIDE),
            "changed": lambda p: views.face_changed(p, rng, settings),
        },
        spec,
    )
    face_probe, face_metrics = ship(
        synthetic_face.NAME,
        faces,
        {"resized": lambda p: resized(views.shared_copy(p, 0.75, 85), SIDE)},
        spec,
        settings.face_l2,
        encoder,
        workdir,
    )
    # The search is not trained here: the real faces of the test split measure it.
    test = [faces.rows[i] for i in split_index(faces.rows, settings)["test"]]
    real = [np.asarray(Image.open(r.path).convert("RGB")) for r in test if r.label == 0]
    face_metrics["face_search_rate"] = face_search.found_share(real, config, settings.seed)

    probe.save(config.weights_dir, ai_generated.NAME, picture_probe)
    probe.save(config.weights_dir, synthetic_face.NAME, face_probe)
    metrics = {ai_generated.NAME: picture_metrics, synthetic_face.NAME: face_metrics}
    (workdir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics
