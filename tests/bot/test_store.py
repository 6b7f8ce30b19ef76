"""The durable queue: states, deferral, counts, subscriptions and cursors survive reopening."""

from __future__ import annotations

import time

from bot.store import CLAIMED, REPLIED, SEEN, SKIPPED, Item, Store


def test_an_item_moves_seen_claimed_replied_and_survives_reopening(tmp_path):
    path = tmp_path / "bot.sqlite3"
    store = Store(path)
    item = Item("reddit", "summons", "t1_a", "alice", "pics", {"created": 1.0})
    assert store.add(item) and not store.add(item)
    assert [i.key for i in store.due("reddit")] == ["reddit:summons:t1_a"]
    claimed = store.claim(item.key)
    assert (claimed.status, claimed.attempts, claimed.payload) == (CLAIMED, 1, {"created": 1.0})
    store.close()

    store = Store(path)
    assert store.get(item.key).status == CLAIMED  # a crash here leaves it pending
    assert [i.id for i in store.due("reddit")] == ["t1_a"]
    store.defer(item.key, 60, "service down")
    assert store.due("reddit") == [] and store.next_due("reddit") > time.time() + 50
    assert store.get(item.key).status == SEEN
    store.finish(item.key, REPLIED, "answered", "t1_r")
    assert store.next_due("reddit") is None


def test_summons_count_leaves_out_the_turned_away(tmp_path):
    store = Store(tmp_path / "bot.sqlite3")
    for n in range(3):
        store.add(Item("x", "summons", str(n), "Bob"))
    store.finish("x:summons:2", SKIPPED, "cap")
    assert store.summons_since("x", "bob", time.time() - 3600) == 2
    assert store.summons_since("reddit", "bob", 0) == 0


def test_subscriptions_optouts_and_cursors(tmp_path):
    store = Store(tmp_path / "bot.sqlite3")
    store.subscribe("Pics", "mod1", "manipulated", 0.0)
    store.set_mode("pics", "every", 0.5, 10.0)
    store.subscribe("pics", "mod2", "manipulated", 0.0)  # again: keeps the settings
    sub = store.subscription("PICS")
    assert (sub.name, sub.moderator, sub.mode, sub.min_score) == ("pics", "mod1", "every", 0.5)
    assert store.unsubscribe("pics") and not store.unsubscribe("pics")
    store.opt_out("reddit", "Carol")
    assert store.opted_out("reddit", "carol") and not store.opted_out("x", "carol")
    store.set_cursor("x:since_id", "5")
    store.set_cursor("x:since_id", "9")
    assert store.cursor("x:since_id") == "9" and store.cursor("other") is None
