"""The service's store on both backends: one verdict per image and model, pictures, feedback,
versioned migrations applied once; on PostgreSQL, rate limits shared by replicas."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from service.migrations import MIGRATIONS
from service.shared_limits import SharedBuckets
from service.store import Result, Store
from storage.database import connect
from storage.migrations import Migration, SchemaTooNew, upgrade_url
from storage.urls import parse_store_url


def result(image_id: str, version: str = "1", verdict: str = "inconclusive") -> Result:
    body = {"id": image_id, "verdict": verdict, "model": {"version": version}}
    return Result(body, ela_png=b"ela", heatmap_png=b"heat\x00map", image=b"jpeg")


def test_verdicts_pictures_and_feedback(store_url):
    async def scenario() -> None:
        store = await Store.open(parse_store_url(store_url))
        try:
            assert await store.put(result("a"))
            # Another replica's verdict on the same image and model: the first one stays.
            assert not await store.put(result("a", verdict="no_evidence"))
            cached = await store.cached("a", "1")
            assert cached.verdict["verdict"] == "inconclusive" and cached.has_image
            assert await store.cached("a", "2") is None and await store.latest("b") is None
            await store.put(result("a", "2", "likely_manipulated"))
            assert (await store.latest("a")).verdict["model"]["version"] == "2"
            assert await store.picture("a", "heatmap_png") == b"heat\x00map"
            assert await store.picture("b", "ela_png") is None
            first = await store.add_feedback(cached.verdict, "no_evidence", "my photo")
            assert await store.add_feedback(cached.verdict, None, "again") == first + 1
        finally:
            await store.close()

    asyncio.run(scenario())


def test_migrations_apply_once_even_when_started_together(store_url):
    url = parse_store_url(store_url)
    with ThreadPoolExecutor(4) as pool:
        applied = list(pool.map(lambda _: upgrade_url(url, MIGRATIONS), range(4)))
    versions = [migration.version for migration in MIGRATIONS]
    assert sorted(applied) == [[], [], [], versions]
    db = connect(url)
    try:
        rows = db.all("SELECT version, name FROM schema_migrations ORDER BY version")
        assert [row["version"] for row in rows] == versions
    finally:
        db.close()
    newest = len(MIGRATIONS) + 1
    newer = (*MIGRATIONS, Migration(newest, "from a newer program", sqlite=("SELECT 1",)))
    assert upgrade_url(url, newer) == [newest]
    with pytest.raises(SchemaTooNew, match=f"version {newest}"):
        upgrade_url(url, MIGRATIONS)


def test_rate_limit_buckets_are_shared_by_replicas(postgres_url):
    url = parse_store_url(postgres_url)

    async def scenario() -> None:
        replicas = [await Store.open(url) for _ in range(2)]
        try:
            buckets = [SharedBuckets(store.db, rate=0.5, burst=3) for store in replicas]
            waits = [await buckets[n % 2].take("ip:1") for n in range(4)]
            assert waits[:3] == [0.0, 0.0, 0.0] and 0 < waits[3] <= 2.0
            assert await buckets[1].take("ip:2") == 0.0  # callers do not share
            # Taken at once from both replicas: exactly the burst goes ahead, and every
            # refusal says to wait (a refusal read from an older snapshot of the row once said
            # "go ahead", or found no row). Rounds of fresh callers, each a new race.
            for round_ in range(8):
                caller = f"ip:3.{round_}"
                together = await asyncio.gather(*(buckets[n % 2].take(caller) for n in range(12)))
                assert sum(wait == 0.0 for wait in together) == 3
                assert all(0 < wait <= 2.0 for wait in together if wait != 0.0)
        finally:
            for store in replicas:
                await store.close()

    asyncio.run(scenario())


def test_buckets_full_again_are_pruned(postgres_url):
    async def scenario() -> None:
        store = await Store.open(parse_store_url(postgres_url))
        try:
            buckets = SharedBuckets(store.db, rate=20.0, burst=1, prune_every=3)
            assert [await buckets.take(f"ip:{n}") for n in range(2)] == [0.0, 0.0]
            await asyncio.sleep(0.1)  # both buckets full again after 0.05 s
            assert await buckets.take("ip:2") == 0.0  # the third take prunes first
            rows = await store.db.one("SELECT string_agg(caller, ',') AS callers FROM rate_buckets")
            assert rows["callers"] == "ip:2"
        finally:
            await store.close()

    asyncio.run(scenario())
