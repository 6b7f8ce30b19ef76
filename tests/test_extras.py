"""Each package imports only what its host installs (pyproject.toml): the base dependencies
and its extra. Read from the source (every import, also inside functions), so an import
outside its extra fails here, before a host that lacks it does.

- ``bot/``: base and ``[bot]``; ``storage/`` (the service's and the bots'): base alone.
- ``service/`` and ``model/`` but its training: base and ``[service]``; ``model/training/``:
  base and ``[train]``.
- What each command's module runs on import, ``model/__init__.py`` and the ``fakecheck``
  command's own modules among it, is held to the command's extra: base alone for
  ``fakecheck`` itself and ``fakecheck db``."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
OURS = ("model", "service", "bot", "storage")
FOLDERS = {
    "bot": "bot",
    "storage": None,
    "service": "service",
    "model": "service",
    "model/training": "train",
}
# Each command's module (pyproject.toml's entry points) and the extra it needs.
COMMANDS = {"model.cli": None, "storage.cli": None, "bot.cli": "bot", "service.cli": "service"}


@cache
def allowed(extra: str | None) -> frozenset[str]:
    """The distributions base + ``extra`` name directly (``fakecheck[x]`` followed)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    wanted = [extra] if extra else []
    while wanted:
        lines += project["optional-dependencies"][wanted.pop()]
    names = set()
    for line in lines:
        name, extras = re.match(r"([A-Za-z0-9._-]+)(?:\[([^\]]*)\])?", line).groups()
        if canonicalize_name(name) == "fakecheck":
            names |= allowed(extras)
        else:
            names.add(canonicalize_name(name))
    return frozenset(names)


@cache
def providers() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def distributions(module: str) -> set[str]:
    names = providers().get(module.split(".")[0])
    assert names, f"{module} is imported but no installed distribution provides it"
    return {canonicalize_name(name) for name in names}


def imports(tree: ast.AST, on_import_only: bool = False) -> Iterator[str]:
    """Modules ``tree`` imports; ``on_import_only``: those run when it is imported (not in
    functions, nor under ``if TYPE_CHECKING``)."""
    for node in ast.iter_child_nodes(tree):
        if on_import_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if (
            on_import_only
            and isinstance(node, ast.If)
            and "TYPE_CHECKING" in ast.unparse(node.test)
        ):
            yield from (name for child in node.orelse for name in imports(child, True))
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            # ``from model import settings`` may name a module as well as an attribute.
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        yield from imports(node, on_import_only)


def third_party(names: Iterator[str]) -> set[str]:
    top = {name.split(".")[0] for name in names}
    return {name for name in top if name not in OURS and name not in sys.stdlib_module_names}


def source(module: str) -> Path | None:
    """The file of one of our modules, or None when ``module`` names an attribute."""
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def on_import(module: str) -> set[str]:
    """Third-party modules importing ``module`` imports, with our modules it imports in turn
    and the packages they sit in (``model/__init__.py``...)."""
    seen, found, wanted = set(), set(), [module]
    while wanted:
        name = wanted.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            path = source(".".join(parts[:depth]))
            if path is None or path in seen:
                continue
            seen.add(path)
            names = list(imports(ast.parse(path.read_text()), on_import_only=True))
            found |= third_party(iter(names))
            wanted += [n for n in names if n.split(".")[0] in OURS]
    return found


def folder_files(folder: str) -> Iterator[Path]:
    nested = [f for f in FOLDERS if f != folder and f.startswith(f"{folder}/")]
    for path in sorted((ROOT / folder).rglob("*.py")):
        if not any(path.is_relative_to(ROOT / n) for n in nested):
            yield path


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_import_is_in_the_folders_extra(folder):
    extra = FOLDERS[folder]
    wrong = {}
    for path in folder_files(folder):
        for module in third_party(imports(ast.parse(path.read_text()))):
            if not distributions(module) & allowed(extra):
                wrong.setdefault(module, []).append(str(path.relative_to(ROOT)))
    assert not wrong, f"imported outside base + [{extra}]: {wrong}"


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_imports_only_its_extra_when_loaded(command):
    extra = COMMANDS[command]
    wrong = {m for m in on_import(command) if not distributions(m) & allowed(extra)}
    assert not wrong, f"importing {command} imports {wrong}, outside base + [{extra}]"


def test_the_commands_are_registered_with_their_extras():
    entries = {e.name: e for e in metadata.entry_points(group="fakecheck.commands")}
    for name, entry in entries.items():
        assert COMMANDS[entry.module] == (entry.extras[0] if entry.extras else None), name
    (script,) = metadata.entry_points(group="console_scripts", name="fakecheck")
    assert script.module in COMMANDS


def test_the_check_sees_an_import_outside_its_extra():
    lazy = ast.parse("def f():\n    import jax\nif TYPE_CHECKING:\n    import praw\n")
    assert third_party(imports(lazy)) == {"jax", "praw"}
    assert third_party(imports(lazy, on_import_only=True)) == set()
    assert not distributions("jax") & allowed("bot")
    assert distributions("praw") <= allowed("bot") and not distributions("praw") & allowed(None)
    assert distributions("numpy") <= allowed("train")  # through fakecheck[service]
