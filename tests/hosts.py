"""Hosts that installed one extra of pyproject.toml (``fakecheck[bot]``, ``[service]``), made
out of this venv, which holds them all: the distributions such a host would have, and
``fakecheck`` run as a process in which every other installed distribution cannot be imported.
What a host lacks is what pip would leave out: the closure of ``fakecheck[EXTRA]``'s
requirements in the installed metadata, extras and markers followed."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Runs the ``fakecheck`` console script as pip wrote it, after making the modules named in
# its first argument unimportable: ``import jax`` then raises ImportError, as on a host
# without JAX, however deep in the code it is tried.
_AS_HOST = """
import sys
from importlib.metadata import entry_points
for name in sys.argv[1].split(","):
    sys.modules[name] = None
(script,) = entry_points(group="console_scripts", name="fakecheck")
sys.argv = ["fakecheck", *sys.argv[2:]]
sys.exit(script.load()())
"""


def installed_with(extra: str) -> set[str]:
    """The distributions ``pip install fakecheck[extra]`` brings, by canonical name."""
    found: set[str] = set()
    seen: set[tuple[str, frozenset[str]]] = set()
    wanted = [Requirement(f"fakecheck[{extra}]")]
    while wanted:
        requirement = wanted.pop()
        name, extras = canonicalize_name(requirement.name), frozenset(requirement.extras)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        found.add(name)
        for line in metadata.requires(name) or []:
            needed = Requirement(line)
            if needed.marker is None or any(
                needed.marker.evaluate({"extra": e}) for e in {"", *extras}
            ):
                wanted.append(needed)
    return found


def missing_on(extra: str) -> list[str]:
    """Top-level modules of the installed distributions a ``fakecheck[extra]`` host lacks."""
    present = installed_with(extra)
    providers: dict[str, set[str]] = {}
    for module, names in metadata.packages_distributions().items():
        providers.setdefault(module, set()).update(canonicalize_name(n) for n in names)
    return sorted(
        module
        for module, names in providers.items()
        if module.isidentifier() and module not in sys.stdlib_module_names and not names & present
    )


def fakecheck_on(extra: str, args: list[str], **options: Any) -> subprocess.Popen:
    """``fakecheck ARGS`` as a process of a ``fakecheck[extra]`` host (``options`` go to
    Popen, ``env`` among them)."""
    code = [sys.executable, "-c", _AS_HOST, ",".join(missing_on(extra)), *args]
    return subprocess.Popen(code, **options)
