"""``fakecheck serve`` as a replica whose fetcher resolves no name, for checks that send
whatever URLs a generator makes up: they are refused or fail at once, and never reach the
network. Settings come from FAKECHECK_* variables, as the real command reads them."""

from __future__ import annotations

import os

from service.cli import run
from service.config import load_config
from tests.service.harness import StaticResolver

if __name__ == "__main__":
    run(load_config(None, os.environ), resolver=StaticResolver({}))
