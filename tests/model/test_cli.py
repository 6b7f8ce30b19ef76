"""The ``fakecheck`` console script, run as a user would (a real subprocess)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from model.training.manifest import Row, write_manifest
from tests.images import decoded, jpeg, scene

FAKECHECK = shutil.which("fakecheck", path=str(Path(sys.executable).parent))


def fakecheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FAKECHECK, *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_help_lists_the_commands():
    result = fakecheck("--help")
    assert result.returncode == 0
    for command in ("analyze", "train", "evaluate"):
        assert command in result.stdout


def test_analyze_prints_verdicts_and_reports_bad_files(tmp_path):
    good = tmp_path / "good.jpg"
    good.write_bytes(jpeg(scene(1), 90))
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"this is text, not a picture")
    result = fakecheck("analyze", str(good), "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout.splitlines()[0])
    assert body["file"] == str(good) and body["verdict"] and "score" in body
    result = fakecheck("analyze", str(good), str(bad))
    assert result.returncode == 1
    assert "good.jpg:" in result.stdout
    assert "bad.jpg: error:" in result.stderr


@pytest.fixture
def manifest(tmp_path) -> Path:
    rows = []
    for i in range(6):
        rgb = decoded(jpeg(scene(20 + i), 85)).copy()
        if i % 2:
            rgb[60:140, 100:220] = decoded(jpeg(scene(40 + i), 60))[60:140, 100:220]
        (tmp_path / f"{i}.jpg").write_bytes(jpeg(rgb, 90))
        rows.append(Row(tmp_path / f"{i}.jpg", i % 2, "splice" if i % 2 else "unknown"))
    write_manifest(tmp_path / "manifest.csv", rows)
    return tmp_path / "manifest.csv"


def test_evaluate_prints_the_figures(manifest, tmp_path):
    result = fakecheck(
        "evaluate", "--data", str(manifest), "--json", "--report", str(tmp_path / "r")
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["n"] == 6 and body["n_manipulated"] == 3
    assert {"auc", "precision", "recall", "fpr", "accuracy", "per_kind_auc", "confusion"} <= set(
        body
    )
    assert set(body["per_kind_auc"]) == {"splice"}
    assert sum(body["confusion"]["manipulated"].values()) == 3
    assert (tmp_path / "r" / "roc_data.png").exists()
    assert (tmp_path / "r" / "reliability_data.png").exists()
    text = fakecheck("evaluate", "--data", str(manifest))
    assert "auc" in text.stdout


def test_evaluate_rejects_a_malformed_manifest(tmp_path):
    (tmp_path / "m.csv").write_text("path,label\nx.jpg,perhaps\n")
    result = fakecheck("evaluate", "--data", str(tmp_path / "m.csv"))
    assert result.returncode != 0
    assert "bad manifest" in result.stderr


def test_evaluate_reports_rows_it_cannot_analyse(manifest, tmp_path):
    rows = manifest.read_text().splitlines()
    rows += ["missing.jpg,fake,splice,,,", "notes.jpg,real,unknown,,,"]
    (tmp_path / "notes.jpg").write_text("not a picture")
    (tmp_path / "more.csv").write_text("\n".join(rows) + "\n")
    result = fakecheck("evaluate", "--data", str(tmp_path / "more.csv"), "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["n"] == 6
    assert [line.split(": ")[0] for line in body["errors"]] == [
        str(tmp_path / "missing.jpg"),
        str(tmp_path / "notes.jpg"),
    ]
    assert "cannot be read (No such file or directory)" in body["errors"][0]
    text = fakecheck("evaluate", "--data", str(tmp_path / "more.csv")).stdout
    assert "errors: 2 images could not be analysed" in text
    assert "missing.jpg: cannot be read" in text


def test_evaluate_says_why_a_figure_is_undefined(manifest, tmp_path):
    header, *rows = manifest.read_text().splitlines()
    reals = [row for row in rows if ",real," in row]
    (tmp_path / "reals.csv").write_text("\n".join([header, *reals]) + "\n")
    text = fakecheck("evaluate", "--data", str(tmp_path / "reals.csv")).stdout
    assert "auc: undefined (needs both real and fake images)" in text
    assert "recall: undefined (no fake images)" in text


@pytest.mark.parametrize(
    "content",
    ["", "path,label,kind,mask,source_repo,source_path\n", "path,label\nnotes.jpg,real\n"],
    ids=["empty file", "header only", "nothing decodes"],
)
def test_evaluate_refuses_a_manifest_with_nothing_to_measure(tmp_path, content):
    (tmp_path / "notes.jpg").write_text("not a picture")
    (tmp_path / "m.csv").write_text(content)
    result = fakecheck("evaluate", "--data", str(tmp_path / "m.csv"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "bad manifest" in result.stderr and "m.csv" in result.stderr


def test_training_finds_the_datasets_from_any_directory_or_says_where_it_looked(tmp_path):
    import model.cli
    from model.training.config import (
        DATASETS,
        faces_manifest,
        pictures_manifest,
        train_manifests,
    )

    assert DATASETS.is_absolute()
    assert all(m.is_relative_to(DATASETS) for m in train_manifests(DATASETS))
    assert faces_manifest(DATASETS).is_relative_to(DATASETS)
    assert pictures_manifest(DATASETS).is_relative_to(DATASETS)
    nowhere = tmp_path / "nowhere"
    for command, first in (
        ("train", "casia1"),
        ("train-ai", "ai-generated"),
        ("train-fusion", "casia1"),
    ):
        result = CliRunner().invoke(
            model.cli.main, [command, "--datasets", str(nowhere), "--workdir", str(tmp_path)]
        )
        assert result.exit_code == 1
        assert f"no manifest at {nowhere / first / 'manifest.csv'}" in result.output
