"""Mutated images of every format through /v1/analyze: every answer a verdict or a 4xx,
never a 5xx, and the service still well afterwards (the campaign: ``mutations.py``)."""

from __future__ import annotations

import requests

from tests.service.mutations import campaign, seeds

PER_FORMAT = 80  # 640 files in all, about 40 s here


def test_mutated_images_of_every_format_never_cause_a_5xx(start_service):
    service = start_service(batch_max_wait_ms=2)
    outcome = campaign(service.url, PER_FORMAT, seed=7)
    assert not outcome.server_errors(), outcome.statuses
    totals = outcome.by_status()
    assert set(totals) <= {200, 400, 413, 415, 422}, totals
    assert sum(totals.values()) == PER_FORMAT * len(seeds())
    for fmt in seeds():  # each format both decoded and refused: the mutations reached it
        assert outcome.statuses[fmt, 200] and sum(
            n for (kind, status), n in outcome.statuses.items() if kind == fmt and status != 200
        ), (fmt, outcome.statuses)
    assert requests.get(f"{service.url}/healthz", timeout=10).json()["model_loaded"]
    fine = requests.post(f"{service.url}/v1/analyze", data=seeds()["JPEG"][0], timeout=60)
    assert fine.status_code == 200
