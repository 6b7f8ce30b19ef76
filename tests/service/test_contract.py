"""Schemathesis against the live service's own /openapi.json: answers match the document
(statuses, media types, schemas) and nothing it can generate causes a 5xx.

Bounded: a handful of examples per operation. Images it generates are random bytes, so the
analyze operation mostly exercises refusals; the other tests cover real verdicts.
"""

from __future__ import annotations

import itertools

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from model import Detector
from service.app import create_app
from service.config import load_config
from tests.conftest import jpeg, scene
from tests.service.harness import StaticResolver, ThreadedServer, wait_until_loaded


@pytest.fixture(scope="module")
def live(tmp_path_factory, detector: Detector):
    config = load_config(None, {}, data_dir=tmp_path_factory.mktemp("contract"), rate_per_second=0)
    # No name resolves: generated URLs are refused or fail fast, never reach the network.
    server = ThreadedServer(
        create_app(config, load_detector=lambda: detector, resolver=StaticResolver({}))
    )
    wait_until_loaded(server.url)
    # One stored result, so reading operations also meet ids that exist.
    requests.post(f"{server.url}/v1/analyze", data=jpeg(scene(51, 64, 64), 90), timeout=60)
    yield server
    server.stop()


def test_service_keeps_its_contract(live):
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {o.label for o in operations} >= {"POST /v1/analyze", "GET /v1/results/{id}"}
    for operation, mode in itertools.product(operations, GenerationMode):
        if mode is GenerationMode.NEGATIVE and not (operation.path_parameters or operation.body):
            continue  # nothing in it can be made invalid

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            # Schema-valid is not image-valid: random bytes are rightly refused with a 4xx.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        check()


def test_every_refusal_of_feedback_is_documented(live):
    document = requests.get(f"{live.url}/openapi.json", timeout=10).json()
    responses = document["paths"]["/v1/results/{id}/feedback"]["post"]["responses"]
    assert {"400", "401", "404", "408", "413", "415", "422", "429"} <= set(responses)
