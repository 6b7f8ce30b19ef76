"""``fakecheck train``: train the ELA-CNN, calibrate it, and measure it on held-out data.

The loop follows Flax's examples: a jitted ``train_step`` on batches made by a background
thread (decoding and JPEG re-saving run while XLA trains), fixed seeds throughout.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from tqdm import tqdm

from model.config import DetectorConfig
from model.image.decode import decode
from model.nets import inference, weights
from model.nets.calibration import Calibration, calibrate
from model.nets.compiled import COMPILER_OPTIONS, Frozen
from model.nets.network import ElaNet, NetworkSpec
from model.signals import ela
from model.training.config import TrainConfig
from model.training.examples import Example, Sources, training_example
from model.training.holdout import write_sets
from model.training.manifest import read_manifest, split_by_source

Batch = dict[str, np.ndarray]
VERSION = "2"


def to_batch(examples: list[Example], config: DetectorConfig) -> Batch:
    """Network inputs and targets: pixels, valid cells, per-cell mask share, labels."""
    cells = config.ela.max_cells
    n = len(examples)
    batch = {
        "pixels": np.zeros((n, cells * 8, cells * 8, 3), np.float32),
        "valid": np.zeros((n, cells, cells), np.float32),
        "target": np.zeros((n, cells, cells), np.float32),
        # Cells of a forgery whose mask is unknown teach nothing about where it is.
        "has_mask": np.zeros(n, np.float32),
        "label": np.zeros(n, np.float32),
    }
    for i, example in enumerate(examples):
        mosaic = ela.make_mosaic(decode(example.data, config.decode).pixels, cells)
        batch["pixels"][i], batch["valid"][i] = ela.padded(mosaic, cells, cells)
        gh, gw = mosaic.grid
        if example.mask is not None:
            batch["target"][i, :gh, :gw] = mosaic.cell_mean(example.mask)
        batch["has_mask"][i] = float(example.mask is not None or example.label == 0)
        batch["label"][i] = example.label
    return batch


def loss_fn(model: ElaNet, batch: Batch, mask_weight: float) -> tuple[jnp.ndarray, dict]:
    cells, image = model(batch["pixels"], batch["valid"])
    image_loss = optax.sigmoid_binary_cross_entropy(image, batch["label"]).mean()
    per_cell = optax.sigmoid_binary_cross_entropy(cells, batch["target"]) * batch["valid"]
    weight = batch["has_mask"][:, None, None] * batch["valid"]
    cell_loss = jnp.sum(per_cell * weight) / jnp.maximum(jnp.sum(weight), 1.0)
    return image_loss + mask_weight * cell_loss, {"image_loss": image_loss, "cell_loss": cell_loss}


@partial(jax.jit, static_argnums=(0, 3), donate_argnums=1, compiler_options=COMPILER_OPTIONS)
def train_step(
    graphdef: nnx.GraphDef, state: nnx.State, batch: Batch, mask_weight: float
) -> tuple[nnx.State, dict]:
    """One step on the split (model, optimizer), returning their new state.

    Pure and compiled with the CPU options of ``model.nets.compiled``: 0.47 s a step where
    ``nnx.jit`` took 0.98 s (its YNNPACK reductions on the ELA features)."""
    model, optimizer = nnx.merge(graphdef, state)
    grad_fn = nnx.value_and_grad(loss_fn, has_aux=True)
    (loss, parts), grads = grad_fn(model, batch, mask_weight)
    optimizer.update(model, grads)
    return nnx.state((model, optimizer)), {"loss": loss, **parts}


def batches(sources: Sources, config: DetectorConfig, train: TrainConfig) -> Iterator[Batch]:
    """Batches made ahead on a background thread (bounded queue, so memory stays flat)."""
    made: queue.Queue = queue.Queue(maxsize=4)

    def produce() -> None:
        rng = np.random.default_rng(train.seed)
        for _ in range(train.steps):
            examples = [training_example(rng, sources, train) for _ in range(train.batch_size)]
            made.put(to_batch(examples, config))

    threading.Thread(target=produce, daemon=True).start()
    for _ in range(train.steps):
        yield made.get()


def train_network(
    sources: Sources, config: DetectorConfig, train: TrainConfig
) -> tuple[ElaNet, list[float]]:
    model = ElaNet(NetworkSpec(config.ela.feature_qualities), nnx.Rngs(train.seed))
    schedule = optax.warmup_cosine_decay_schedule(
        0.0, train.learning_rate, max(1, train.steps // 20), train.steps
    )
    optimizer = nnx.Optimizer(
        model, optax.adamw(schedule, weight_decay=train.weight_decay), wrt=nnx.Param
    )
    graphdef, state = nnx.split((model, optimizer))
    losses = []
    progress = tqdm(batches(sources, config, train), total=train.steps, desc="training")
    for batch in progress:
        state, metrics = train_step(graphdef, state, batch, train.mask_loss_weight)
        losses.append(float(metrics["loss"]))
        progress.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
    nnx.update((model, optimizer), state)
    return model, losses


def network_logits(
    model: ElaNet, manifest: Path, config: DetectorConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Image logits and labels of every image of a manifest (for calibration)."""
    rows = read_manifest(manifest)
    network = Frozen.of(model)
    logits = []
    for start in range(0, len(rows), 16):
        chunk = rows[start : start + 16]
        mosaics = [
            ela.make_mosaic(
                decode(row.path.read_bytes(), config.decode).pixels, config.ela.max_cells
            )
            for row in chunk
        ]
        logits += [output.logit for output in inference.run(network, mosaics)]
    return np.array(logits), np.array([row.label for row in rows])


def train_and_evaluate(
    config: DetectorConfig, train: TrainConfig, manifests: Sequence[Path], workdir: Path
) -> dict:
    """Train on the images of ``manifests``, calibrate on validation sets, save the weights,
    evaluate on the test sets.

    Writes the weights to ``config.weights_dir`` and metrics.json, roc.png and
    reliability.png to ``workdir``; returns the metrics.
    """
    from model.training.evaluate import evaluate_manifests  # the detector needs the saved weights

    started = time.perf_counter()
    rows = [row for manifest in manifests for row in read_manifest(manifest)]
    splits = split_by_source(rows, train.val_share, train.test_share, train.seed)
    sets = {}
    for split in ("val", "test"):
        sets.update(write_sets(splits[split], split, workdir / "sets", train))
    sources = Sources(splits["train"])
    model, losses = train_network(sources, config, train)

    val_logits, val_labels = zip(
        *(
            network_logits(model, sets[name], config)
            for name in ("val", "val_resized", "val_shortcut")
        )
    )
    calibration: Calibration = calibrate(
        np.concatenate(val_logits), np.concatenate(val_labels), train.target_precision
    )
    summary = {
        "steps": train.steps,
        "batch_size": train.batch_size,
        "seed": train.seed,
        "train_images": {"dataset": len(sources.dataset), "camera_photos": len(sources.photos)},
        "split_sizes": {name: len(split_rows) for name, split_rows in splits.items()},
        # Mean loss over the first and the last tenth of the steps.
        "loss_start": float(np.mean(losses[: max(1, len(losses) // 10)])),
        "loss_end": float(np.mean(losses[-max(1, len(losses) // 10) :])),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    trained = weights.Trained(model, model.spec, calibration, VERSION, summary)
    weights.save(config.weights_dir, trained)

    test_sets = {name: path for name, path in sets.items() if name.startswith("test")}
    metrics = evaluate_manifests(replace(config), test_sets, workdir)
    metrics["training"] = summary
    metrics["calibration"] = calibration.to_json()
    (workdir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics
