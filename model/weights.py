"""Saving and loading the trained network with everything needed to use it.

Two files: ``ela_cnn.msgpack`` (the parameters, Flax's msgpack serialisation) and
``ela_cnn.json`` (the network's shape, its calibration and a training summary). Keeping
the shape beside the parameters means weights never load into a network they don't fit.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx, serialization

from model.calibration import Calibration
from model.errors import ModelError
from model.network import ElaNet, NetworkSpec

PARAMS_FILE = "ela_cnn.msgpack"
META_FILE = "ela_cnn.json"
MODEL_NAME = "ela-cnn"


@dataclass(frozen=True)
class Trained:
    network: ElaNet
    spec: NetworkSpec
    calibration: Calibration
    version: str
    summary: dict[str, Any] = field(default_factory=dict)


def save(directory: Path, trained: Trained) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    state = nnx.state(trained.network, nnx.Param)
    (directory / PARAMS_FILE).write_bytes(serialization.msgpack_serialize(nnx.to_pure_dict(state)))
    meta = {
        "name": MODEL_NAME,
        "version": trained.version,
        "spec": asdict(trained.spec),
        "calibration": trained.calibration.to_json(),
        "summary": trained.summary,
    }
    (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")


def load(directory: Path) -> Trained:
    """Raises ModelError with what is missing or wrong, never a bare traceback."""
    try:
        meta = json.loads((directory / META_FILE).read_text())
        params = serialization.msgpack_restore((directory / PARAMS_FILE).read_bytes())
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot read the detector's weights in {directory}: {error}") from error
    spec_fields = meta["spec"]
    spec = NetworkSpec(
        **{
            key: tuple(value) if isinstance(value, list) else value
            for key, value in spec_fields.items()
        }
    )
    network = ElaNet(spec, nnx.Rngs(0))
    state = nnx.state(network, nnx.Param)
    expected = jax.tree.map(jnp.shape, nnx.to_pure_dict(state))
    try:
        if jax.tree.map(jnp.shape, params) != expected:
            raise ValueError("parameter shapes differ from the network's")
        nnx.replace_by_pure_dict(state, params)
    except (KeyError, ValueError) as error:
        raise ModelError(f"the weights in {directory} do not fit the network: {error}") from error
    nnx.update(network, state)
    return Trained(
        network,
        spec,
        Calibration(**meta["calibration"]),
        str(meta["version"]),
        meta.get("summary", {}),
    )
