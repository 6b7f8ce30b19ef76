"""Schemathesis against the live service's own /openapi.json: answers match the document
(statuses, media types, schemas) and nothing it can generate causes a 5xx. Run against one
in-process service on SQLite, and against two replica processes (run as ``fakecheck serve``
runs the service, ``service.cli.run``) sharing one PostgreSQL database, the cases dealt
between them in turn as a balancer would.

Bounded: a handful of examples per operation. Images it generates are random bytes, so the
analyze operation mostly exercises refusals; the other tests cover real verdicts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from model import Detector
from service.app import create_app
from service.config import load_config
from tests.images import jpeg, scene
from tests.service.harness import StaticResolver, ThreadedServer, wait_until_loaded
from tests.service.replica import start_replicas


@pytest.fixture(scope="module", params=["one process", "two replicas"])
def live(request, tmp_path_factory) -> Iterator[list[str]]:
    """The base URLs of the service under test, with one result stored through the first, so
    reading operations also meet ids that exist. No name resolves in any of them: generated
    URLs are refused or fail fast, and never reach the network."""
    if request.param == "one process":
        detector: Detector = request.getfixturevalue("detector")
        data_dir = tmp_path_factory.mktemp("contract")
        config = load_config(None, {}, data_dir=data_dir, rate_per_second=0)
        server = ThreadedServer(
            create_app(config, load_detector=lambda: detector, resolver=StaticResolver({}))
        )
        wait_until_loaded(server.url)
        urls, stop = [server.url], [server.stop]
    else:
        database = request.getfixturevalue("postgres_cluster").new_database()
        replicas = start_replicas(2, offline=True, store_url=database, rate_per_second="0")
        urls, stop = [replica.url for replica in replicas], [r.stop for r in replicas]
    requests.post(f"{urls[0]}/v1/analyze", data=jpeg(scene(51, 64, 64), 90), timeout=60)
    yield urls
    for halt in stop:
        halt()


def test_service_keeps_its_contract(live):
    schema = schemathesis.openapi.from_url(f"{live[0]}/openapi.json")
    base_urls = itertools.cycle(live)
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
            case.call_and_validate(next(base_urls), excluded_checks=[positive_data_acceptance])

        check()


def test_every_refusal_of_feedback_is_documented(live):
    document = requests.get(f"{live[0]}/openapi.json", timeout=10).json()
    responses = document["paths"]["/v1/results/{id}/feedback"]["post"]["responses"]
    assert {"400", "401", "404", "408", "413", "415", "422", "429"} <= set(responses)
