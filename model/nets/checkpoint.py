"""One network's checkpoint on disk: ``<stem>.msgpack`` (its state, Flax's msgpack
serialisation) beside ``<stem>.json`` (what is needed to use it: calibration, summary).

Both trained networks keep their files this way, so loading checks one thing the same way
for both: weights never go into a network whose shapes they do not fit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx, serialization

from model.errors import ModelError


def write(directory: Path, stem: str, network: nnx.Module, kinds: Any, meta: dict) -> None:
    """Write the ``kinds`` of state of ``network`` (an nnx filter) and ``meta``."""
    directory.mkdir(parents=True, exist_ok=True)
    state = nnx.to_pure_dict(nnx.state(network, kinds))
    (directory / f"{stem}.msgpack").write_bytes(serialization.msgpack_serialize(state))
    (directory / f"{stem}.json").write_text(json.dumps(meta, indent=2) + "\n")


def read_meta(directory: Path, stem: str, what: str) -> dict:
    """Raises ModelError naming ``what`` when the file is missing or not JSON."""
    try:
        return json.loads((directory / f"{stem}.json").read_text())
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot read the {what}'s weights in {directory}: {error}") from error


def restore(
    directory: Path, stem: str, build: Callable[[], nnx.Module], kinds: Any, what: str
) -> nnx.Module:
    """The network ``build`` makes, holding the saved state.

    The network is built abstractly: its initial values would be replaced at once, and
    computing them costs one XLA compilation per initialiser, 5 s of a cold start. State
    that is not saved (the dropout's random stream, unused at inference) gets fixed values.
    Raises ModelError when the file is unreadable or its shapes differ from the network's.
    """
    try:
        saved = serialization.msgpack_restore((directory / f"{stem}.msgpack").read_bytes())
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot read the {what}'s weights in {directory}: {error}") from error
    network = nnx.eval_shape(build)
    state = nnx.state(network, kinds)
    expected = jax.tree.map(_shape, nnx.to_pure_dict(state))
    try:
        if jax.tree.map(_shape, saved) != expected:
            raise ValueError("parameter shapes differ from the network's")
        nnx.replace_by_pure_dict(state, saved)
    except (KeyError, ValueError) as error:
        raise ModelError(f"the {what}'s weights in {directory} do not fit it: {error}") from error
    nnx.update(network, state)
    nnx.update(network, jax.tree.map(_fixed_value, nnx.state(network, nnx.Not(kinds))))
    return network


def _shape(leaf: Any) -> tuple[int, ...]:
    return tuple(leaf.shape)


def _fixed_value(leaf: jax.ShapeDtypeStruct) -> jax.Array:
    if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
        return jax.random.key(0)
    return jnp.zeros(leaf.shape, leaf.dtype)
