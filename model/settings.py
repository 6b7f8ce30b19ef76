"""Typed settings from defaults, a TOML file, ``FAKECHECK_*`` variables and flags.

Each program (the service, each bot) declares its settings once as a frozen dataclass whose
fields carry a ``help`` text; ``load_settings`` fills it in this order, later winning:
the defaults, the TOML file, environment variables ``FAKECHECK_<NAME>``, then overrides
(command-line flags; ``None`` is skipped). Every value is checked against the field's type
before anything starts. The service and the bots may share one environment, so each says
which ``FAKECHECK_*`` names it owns; a misspelt name among its own fails at start-up.
"""

from __future__ import annotations

import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

ENV_PREFIX = "FAKECHECK_"
# The bots own the names starting so (``FAKECHECK_REDDIT_URL``, ``FAKECHECK_BOT_NAME``...);
# the service owns the rest.
BOT_PREFIXES = ("bot_", "reddit_", "x_")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

Settings = TypeVar("Settings")


class ConfigError(ValueError):
    """A setting is unknown or its value does not fit; raised before anything starts."""


def load_settings(
    kind: type[Settings],
    path: Path | None,
    environ: Mapping[str, str] | None,
    overrides: Mapping[str, Any],
    owns: Callable[[str], bool] = lambda name: True,
) -> Settings:
    """``kind`` filled from the four sources; ``owns`` picks this program's variables."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            values.update(tomllib.loads(path.read_text()))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"cannot read config file {path}: {error}") from error
    for name, text in (environ or {}).items():
        setting = name.removeprefix(ENV_PREFIX).lower()
        if name.startswith(ENV_PREFIX) and owns(setting):
            values[setting] = text
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    hints = typing.get_type_hints(kind)
    return kind(**{name: _coerce(name, hints[name], v) for name, v in values.items()})


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
