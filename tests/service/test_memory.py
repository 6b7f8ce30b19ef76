"""Memory per image is bounded by the budget, not by what a small file declares.

Three legal files of about 100-500 KB that decode to 60 million pixels (a 16-bit RGBA PNG,
a float TIFF, a 1 x 60,000,000 PNG) are sent to a real ``fakecheck serve`` process, whose
peak RSS is read from /proc (VmHWM, reset through clear_refs before each measurement), so
nothing this test process holds counts. Targets: one such file at most 800 MB above the idle
service, three arriving at once at most 2 GB in all. Each took 1.5-1.8 GB more before.
"""

from __future__ import annotations

import io
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import requests
from PIL import Image

from tests.benchmarks.service import Served
from tests.images import jpeg, scene
from tests.service.harness import assert_error

MB = 1024 * 1024
ONE_ALONE_MB = 800
THREE_AT_ONCE_MB = 2048
SIDE = 7745  # 7745 x 7745: just under 60 M pixels, the largest size accepted


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def flat_png(width: int, height: int, depth: int, colour: int, note: bytes = b"") -> bytes:
    """A PNG of zeros, compressed row by row so that making it holds one row at a time;
    ``note`` (a text chunk) makes otherwise equal files distinct."""
    bands = {0: 1, 2: 3, 6: 4}[colour]
    row = bytes(1 + width * bands * depth // 8)
    packer = zlib.compressobj(9)
    rows = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"tEXt", b"Comment\x00" + note)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def float_tiff(side: int) -> bytes:
    buffer = io.BytesIO()
    zeros = Image.fromarray(np.zeros((side, side), np.float32), "F")
    zeros.save(buffer, "TIFF", compression="tiff_adobe_deflate")
    return buffer.getvalue()


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def peak_mb_while(served: Served, images: list[bytes]) -> tuple[float, list[int]]:
    """The service's peak RSS while ``images`` are posted at once, and their statuses."""
    Path(f"/proc/{served.process.pid}/clear_refs").write_text("5")  # peak := current RSS

    def post(data: bytes) -> int:
        return requests.post(f"{served.url}/v1/analyze", data=data, timeout=120).status_code

    with ThreadPoolExecutor(len(images)) as pool:
        statuses = list(pool.map(post, images))
    return status_kb(served.process.pid, "VmHWM") / 1024, statuses


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Served:
    """The service as deployed (default settings), its first verdict already given."""
    service = Served(str(tmp_path_factory.mktemp("var")))
    try:
        service.wait_loaded_here()
        warm = requests.post(f"{service.url}/v1/analyze", data=jpeg(scene(5), 90), timeout=120)
        assert warm.status_code == 200
        yield service
    finally:
        service.stop()


BOMBS = {
    "16-bit RGBA PNG": lambda: flat_png(SIDE, SIDE, 16, 6, b"alone"),
    "float TIFF": lambda: float_tiff(SIDE),
    "1 x 60 M PNG": lambda: flat_png(60_000_000, 1, 8, 2),
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", BOMBS)
def test_one_file_of_60_m_pixels_stays_under_800_mb_above_idle(served, name):
    data = BOMBS[name]()
    assert len(data) < 600_000
    idle = status_kb(served.process.pid, "VmRSS") / 1024
    peak, statuses = peak_mb_while(served, [data])
    assert statuses == [200]
    assert peak - idle <= ONE_ALONE_MB, f"{name}: {peak - idle:.0f} MB above {idle:.0f} MB idle"


@pytest.mark.timeout(300)
def test_three_arriving_at_once_stay_under_2_gb(served):
    bombs = [flat_png(SIDE, SIDE, 16, 6, f"copy {n}".encode()) for n in range(3)]
    peak, statuses = peak_mb_while(served, bombs)
    assert statuses == [200, 200, 200]  # they waited their turn in the budget
    assert peak <= THREE_AT_ONCE_MB, f"{peak:.0f} MB"


def test_images_the_budget_has_no_room_for_get_503_after_the_wait(start_service):
    service = start_service(memory_budget_mb=1, memory_wait_s=0)
    photos = [jpeg(scene(seed, 866, 1155), 90) for seed in range(4)]  # 9 MB each, budgeted

    def post(data: bytes) -> requests.Response:
        return requests.post(f"{service.url}/v1/analyze", data=data, timeout=120)

    with ThreadPoolExecutor(len(photos)) as pool:
        answers = list(pool.map(post, photos))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses[0] == 200 and statuses[-1] == 503, statuses
    refused = next(answer for answer in answers if answer.status_code == 503)
    assert_error(refused, 503, "unavailable")
    assert refused.headers["Retry-After"] == "5"
    assert post(photos[-1]).status_code == 200  # room again once the others are done
