"""Two ``fakecheck bot reddit`` workers on one PostgreSQL queue against the fake Reddit, each
asking its own of two ``fakecheck serve`` replicas on one PostgreSQL store: every summons is
answered exactly once, also when a worker is killed -9 while its answer is being posted,
again and again; the worker started in its place joins the queue. Same for X, with both
workers killed while one waits for its post to be confirmed. A worker whose hold on the queue
is cut while it works posts nothing and stops; the worker that took its item over answers."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import psycopg
import pytest
import requests

from bot.store import REPLIED, Store
from storage.urls import parse_store_url
from tests.bot.conftest import BOT, FAKECHECK, kill, wait_for
from tests.images import jpeg, scene
from tests.service.replica import Replica, start_replicas

POSTS, SUMMONS_PER_POST, KILLS = 50, 4, 3
STORE = "FAKECHECK_BOT_STORE_URL"


def worker(
    queue_env: dict[str, str], name: str, service_url: str, platform: str = "reddit"
) -> subprocess.Popen:
    """A bot worker running until stopped; praw's User-Agent tells the fake Reddit who asks."""
    environ = {
        **os.environ,
        **queue_env,
        "FAKECHECK_BOT_SERVICE_URL": service_url,
        "praw_user_agent": f"fakecheck-tests {name}",
    }
    return subprocess.Popen(
        [FAKECHECK, "bot", platform],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def service_store(postgres_cluster) -> str:
    return postgres_cluster.new_database()


@pytest.fixture
def services(service_store) -> Iterator[dict[str, Replica]]:
    """Two replicas on one store, fetching the images from the fake Reddit on loopback."""
    replicas = start_replicas(
        2,
        store_url=service_store,
        fetch_allow_loopback="true",
        rate_per_second="0",
    )
    yield dict(zip(("w0", "w1"), replicas, strict=True))
    for replica in replicas:
        replica.stop()


@pytest.fixture
def queue_env(bot_env, postgres_url) -> dict[str, str]:
    return {
        **bot_env,
        STORE: postgres_url,
        "FAKECHECK_BOT_POLL_INTERVAL_S": "0.2",
        "FAKECHECK_BOT_SUMMONS_PER_HOUR": "100",
    }


def test_two_workers_answer_each_summons_once_while_one_is_killed(
    fake_reddit, queue_env, services, service_store
):
    summons = []
    for n in range(POSTS):
        image = fake_reddit.add_image(f"{n}.jpg", jpeg(scene(500 + n, 120, 160), 90))
        post = fake_reddit.add_post("pics", f"poster{n}", url=image)
        summons += [fake_reddit.mention(post, f"user{n}_{k}") for k in range(SUMMONS_PER_POST)]
    workers = {name: worker(queue_env, name, service.url) for name, service in services.items()}
    store = Store(parse_store_url(queue_env[STORE]))
    try:
        for round_ in range(KILLS):
            # The next answer is posted, but the worker posting it waits for Reddit's word:
            # killed then, it leaves its item claimed with the answer already up.
            release = fake_reddit.hold_next_comment()
            held = fake_reddit.held_clients
            wait_for(lambda held=held, kills=round_: len(held) > kills)
            holder = held[round_].split()[1]
            kill(workers[holder])
            release.set()
            workers[holder] = worker(queue_env, holder, services[holder].url)
        wait_for(lambda: all(fake_reddit.replies_to(s) for s in summons), timeout=240)
        wait_for(lambda: all(store.get(f"reddit:summons:{s}").status == REPLIED for s in summons))
        taken_over = [s for s in summons if store.get(f"reddit:summons:{s}").attempts > 1]
    finally:
        for process in workers.values():
            process.terminate()
            process.wait(30)
        store.close()
    assert [len(fake_reddit.replies_to(s)) for s in summons] == [1] * len(summons)
    assert len(taken_over) >= KILLS  # the killed workers' items, answered by the others
    with psycopg.connect(service_store) as db:  # one verdict per image, whichever replica
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM results").fetchone() == (
            POSTS,
            POSTS,
        )


def test_x_workers_killed_while_posting_are_replaced_and_answer_each_mention_once(
    fake_x, queue_env, services
):
    images = [fake_x.add_image(f"{n}.jpg", jpeg(scene(600 + n, 120, 160), 90)) for n in range(20)]
    mentions = [
        fake_x.post(f"user{n}", f"@{BOT} real?", media=[url]) for n, url in enumerate(images)
    ]

    def start() -> dict[str, subprocess.Popen]:
        return {
            name: worker(queue_env, name, service.url, "x") for name, service in services.items()
        }

    workers = start()
    try:
        # Both killed while one of them waits for X to confirm its post.
        release = fake_x.hold_next_tweet()
        wait_for(lambda: fake_x.held_clients)
        for process in workers.values():
            kill(process)
        release.set()
        workers = start()
        wait_for(lambda: all(fake_x.replies_to(m) for m in mentions), timeout=240)
    finally:
        for process in workers.values():
            process.terminate()
            process.wait(30)
    assert [len(fake_x.replies_to(m)) for m in mentions] == [1] * len(mentions)


# The sessions holding advisory locks on this database: the bot runs' (and a migration's).
LOCK_SESSIONS = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND pid <> pg_backend_pid() GROUP BY pid"
)


def reading_runs(database: str) -> int:
    """Runs that hold their own lock and the inbox reader's: started, and reading."""
    with psycopg.connect(database, autocommit=True) as db:
        return len(db.execute(LOCK_SESSIONS + " HAVING COUNT(*) >= 2").fetchall())


def end_lock_sessions(database: str) -> int:
    """Ends the sessions holding advisory locks on ``database``, as a restarted server or a
    network cut would; returns how many."""
    with psycopg.connect(database, autocommit=True) as db:
        sql = f"SELECT pg_terminate_backend(pid) FROM ({LOCK_SESSIONS}) AS s"
        return len(db.execute(sql).fetchall())


def test_an_idle_worker_that_lost_its_hold_on_the_queue_stops(queue_env, service):
    idle = worker(queue_env, "w0", service.url)
    try:
        wait_for(lambda: reading_runs(queue_env[STORE]) == 1)
        assert end_lock_sessions(queue_env[STORE]) == 1
        wait_for(lambda: idle.poll() is not None)
    finally:
        if idle.poll() is None:
            idle.terminate()
            idle.wait(30)
    assert idle.returncode == 1


def test_a_worker_that_lost_its_hold_on_the_queue_posts_nothing_and_stops(
    fake_reddit, queue_env, service, stand_in_service
):
    image = jpeg(scene(650, 120, 160), 90)
    verdict = requests.post(f"{service.url}/v1/analyze", data=image, timeout=120).json()
    analysis = stand_in_service(200, verdict)
    release = analysis.hold()
    post = fake_reddit.add_post("pics", "poster", url=fake_reddit.add_image("650.jpg", image))
    summons = fake_reddit.mention(post, "asker")
    first = worker(queue_env, "w0", analysis.url)
    second = None
    try:
        wait_for(lambda: analysis.calls == 1)
        # The database ends the first worker's lock session while the worker waits for its
        # verdict: the item it claimed is anybody's now.
        assert end_lock_sessions(queue_env[STORE]) >= 1
        second = worker(queue_env, "w1", analysis.url)
        wait_for(lambda: analysis.calls == 2)  # taken over, and no answer of ours up yet
        release.set()
        wait_for(lambda: first.poll() is not None)
        wait_for(lambda: fake_reddit.replies_to(summons))
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(30)
    assert first.returncode == 1
    assert len(fake_reddit.replies_to(summons)) == 1
