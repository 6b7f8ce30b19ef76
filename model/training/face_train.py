"""``fakecheck train-faces``: Meso-4 on real and GAN faces, calibrated and measured.

The faces set has one image per person (FFHQ ids, StyleGAN samples), so a seeded split
stratified by label keeps test faces unseen. Both classes are augmented alike — crops and
shifts, flips, downscaling, JPEG re-compression — so framing and quality cannot give the
label away. Test figures cover the clean crops, a 0.75x resize re-saved at q85, and a
re-framed copy; the face search is measured on real test faces pasted into larger scenes.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from functools import partial
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from PIL import Image
from tqdm import tqdm

from model.config import DetectorConfig
from model.nets import face_model
from model.nets.calibration import Calibration, calibrate
from model.nets.compiled import COMPILER_OPTIONS
from model.nets.meso import Meso4
from model.signals.faces import find_faces, resized
from model.training.config import FaceTrainConfig
from model.training.evaluate import Outcome, auc, flag_rates, plot
from model.training.manifest import Row, read_manifest

VERSION = "3"


def load_faces(rows: list[Row], size: int) -> np.ndarray:
    """(N, size, size, 3) uint8 crops."""
    return np.stack([resized(np.asarray(Image.open(r.path).convert("RGB")), size) for r in rows])


def split(rows: list[Row], config: FaceTrainConfig) -> dict[str, list[Row]]:
    """Train / val / test, stratified by label, seeded."""
    rng = np.random.default_rng(config.seed)
    parts: dict[str, list[Row]] = {"train": [], "val": [], "test": []}
    for label in (0, 1):
        group = [r for r in rows if r.label == label]
        order = rng.permutation(len(group))
        n_test = round(len(group) * config.test_share)
        n_val = round(len(group) * config.val_share)
        parts["test"] += [group[i] for i in order[:n_test]]
        parts["val"] += [group[i] for i in order[n_test : n_test + n_val]]
        parts["train"] += [group[i] for i in order[n_test + n_val :]]
    return parts


def jpeg_again(pixels: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


def resized_copy(pixels: np.ndarray, factor: float, quality: int) -> np.ndarray:
    """Downscaled by ``factor`` and re-saved, as a picture shared online would be."""
    side = pixels.shape[0]
    small = Image.fromarray(pixels).resize((round(side * factor),) * 2, Image.Resampling.BILINEAR)
    return jpeg_again(np.asarray(small), quality)


def augment(
    pixels: np.ndarray, rng: np.random.Generator, config: FaceTrainConfig, size: int
) -> np.ndarray:
    """A re-framed, rescaled, maybe re-saved copy of a source crop, at the network's input
    ``size``: the re-save happens at the source's scale, as it would online."""
    side = pixels.shape[0]
    keep = round(side * rng.uniform(*config.crop_range))
    top, left = rng.integers(0, side - keep + 1, 2)
    image = Image.fromarray(pixels[top : top + keep, left : left + keep])
    if rng.random() < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    small = round(side * rng.uniform(*config.resize_range))
    image = image.resize((small, small), Image.Resampling.BILINEAR)
    out = np.asarray(image)
    if rng.random() < config.recompress_share:
        out = jpeg_again(out, int(rng.integers(*config.recompress_quality, endpoint=True)))
    return resized(out, size)


def network_inputs(images: np.ndarray | list[np.ndarray], size: int) -> np.ndarray:
    """Crops of any size scaled to the network's input, as ``faces.crop`` scales them."""
    return np.stack([resized(i, size) for i in images])


def loss_fn(network: Meso4, images: jnp.ndarray, labels: jnp.ndarray) -> jnp.ndarray:
    return optax.sigmoid_binary_cross_entropy(network(images), labels).mean()


@partial(jax.jit, static_argnums=0, donate_argnums=1, compiler_options=COMPILER_OPTIONS)
def train_step(
    graphdef: nnx.GraphDef, state: nnx.State, images: jax.Array, labels: jax.Array
) -> tuple[nnx.State, jax.Array]:
    """One step on the split (network, optimizer), pure like the ELA-CNN's
    (``model.training.train``): ``nnx.jit`` would split and merge them again on every step."""
    network, optimizer = nnx.merge(graphdef, state)
    loss, grads = nnx.value_and_grad(loss_fn)(network, images, labels)
    optimizer.update(network, grads)
    return nnx.state((network, optimizer)), loss


def train_network(
    images: np.ndarray, labels: np.ndarray, config: FaceTrainConfig, size: int
) -> tuple[Meso4, list[float]]:
    """Meso-4 for ``size`` inputs, trained on freshly augmented copies of the source crops
    every epoch; the mean loss per epoch."""
    rng = np.random.default_rng(config.seed)
    network = Meso4(nnx.Rngs(config.seed), size)
    batches_per_epoch = len(images) // config.batch_size
    schedule = optax.cosine_decay_schedule(config.learning_rate, config.epochs * batches_per_epoch)
    optimizer = nnx.Optimizer(network, optax.adam(schedule), wrt=nnx.Param)
    network.train()
    graphdef, state = nnx.split((network, optimizer))
    losses = []
    progress = tqdm(total=config.epochs * batches_per_epoch, desc="training Meso-4")
    for _ in range(config.epochs):
        order = rng.permutation(len(images))
        epoch = []
        for start in range(0, batches_per_epoch * config.batch_size, config.batch_size):
            chosen = order[start : start + config.batch_size]
            batch = np.stack([augment(images[i], rng, config, size) for i in chosen]) / 255.0
            state, loss = train_step(
                graphdef,
                state,
                jnp.asarray(batch, jnp.float32),
                jnp.asarray(labels[chosen], jnp.float32),
            )
            epoch.append(float(loss))
            progress.update()
            progress.set_postfix(loss=f"{np.mean(epoch):.3f}")
        losses.append(float(np.mean(epoch)))
    progress.close()
    nnx.update((network, optimizer), state)
    network.eval()
    return network, losses


def scene_with(
    face: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 960x720 scene (smooth colour, texture, noise) with ``face`` pasted at a random place
    and size; returns the scene and where the face went."""
    height, width = 720, 960
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = rng.uniform(0, 6, 3)
    scene = np.stack(
        [110 + 60 * np.sin(x / (70 + 9 * c) + phase[c]) * np.cos(y / 53) for c in range(3)], -1
    )
    scene += rng.normal(0, 6, scene.shape)
    side = int(rng.integers(140, 300))
    top, left = int(rng.integers(0, height - side)), int(rng.integers(0, width - side))
    scene[top : top + side, left : left + side] = np.asarray(
        Image.fromarray(face).resize((side, side))
    )
    return np.clip(scene, 0, 255).astype(np.uint8), (left, top, side, side)


def face_search_rate(faces: np.ndarray, config: DetectorConfig, seed: int) -> float:
    """Share of the faces found again (box centre inside the pasted crop) once pasted into scenes."""
    rng = np.random.default_rng(seed)
    found = 0
    for face in faces:
        scene, (left, top, side, _) = scene_with(face, rng)
        boxes = find_faces(scene, config.faces)
        found += any(
            left <= x + w / 2 <= left + side and top <= y + h / 2 <= top + side
            for x, y, w, h in boxes
        )
    return found / len(faces)


def train_faces(
    config: DetectorConfig, settings: FaceTrainConfig, manifest: Path, workdir: Path
) -> dict:
    """Trains on the faces of ``manifest``, calibrates, measures; writes the weights,
    metrics.json and the figures."""
    size = config.faces.input_size
    parts = split(read_manifest(manifest), settings)
    data = {name: load_faces(rows, settings.source_size) for name, rows in parts.items()}
    labels = {name: np.array([r.label for r in rows]) for name, rows in parts.items()}
    network, losses = train_network(data["train"], labels["train"], settings, size)
    uncalibrated = face_model.FaceModel(network, Calibration(), VERSION)
    # Calibrated on validation faces as they arrive: clean, and re-framed and re-saved.
    rng = np.random.default_rng(settings.seed + 1)
    val_images = np.concatenate(
        [
            network_inputs(data["val"], size),
            [augment(i, rng, settings, size) for i in data["val"]],
        ]
    )
    val_labels = np.concatenate([labels["val"], labels["val"]])
    calibration = calibrate(uncalibrated.logits(val_images), val_labels, settings.target_precision)
    model = replace(uncalibrated, calibration=calibration)
    reframe = np.random.default_rng(settings.seed + 2)
    test_sets = {
        "test": network_inputs(data["test"], size),
        "test_resized": network_inputs([resized_copy(i, 0.75, 85) for i in data["test"]], size),
        "test_reframed": np.stack([augment(i, reframe, settings, size) for i in data["test"]]),
    }
    workdir.mkdir(parents=True, exist_ok=True)
    metrics: dict = {"losses": losses, "n": {k: len(v) for k, v in parts.items()}}
    for name, images in test_sets.items():
        scores = model.probabilities(images)
        plot([Outcome(r, float(p), "", {}) for r, p in zip(parts["test"], scores)], workdir, name)
        metrics[name] = {
            "auc": auc(scores, labels["test"]),
            **flag_rates(scores >= calibration.manipulated_threshold, labels["test"]),
        }
    real_test = data["test"][labels["test"] == 0]
    metrics["face_search_rate"] = face_search_rate(real_test, config, settings.seed)
    model.summary = {k: v for k, v in metrics.items() if k != "losses"} | {
        "epochs": settings.epochs
    }
    face_model.save(config.weights_dir, model)
    (workdir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics
