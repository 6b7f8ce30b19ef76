"""The pages for people: plain HTML, CSS and JavaScript files, no build step.

The pages hold no data; their script asks the JSON API and writes what it gets with
``textContent``, so nothing a stranger's image carries can become markup.
"""

from __future__ import annotations

import functools
from pathlib import Path

from aiohttp import web

from service import typedefs
from service.errors import ApiError, Code
from service.views import is_result_id

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Scripts and styles only from this service; pictures also as data: URLs (the dropped file).
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-cache",
}


def _page(name: str, status: int = 200) -> web.Response:
    return web.Response(
        text=(STATIC_DIR / name).read_text(),
        status=status,
        content_type="text/html",
        headers=_HEADERS,
    )


async def upload(request: web.Request) -> web.Response:
    return _page("index.html")


async def report(request: web.Request) -> web.Response:
    key = request.match_info["id"]
    if not is_result_id(key) or await request.app[typedefs.STORE].latest(key) is None:
        return _page("missing.html", 404)
    return _page("report.html")


async def static(request: web.Request) -> web.FileResponse:
    """A file of the static folder, found by its name among the folder's files.

    aiohttp's own static route asks the file system about any name it is sent, and a name
    longer than the file system allows left it as an OSError (a 500). The folder holds a
    few flat files, so names are looked up among them and nothing else reaches the disk."""
    name = request.match_info["name"]
    if not name:
        raise ApiError(Code.FORBIDDEN, "The static folder is not listed.")
    if name not in _static_names():
        raise ApiError(Code.NOT_FOUND, "No such static file.")
    return web.FileResponse(STATIC_DIR / name)


@functools.cache
def _static_names() -> frozenset[str]:
    return frozenset(path.name for path in STATIC_DIR.iterdir() if path.is_file())
