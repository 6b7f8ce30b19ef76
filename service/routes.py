"""Every route of the service, in one place (the contract is in ../shared/DESIGN.md)."""

from __future__ import annotations

from functools import partial

from aiohttp import web

from service import pages, views
from service.middlewares import expect_continue


def setup_routes(app: web.Application) -> None:
    # Every route answers Expect headers through the middlewares (see expect_continue).
    get = partial(app.router.add_get, expect_handler=expect_continue)
    post = partial(app.router.add_post, expect_handler=expect_continue)
    post("/v1/analyze", views.analyze)
    get("/v1/results/{id}", views.result)
    get("/v1/results/{id}/{name:heatmap\\.png|ela\\.png}", views.picture)
    get("/v1/results/{id}/image", views.image)
    post("/v1/results/{id}/feedback", views.feedback)
    get("/results/{id}", pages.report)
    get("/", pages.upload)
    get("/static/{name:.*}", pages.static)
    get("/healthz", views.healthz)
    get("/metrics", views.metrics)
    get("/openapi.json", views.openapi)
