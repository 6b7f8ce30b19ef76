"""The durable queue on both backends: states, deferral, counts, subscriptions and cursors
survive reopening; runs sharing a queue never take the same item, and a dead run's claims
are taken over."""

from __future__ import annotations

import sqlite3
import time

from bot.presence import present
from bot.store import CLAIMED, REPLIED, SEEN, SKIPPED, Item, Store
from storage.urls import parse_store_url
from tests.bot.conftest import wait_for


def test_an_item_moves_seen_claimed_replied_and_survives_reopening(store_url):
    url = parse_store_url(store_url)
    store = Store(url)
    item = Item("reddit", "summons", "t1_a", "alice", "pics", {"created": 1.0})
    assert store.add(item) and not store.add(item)
    claimed = store.claim_next("reddit", owner=1)
    assert (claimed.key, claimed.status, claimed.attempts) == (item.key, CLAIMED, 1)
    assert claimed.payload == {"created": 1.0}
    assert store.claim_next("reddit", owner=1) is None  # its own claim is not taken again
    store.close()

    store = Store(url)  # a crash here leaves it claimed, for the next run to take over
    assert store.get(item.key).status == CLAIMED
    again = store.claim_next("reddit", owner=2)
    assert (again.id, again.attempts) == ("t1_a", 2)
    assert not store.defer(item.key, 1, 60, "service down")  # no longer run 1's claim
    assert store.defer(item.key, 2, 60, "service down")
    assert store.claim_next("reddit", owner=2) is None
    assert store.next_due("reddit", owner=2) > time.time() + 50
    assert store.get(item.key).status == SEEN
    assert not store.finish(item.key, 2, REPLIED, "answered", "t1_r")  # claimed by no one
    store.close()


def test_only_the_run_holding_a_claim_writes_the_items_outcome(store_url):
    store = Store(parse_store_url(store_url))
    store.add(Item("reddit", "summons", "t1_b", "bob"))
    key = store.claim_next("reddit", owner=1).key
    # Run 1 is gone or lost its lock (no run 1 holds one here): run 2 takes the item over.
    assert store.claim_next("reddit", owner=2).attempts == 2
    assert not store.defer(key, 1, 0, "service down")  # run 1's late word changes nothing
    assert not store.finish(key, 1, SKIPPED, "cannot answer")
    assert store.get(key).status == CLAIMED
    assert store.finish(key, 2, REPLIED, "answered", "t1_r")
    assert (store.get(key).status, store.get(key).reason) == (REPLIED, "answered")
    assert not store.finish(key, 2, SKIPPED, "again")  # finished: no claim left to write on
    store.close()


def test_an_item_deferred_during_a_round_waits_for_the_next(store_url):
    store = Store(parse_store_url(store_url))
    store.add(Item("x", "summons", "1", "bob"))
    round_started = time.time()
    store.defer(store.claim_next("x", 1, round_started).key, 1, 0, "asked to wait 0 s")
    assert store.claim_next("x", 1, round_started) is None
    assert store.claim_next("x", 1).id == "1"
    store.close()


def test_summons_count_leaves_out_the_turned_away(store_url):
    store = Store(parse_store_url(store_url))
    for n in range(3):
        store.add(Item("x", "summons", str(n), "Bob", status=SKIPPED if n == 2 else SEEN))
    assert store.summons_since("x", "bob", time.time() - 3600) == 2
    assert store.summons_since("reddit", "bob", 0) == 0
    store.close()


def test_subscriptions_optouts_and_cursors(store_url):
    store = Store(parse_store_url(store_url))
    store.subscribe("Pics", "mod1", "manipulated", 0.0)
    store.set_mode("pics", "every", 0.5, 10.0)
    store.subscribe("pics", "mod2", "manipulated", 0.0)  # again: keeps the settings
    sub = store.subscription("PICS")
    assert (sub.name, sub.moderator, sub.mode, sub.min_score) == ("pics", "mod1", "every", 0.5)
    assert [s.name for s in store.subscriptions()] == ["pics"]
    assert store.unsubscribe("pics") and not store.unsubscribe("pics")
    store.opt_out("reddit", "Carol")
    store.opt_out("reddit", "carol")
    assert store.opted_out("reddit", "carol") and not store.opted_out("x", "carol")
    store.set_cursor("x:since_id", "5")
    store.set_cursor("x:since_id", "9")
    assert store.cursor("x:since_id") == "9" and store.cursor("other") is None
    store.close()


def test_live_runs_share_a_postgresql_queue_and_take_over_a_dead_ones_claims(postgres_url):
    url = parse_store_url(postgres_url)
    store = Store(url)
    for n in range(2):
        store.add(Item("reddit", "summons", f"t1_{n}", "alice"))
    first, second = present(url, "reddit"), present(url, "reddit")
    try:
        assert first.leads("collect:reddit:bot") and first.leads("collect:reddit:bot")
        assert not second.leads("collect:reddit:bot")  # one run reads the inbox
        taken = store.claim_next("reddit", first.owner)
        # The first run lives: its claim is not the second's to take.
        assert store.claim_next("reddit", second.owner).id == "t1_1"
        assert store.claim_next("reddit", second.owner) is None
        first.close()  # the first run dies: its claim and its reading pass on
        # (once the server has seen its connection close)
        wait_for(lambda: second.leads("collect:reddit:bot"), timeout=10)
        again = store.claim_next("reddit", second.owner)
        assert (again.id, again.attempts) == (taken.id, 2)
    finally:
        second.close()
        store.close()


def test_a_state_file_from_before_migrations_is_adopted(tmp_path):
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as old:  # the schema as the bots created it then
        old.execute(
            "CREATE TABLE items (key TEXT PRIMARY KEY, platform TEXT NOT NULL, kind TEXT NOT NULL,"
            " author TEXT NOT NULL, community TEXT NOT NULL, payload TEXT NOT NULL,"
            " status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',"
            " attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL DEFAULT 0,"
            " seen_at REAL NOT NULL, updated_at REAL NOT NULL, reply_id TEXT)"
        )
        old.execute(
            "INSERT INTO items VALUES"
            " ('x:summons:1', 'x', 'summons', 'bob', '', '{}', 'claimed', '', 1, 0, 1, 1, NULL)"
        )
    old.close()
    store = Store(parse_store_url(f"sqlite:///{path}"))
    taken = store.claim_next("x", owner=1)  # claimed by a run of that time: taken over
    assert (taken.id, taken.attempts) == ("1", 2)
    store.close()
