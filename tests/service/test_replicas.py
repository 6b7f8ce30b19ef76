"""Two ``fakecheck serve`` processes on one PostgreSQL database, as behind a balancer: a
verdict stored by one is served by both, the same new image sent to both at once is stored
once, feedback is kept once, and one rate limit holds across them."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from tests.images import jpeg, scene
from tests.service.harness import assert_error
from tests.service.replica import Replica, start_replicas

# Each test has a key of its own, so the rate limit of one never stops another.
KEYS = ("cache", "race", "feedback", "limited")
BURST = 4


def analyze(replica: Replica, image: bytes, key: str) -> requests.Response:
    return requests.post(
        f"{replica.url}/v1/analyze",
        data=image,
        headers={"Content-Type": "image/jpeg", "Authorization": f"Bearer {key}"},
        timeout=120,
    )


@pytest.fixture(scope="module")
def database(postgres_cluster) -> str:
    return postgres_cluster.new_database()


@pytest.fixture(scope="module")
def replicas(database) -> Iterator[tuple[Replica, Replica]]:
    started = start_replicas(
        2,
        store_url=database,
        api_keys=",".join(KEYS),
        rate_per_second="0.01",
        rate_burst=str(BURST),
    )
    yield started[0], started[1]
    for replica in started:
        replica.stop()


def count(database: str, sql: str, *params: object) -> int:
    with psycopg.connect(database) as connection:
        return connection.execute(sql, params).fetchone()[0]


def test_a_verdict_stored_by_one_replica_is_served_by_the_other(replicas):
    first, second = replicas
    image = jpeg(scene(301), 90)
    stored = analyze(first, image, "cache")
    assert stored.status_code == 200 and stored.json()["cached"] is False
    again = analyze(second, image, "cache")
    assert again.status_code == 200 and again.json()["cached"] is True
    assert again.json()["id"] == stored.json()["id"]
    assert again.json()["verdict"] == stored.json()["verdict"]
    heatmap = requests.get(f"{second.url}{stored.json()['heatmap_url']}", timeout=10)
    assert heatmap.status_code == 200 and heatmap.content.startswith(b"\x89PNG")


def test_the_same_new_image_sent_to_both_at_once_is_stored_once(replicas, database):
    image = jpeg(scene(302), 90)
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda replica: analyze(replica, image, "race"), replicas))
    assert [answer.status_code for answer in answers] == [200, 200]
    result_id = answers[0].json()["id"]
    assert answers[1].json()["id"] == result_id
    assert count(database, "SELECT COUNT(*) FROM results WHERE id = %s", result_id) == 1


def test_feedback_sent_to_one_replica_is_kept_once(replicas, database):
    first, second = replicas
    result_id = analyze(first, jpeg(scene(303), 90), "feedback").json()["id"]
    sent = requests.post(
        f"{second.url}/v1/results/{result_id}/feedback",
        json={"expected": "no_evidence", "comment": "my own photo"},
        timeout=10,
    )
    assert sent.status_code == 201
    rows = "SELECT COUNT(*) FROM feedback WHERE result_id = %s AND comment = %s"
    assert count(database, rows, result_id, "my own photo") == 1


def test_one_rate_limit_holds_across_replicas(replicas):
    first, second = replicas
    image = jpeg(scene(304), 90)
    statuses = [analyze(replicas[n % 2], image, "limited").status_code for n in range(BURST)]
    assert statuses == [200] * BURST
    for replica in (first, second):
        limited = analyze(replica, image, "limited")
        assert_error(limited, 429, "rate_limited")
        assert int(limited.headers["Retry-After"]) >= 1
