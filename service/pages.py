"""The pages for people: plain HTML, CSS and JavaScript files, no build step.

The pages hold no data; their script asks the JSON API and writes what it gets with
``textContent``, so nothing a stranger's image carries can become markup.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from service import typedefs
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
