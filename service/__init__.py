"""FakeCheck's HTTP service (aiohttp): the only package that imports ``model``."""
