"""The fuzzing campaign of ``tests/service/mutations.py`` at length (``make bench``): 500
mutated files of each format against a real ``fakecheck serve`` process, counted by status
and format, with the time it took. Any 5xx is printed as a failure of the service."""

from __future__ import annotations

import tempfile

from tests.benchmarks.service import Served
from tests.service.mutations import campaign, seeds

PER_FORMAT = 500
SEED = 2026


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        served = Served(data_dir)
        try:
            served.wait_loaded_here()
            outcome = campaign(served.url, PER_FORMAT, SEED)
        finally:
            served.stop()
    files = PER_FORMAT * len(seeds())
    print(f"\n{'fuzz, mutated files':<28}{files:>10}{outcome.seconds:>10.1f} s  goal: no 5xx")
    for fmt in seeds():
        counts = {s: n for (kind, s), n in sorted(outcome.statuses.items()) if kind == fmt}
        print(f"{'  ' + fmt:<28}{counts}")
    print(f"{'  all':<28}{dict(sorted(outcome.by_status().items()))}")
    print(f"{'  5xx':<28}{outcome.server_errors() or 'none'}")
