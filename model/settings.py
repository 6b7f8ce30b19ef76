"""Typed settings from defaults, a TOML file, ``FAKECHECK_*`` variables and flags.

Each program (the service, the bots) declares its settings once as a frozen dataclass of
``setting(default, help, ...)`` fields; ``load_settings`` fills it in this order, later
winning: the defaults, the TOML file, environment variables ``FAKECHECK_<NAME>``, then
overrides (command-line flags; ``None`` is skipped). Every value is checked against the
field's type and bounds before anything starts.

Programs may share one environment, so each says which ``FAKECHECK_*`` names it owns: a
tuple of names, where one ending in ``_`` stands for every name starting so. A program
with its own names (the bots: ``bot_``, ``reddit_``, ``x_``) registers them in the
entry-point group ``fakecheck.settings`` (pyproject.toml); one program, the service, owns
every name no registered program does, so a misspelt name fails at start-up of the program
it belongs to, and a name nobody owns fails the service's. This module knows no program's
names.
"""

from __future__ import annotations

import functools
import math
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import field, fields
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypeVar

ENV_PREFIX = "FAKECHECK_"
# Where the programs that own names of their own say which (see above).
OWNERS_GROUP = "fakecheck.settings"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

Settings = TypeVar("Settings")


class ConfigError(ValueError):
    """A setting is unknown or its value does not fit; raised before anything starts."""


def setting(
    default: Any,
    help: str,
    *,
    at_least: float | None = None,
    above: float | None = None,
    at_most: float | None = None,
) -> Any:
    """A field of a settings dataclass: its default, a line saying what it does, and the
    bounds ``check_bounds`` holds its value to."""
    bounds = {"at_least": at_least, "above": above, "at_most": at_most}
    return field(default=default, metadata={"help": help, **bounds})


def check_bounds(config: Any) -> None:
    """Refuses a value outside its field's bounds; each program calls it on construction."""
    for item in fields(config):
        value, meta = getattr(config, item.name), item.metadata
        if isinstance(value, float) and not math.isfinite(value):
            # NaN passes every comparison below, and then means nothing a reader expects.
            raise ConfigError(f"setting {item.name} must be a finite number")
        if meta.get("at_least") is not None and value < meta["at_least"]:
            raise ConfigError(f"setting {item.name} must be at least {meta['at_least']:g}")
        if meta.get("above") is not None and value <= meta["above"]:
            raise ConfigError(f"setting {item.name} must be more than {meta['above']:g}")
        if meta.get("at_most") is not None and value > meta["at_most"]:
            raise ConfigError(f"setting {item.name} must be at most {meta['at_most']:g}")


def load_settings(
    kind: type[Settings],
    path: Path | None,
    environ: Mapping[str, str] | None,
    overrides: Mapping[str, Any],
    owns: tuple[str, ...] | None,
) -> Settings:
    """``kind`` filled from the four sources. ``owns``: this program's ``FAKECHECK_*`` names
    (see above), or None for every name no program in ``fakecheck.settings`` owns."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values.update(tomllib.loads(path.read_text()))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"cannot read config file {path}: {error}") from error
    for name, text in (environ or {}).items():
        key = name.removeprefix(ENV_PREFIX).lower()
        if name.startswith(ENV_PREFIX) and _owned(key, owns):
            values[key] = text
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    hints = typing.get_type_hints(kind)
    return kind(**{name: _coerce(name, hints[name], v) for name, v in values.items()})


def _owned(key: str, owns: tuple[str, ...] | None) -> bool:
    if owns is not None:
        return _claimed(key, owns)
    return not any(_claimed(key, names) for names in registered_owners().values())


def _claimed(key: str, names: tuple[str, ...]) -> bool:
    return any(key.startswith(n) if n.endswith("_") else key == n for n in names)


@functools.cache
def registered_owners() -> dict[str, tuple[str, ...]]:
    """Each program registered in ``fakecheck.settings``, with the names it owns. The
    package's own metadata registers some; none means code run without it (a checkout on
    PYTHONPATH, an install older than the code), where the service would refuse every
    other program's variables: said so instead."""
    owners = {entry.name: tuple(entry.load()) for entry in entry_points(group=OWNERS_GROUP)}
    if not owners:
        raise ConfigError(
            f"no program registered its settings ({OWNERS_GROUP}): install fakecheck "
            "(make install, or pip install -e .) rather than running it from the source"
        )
    return owners


def _coerce(name: str, kind: Any, value: Any) -> Any:
    """A value from TOML (typed) or the environment (text) as the setting's type."""
    try:
        if typing.get_origin(kind) in (typing.Union, types.UnionType):
            options = [k for k in typing.get_args(kind) if k is not type(None)]
            return None if value in ("", None) else _coerce(name, options[0], value)
        if kind is bool:
            if isinstance(value, bool):
                return value
            if str(value).lower() in _TRUE | _FALSE:
                return str(value).lower() in _TRUE
            raise ValueError(f"not a yes/no value: {value!r}")
        if typing.get_origin(kind) is tuple:
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(item).strip() for item in items if str(item).strip())
        if kind not in (int, float, str, Path):
            raise TypeError(f"unsupported setting type {kind}")
        if kind is int and isinstance(value, float):
            raise ValueError(f"not a whole number: {value!r}")
        return kind(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"setting {name}: {error}") from error
