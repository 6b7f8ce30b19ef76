"""Trained networks run as pure compiled functions on this CPU.

``nnx.jit`` splits a module and merges it back on every call, which cost about 7 ms of a
1 MP verdict and is not safe from two threads at once (the service analyses batches in
several). Here a module is split once into a ``Frozen`` pair: its structure is the
compiled program's static argument and its weights an ordinary one, so calls share
nothing mutable and need no lock.

XLA's CPU backend in jax 0.10 hands reductions to YNNPACK. The ELA features are many
small reductions (64 coefficients of each block, per re-save quality), which YNNPACK runs
about five times slower than XLA's own loops: 22 ms against 4 ms for a 48x48-cell grid.
So those library fusions are switched off for the networks compiled here.
"""

from __future__ import annotations

import functools
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax
from flax import nnx

COMPILER_OPTIONS = {"xla_cpu_experimental_ynn_fusion_type": ""}


def use_compile_cache(directory: Path | None) -> None:
    """Keep every program XLA compiles from now on in ``directory`` (None: keep none), for
    the whole process: JAX holds one cache. A folder that cannot be written is skipped.

    Compiling the networks is most of a cold start: the first verdict of a new process
    took 1.9 s, 0.7 s when its programs came from the cache. Small programs are kept too,
    since a cold start compiles dozens. JAX keys entries by program, options and jaxlib
    version, and recompiles (with a warning) when an entry cannot be read, so a stale or
    damaged cache costs time, never a wrong result; a damaged entry is not overwritten, so
    deleting the folder is the repair.
    """
    if directory is None:
        return
    try:  # JAX would warn on every program it cannot keep; a cache is worth one warning
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        warnings.warn(
            f"compiled networks are not kept: cannot write to {directory} ({error})",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    jax.config.update("jax_compilation_cache_dir", str(directory))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


@dataclass(frozen=True)
class Frozen:
    """A module's structure and weights, split once for inference."""

    graphdef: nnx.GraphDef
    state: nnx.State

    @classmethod
    def of(cls, module: nnx.Module) -> Frozen:
        """Split ``module`` as it is now (set eval mode first where it has one)."""
        return cls(*nnx.split(module))


def frozen_jit(
    static_argnames: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Compile ``fn(module, *args)`` into ``call(frozen, *args)``."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        def merged(graphdef: nnx.GraphDef, state: nnx.State, *args: Any, **kwargs: Any) -> Any:
            return fn(nnx.merge(graphdef, state), *args, **kwargs)

        compiled = jax.jit(
            merged,
            static_argnums=0,
            static_argnames=static_argnames,
            compiler_options=COMPILER_OPTIONS,
        )

        @functools.wraps(fn)
        def call(frozen: Frozen, *args: Any, **kwargs: Any) -> Any:
            return compiled(frozen.graphdef, frozen.state, *args, **kwargs)

        return call

    return decorate
