"""The ``fakecheck`` command.

The model's own commands live here; other packages add theirs (``serve``, ``bot``) through
the ``fakecheck.commands`` entry-point group in pyproject.toml, so this package never
imports them. This module imports only the base install; what a command needs beyond it
(an extra: ``[service]``, ``[bot]``, ``[train]``) is imported when it runs. It stays one
module at about 300 lines: each command is a few lines of options handing off to
``model.files`` or ``model.training``, and the group that finds the others lives beside them.
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import replace
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import click

from model.config import get_config
from model.errors import ImageError, ModelError
from model.settings import ENV_PREFIX
from model.training.config import (
    DATASETS,
    ProbeTrainConfig,
    TrainConfig,
    faces_manifest,
    pictures_manifest,
    train_manifests,
)

# The FAKECHECK_* names the training commands own (see model.settings), registered in
# pyproject.toml: FAKECHECK_DATASETS, the --datasets folder, which the tests read too.
OWNED = ("datasets",)


# What the model's own commands need beyond the base install (the other packages' commands
# name theirs in their entry points).
_EXTRAS = {"analyze": "service"} | dict.fromkeys(
    ("train", "train-ai", "train-fusion", "evaluate"), "train"
)


class _Commands(click.Group):
    """Adds the commands other packages register, loaded only when asked for. A command
    whose extra this host lacks says which to install, instead of a traceback."""

    @functools.cached_property
    def _plugins(self) -> dict[str, EntryPoint]:
        """Read from the package's metadata once per run, not on every lookup."""
        return {ep.name: ep for ep in entry_points(group="fakecheck.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in self._plugins:
            command = _load_command(self._plugins[name])
        return command

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ModuleNotFoundError as error:
            name = ctx.invoked_subcommand
            plugin = self._plugins.get(name)
            hint = _install_hint(",".join(plugin.extras) if plugin else _EXTRAS.get(name), error)
            if hint is None:
                raise
            raise click.ClickException(f"fakecheck {name} {hint}") from error


def _load_command(entry: EntryPoint) -> click.Command:
    """The registered command, or where its extra is missing one that says so when run."""
    try:
        return entry.load()
    except ModuleNotFoundError as error:
        hint = _install_hint(",".join(entry.extras), error)
        if hint is None:
            raise

    def missing(args: tuple[str, ...]) -> None:
        raise click.ClickException(f"fakecheck {entry.name} {hint}")

    # Takes whatever it is given (``serve --port 8080``), so the hint is what is said.
    return click.Command(
        entry.name,
        callback=missing,
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        help=hint[0].upper() + hint[1:],
    )


def _install_hint(extra: str | None, error: ModuleNotFoundError) -> str | None:
    """What to install for a module this host lacks; None for one of ours (a bug instead)."""
    if not extra or (error.name or "").split(".")[0] in ("model", "service", "bot", "storage"):
        return None
    return f"needs pip install 'fakecheck[{extra}]' ({error.name} is missing)"


@click.group(cls=_Commands)
def main() -> None:
    """FakeCheck: was this picture digitally altered, and where?"""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One verdict JSON object per line.")
def analyze(files: tuple[str, ...], as_json: bool) -> None:
    """Analyse image FILES and print a verdict for each."""
    from model.detector import Detector
    from model.files import analyze_files, why

    detector = _run(Detector.load, get_config())
    failed = False
    for path, result in analyze_files(detector, [Path(f) for f in files]):
        name = str(path)
        if isinstance(result, (ImageError, OSError)):
            failed = True
            click.echo(f"{name}: error: {why(result)}", err=True)
        elif as_json:
            click.echo(json.dumps({"file": name, **result.to_json()}))
        else:
            click.echo(f"{name}: {result.band} (score {result.score:.2f})")
            for reason in result.reasons:
                click.echo(f"  - {reason}")
    sys.exit(1 if failed else 0)


def _workdir(default: str, help: str):
    """The --workdir option both training commands take."""
    return click.option(
        "--workdir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=help,
    )


def _datasets(holding: str):
    """The --datasets option both training commands take: where their manifests are."""
    return click.option(
        "--datasets",
        type=click.Path(file_okay=False, path_type=Path),
        default=DATASETS,
        envvar=f"{ENV_PREFIX}DATASETS",
        show_default=True,
        show_envvar=True,
        help=f"The shared datasets' folder, holding {holding}.",
    )


@main.command()
@_workdir("var/train", "Where held-out sets, metrics and plots are written.")
@click.option("--steps", type=int, help="Training steps (default from the config).")
@_datasets("casia1/ and camera-originals/")
@click.option(
    "--manifest",
    "manifests",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Training manifest (repeatable; default: CASIA v1 and camera originals of --datasets).",
)
def train(workdir: Path, steps: int | None, datasets: Path, manifests: tuple[Path, ...]) -> None:
    """Train the ELA-CNN, calibrate it and write the weights and test figures."""
    from model.training.train import train_and_evaluate

    settings = replace(TrainConfig(), steps=steps) if steps else TrainConfig()
    manifests = manifests or train_manifests(datasets)
    _require(manifests)
    metrics = train_and_evaluate(get_config(), settings, manifests, workdir)
    click.echo(
        json.dumps(
            {name: _headline(m) for name, m in metrics.items() if name.startswith("test")}, indent=2
        )
    )


@main.command("train-ai")
@_workdir("var/train-ai", "Where metrics and plots are written.")
@_datasets("ai-generated/, faces/, casia1/ and camera-originals/")
@click.option(
    "--pictures",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Whole pictures, generated and real (default: ai-generated/manifest.csv of --datasets).",
)
@click.option(
    "--faces",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Face crops, generated and real (default: faces/manifest.csv of --datasets).",
)
def train_ai(workdir: Path, datasets: Path, pictures: Path | None, faces: Path | None) -> None:
    """Train the probes of the AI signals (whole pictures, faces) on the pretrained encoder,
    calibrate them and write their weights and figures. The ELA-CNN's photos join the
    pictures as real ones."""
    from model.training.probe_train import train_probes

    pictures = pictures or pictures_manifest(datasets)
    faces = faces or faces_manifest(datasets)
    photos = train_manifests(datasets)
    _require((pictures, faces, *photos))
    metrics = _run(train_probes, get_config(), ProbeTrainConfig(), pictures, faces, photos, workdir)
    click.echo(json.dumps(metrics, indent=2))


@main.command("train-fusion")
@_workdir("var/train-fusion", "Where the held-out sets, metrics and plots are written.")
@_datasets("casia1/, camera-originals/, ai-generated/ and faces/")
def train_fusion(workdir: Path, datasets: Path) -> None:
    """Fit the stack weighing the learned signals together on every task's validation sets
    (after train and train-ai), and measure it on their test sets."""
    from model.training.fusion_train import train_fusion as run

    manifests = {
        "ela": list(train_manifests(datasets)),
        "pictures": [pictures_manifest(datasets)],
        "faces": [faces_manifest(datasets)],
    }
    _require(tuple(path for paths in manifests.values() for path in paths))
    metrics = _run(run, get_config(), manifests, workdir)
    headline = ("auc", "best_single", "precision", "recall", "fpr")
    click.echo(json.dumps({n: {k: m[k] for k in headline} for n, m in metrics.items()}, indent=2))


@main.command()
@click.option(
    "--data",
    "manifest",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A manifest.csv (path,label,kind,mask,source_repo,source_path).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--report",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write ROC and reliability PNGs here.",
)
@click.option(
    "--faces",
    is_flag=True,
    help="Every image is one face crop (a faces manifest): judged whole, without a face search.",
)
def evaluate(manifest: str, as_json: bool, report: Path | None, faces: bool) -> None:
    """Measure the detector on a labelled manifest."""
    from model.training.evaluate import evaluate_manifests

    config = get_config()
    if faces:
        config = replace(config, faces=replace(config.faces, whole_image=True))
    try:
        result = evaluate_manifests(config, {"data": Path(manifest)}, report)["data"]
    except ModelError as error:
        raise click.ClickException(str(error)) from error
    except ValueError as error:
        raise click.ClickException(f"bad manifest: {error}") from error
    if not result["n"]:
        first = f" ({result['errors'][0]})" if result["errors"] else ""
        raise click.ClickException(f"bad manifest: {manifest}: no image to measure{first}")
    if as_json:
        click.echo(json.dumps(result))
        return
    for key, value in _headline(result).items():
        click.echo(f"{key:>12}: {_UNDEFINED.get(key, 'undefined') if value is None else value}")
    click.echo(f"{'per kind AUC':>12}: {result['per_kind_auc']}")
    click.echo(f"{'confusion':>12}: {result['confusion']}")
    click.echo(f"{'faces':>12}: {result['synthetic_face']}")
    if result["errors"]:
        click.echo(f"{'errors':>12}: {len(result['errors'])} images could not be analysed")
        for line in result["errors"][:_ERRORS_SHOWN]:
            click.echo(f"{'':>12}  {line}")


# Why a figure has no value, in the words of the text output.
_UNDEFINED = {
    "auc": "undefined (needs both real and fake images)",
    "precision": "undefined (nothing was flagged)",
    "recall": "undefined (no fake images)",
    "fpr": "undefined (no real images)",
}
_ERRORS_SHOWN = 5


def _headline(result: dict) -> dict:
    keys = ("n", "auc", "accuracy", "precision", "recall", "fpr")
    return {
        key: round(result[key], 4) if isinstance(result[key], float) else result[key]
        for key in keys
    }


def _require(manifests: tuple[Path, ...]) -> None:
    """Stop before training starts if a manifest is missing: a clear line, not a traceback."""
    for manifest in manifests:
        if not manifest.is_file():
            raise click.ClickException(
                f"no manifest at {manifest}: pass --datasets or --manifest, or put the shared "
                "datasets beside the checkout"
            )


def _run(action, *args):
    """``action(*args)``, with a missing or unfitting network said in one line."""
    try:
        return action(*args)
    except ModelError as error:
        raise click.ClickException(str(error)) from error
