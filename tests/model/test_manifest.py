from pathlib import Path

import pytest

from model.training.manifest import Row, read_manifest, sources_of, split_by_source, write_manifest


def test_casia_names_give_their_source_photos():
    assert sources_of(Path("real/Au_ani_0053.jpg")) == ["ani0053"]
    assert sources_of(Path("fake/Sp_D_NRN_A_ani0053_ani0054_0267.jpg")) == ["ani0053", "ani0054"]
    assert sources_of(Path("real/Canon IXUS 300.jpg")) == ["Canon IXUS 300"]


def test_split_never_shares_a_source_photo():
    rows = [Row(Path(f"real/Au_ani_{i:04d}.jpg"), 0, "unknown") for i in range(1, 60)]
    rows += [
        Row(Path(f"fake/Sp_D_NRN_A_ani{i:04d}_ani{i + 1:04d}_{i:04d}.jpg"), 1, "splice")
        for i in range(1, 59, 3)
    ]
    splits = split_by_source(rows, val_share=0.2, test_share=0.2, seed=0)
    assert sum(len(v) for v in splits.values()) == len(rows)
    seen = {
        name: {s for row in part for s in sources_of(row.path)} for name, part in splits.items()
    }
    assert not seen["train"] & seen["test"]
    assert not seen["train"] & seen["val"]
    assert not seen["val"] & seen["test"]
    assert all(splits.values())
    assert split_by_source(rows, 0.2, 0.2, seed=0) == splits


def test_manifest_round_trip_and_bad_rows(tmp_path):
    rows = [
        Row(tmp_path / "a.jpg", 1, "splice", tmp_path / "a_gt.png", "x"),
        Row(tmp_path / "b.jpg", 0, "unknown"),
    ]
    write_manifest(tmp_path / "manifest.csv", rows)
    assert read_manifest(tmp_path / "manifest.csv") == rows
    (tmp_path / "bad.csv").write_text("path,label\nx.jpg,maybe\n")
    with pytest.raises(ValueError, match="bad.csv:2"):
        read_manifest(tmp_path / "bad.csv")
