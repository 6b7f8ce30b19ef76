"""Every route of the service, in one place (the contract is in ../shared/DESIGN.md)."""

from __future__ import annotations

from aiohttp import web

from service import pages, views


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/v1/analyze", views.analyze)
    app.router.add_get("/v1/results/{id}", views.result)
    app.router.add_get("/v1/results/{id}/{name:heatmap\\.png|ela\\.png}", views.picture)
    app.router.add_get("/v1/results/{id}/image", views.image)
    app.router.add_post("/v1/results/{id}/feedback", views.feedback)
    app.router.add_get("/results/{id}", pages.report)
    app.router.add_get("/", pages.upload)
    app.router.add_static("/static", pages.STATIC_DIR)
    app.router.add_get("/healthz", views.healthz)
    app.router.add_get("/metrics", views.metrics)
    app.router.add_get("/openapi.json", views.openapi)
