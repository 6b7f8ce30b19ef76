"""Image files analysed from disk a batch at a time."""

from model.errors import UnsupportedFormat
from model.files import BATCH, analyze_files, why
from model.verdict import Verdict
from tests.images import jpeg, scene


def test_every_file_keeps_its_place_across_batches(detector, tmp_path):
    paths = []
    for i in range(BATCH + 2):
        paths.append(tmp_path / f"{i}.jpg")
        paths[-1].write_bytes(jpeg(scene(i % 3, 64, 96), 90))
    paths[1].write_text("not a picture")
    paths[BATCH + 1] = tmp_path  # a folder: cannot be read as a file
    results = list(analyze_files(detector, paths))
    assert [path for path, _ in results] == paths
    assert isinstance(results[1][1], UnsupportedFormat)
    assert isinstance(results[BATCH + 1][1], IsADirectoryError)
    assert why(results[BATCH + 1][1]) == "cannot be read (Is a directory)"
    verdicts = [result for _, result in results if isinstance(result, Verdict)]
    assert len(verdicts) == BATCH
    assert verdicts[0].id == detector.analyze(paths[0].read_bytes()).id
    assert verdicts[-1].id == detector.analyze(paths[BATCH].read_bytes()).id
