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
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from PIL import Image
from tqdm import tqdm

from model import face_model
from model.calibration import Calibration, calibrate
from model.config import DetectorConfig, FaceTrainConfig
from model.evaluate import Outcome, auc, flag_rates, plot
from model.faces import find_faces
from model.manifest import Row, read_manifest
from model.meso import Meso4

VERSION = "2"


def load_faces(rows: list[Row], size: int) -> np.ndarray:
    """(N, size, size, 3) uint8 crops."""
    return np.stack(
        [np.asarray(Image.open(r.path).convert("RGB").resize((size, size))) for r in rows]
    )


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
    """Downscaled by ``factor``, re-saved, scaled back to the network's input."""
    side = pixels.shape[0]
    small = Image.fromarray(pixels).resize((round(side * factor),) * 2, Image.Resampling.BILINEAR)
    again = jpeg_again(np.asarray(small), quality)
    return np.asarray(Image.fromarray(again).resize((side, side), Image.Resampling.BILINEAR))


def augment(pixels: np.ndarray, rng: np.random.Generator, config: FaceTrainConfig) -> np.ndarray:
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
    return np.asarray(Image.fromarray(out).resize((side, side), Image.Resampling.BILINEAR))


def loss_fn(network: Meso4, images: jnp.ndarray, labels: jnp.ndarray) -> jnp.ndarray:
    return optax.sigmoid_binary_cross_entropy(network(images), labels).mean()


@nnx.jit
def train_step(network: Meso4, optimizer: nnx.Optimizer, images, labels) -> jnp.ndarray:
    loss, grads = nnx.value_and_grad(loss_fn)(network, images, labels)
    optimizer.update(network, grads)
    return loss


def train_network(
    images: np.ndarray, labels: np.ndarray, config: FaceTrainConfig
) -> tuple[Meso4, list[float]]:
    """Meso-4 trained on freshly augmented copies every epoch; the mean loss per epoch."""
    rng = np.random.default_rng(config.seed)
    network = Meso4(nnx.Rngs(config.seed))
    batches_per_epoch = len(images) // config.batch_size
    schedule = optax.cosine_decay_schedule(config.learning_rate, config.epochs * batches_per_epoch)
    optimizer = nnx.Optimizer(network, optax.adam(schedule), wrt=nnx.Param)
    network.train()
    losses = []
    progress = tqdm(total=config.epochs * batches_per_epoch, desc="training Meso-4")
    for _ in range(config.epochs):
        order = rng.permutation(len(images))
        epoch = []
        for start in range(0, batches_per_epoch * config.batch_size, config.batch_size):
            chosen = order[start : start + config.batch_size]
            batch = np.stack([augment(images[i], rng, config) for i in chosen]) / 255.0
            loss = train_step(
                network,
                optimizer,
                jnp.asarray(batch, jnp.float32),
                jnp.asarray(labels[chosen], jnp.float32),
            )
            epoch.append(float(loss))
            progress.update()
            progress.set_postfix(loss=f"{np.mean(epoch):.3f}")
        losses.append(float(np.mean(epoch)))
    progress.close()
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


def train_faces(config: DetectorConfig, workdir: Path) -> dict:
    """Trains, calibrates, measures; writes the weights, metrics.json and the figures."""
    settings = config.face_train
    size = config.faces.input_size
    parts = split(read_manifest(settings.manifest), settings)
    data = {name: load_faces(rows, size) for name, rows in parts.items()}
    labels = {name: np.array([r.label for r in rows]) for name, rows in parts.items()}
    network, losses = train_network(data["train"], labels["train"], settings)
    uncalibrated = face_model.FaceModel(network, Calibration(), VERSION)
    # Calibrated on validation faces as they arrive: clean, and shrunk and re-saved.
    rng = np.random.default_rng(settings.seed + 1)
    val_images = np.concatenate([data["val"], [augment(i, rng, settings) for i in data["val"]]])
    val_labels = np.concatenate([labels["val"], labels["val"]])
    calibration = calibrate(uncalibrated.logits(val_images), val_labels, settings.target_precision)
    model = replace(uncalibrated, calibration=calibration)
    test_sets = {
        "test": data["test"],
        "test_resized": np.stack([resized_copy(i, 0.75, 85) for i in data["test"]]),
        "test_reframed": np.stack(
            [augment(i, np.random.default_rng(settings.seed + 2), settings) for i in data["test"]]
        ),
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
