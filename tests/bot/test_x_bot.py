"""The X bot end to end: real tweepy against a fake X API on loopback, a real service."""

from __future__ import annotations

import re

import pytest

from bot.replies import x_length
from bot.store import REPLIED
from tests.bot.conftest import BOT, kill, start, wait_for
from tests.images import copy_moved, untouched


def test_a_mention_with_a_photo_gets_one_reply_within_280_characters(
    fake_x, run_bot, service, state
):
    photo = fake_x.add_image("cm.jpg", copy_moved())
    mention = fake_x.post("alice", f"@{BOT} is this real?", media=[photo])

    run_bot("x")
    run_bot("x")

    [reply] = fake_x.replies_to(mention)
    assert re.match(r"Likely edited \((0\.9\d|1\.00)\)", reply)
    assert re.search(rf"{re.escape(service.url)}/results/[0-9a-f]{{64}}", reply)
    assert "probabilistic" in reply and x_length(reply) <= 280
    assert state().get(f"x:summons:{mention}").status == REPLIED
    assert state().cursor("x:since_id") == mention


def test_images_of_the_post_replied_to(fake_x, run_bot):
    photos = [fake_x.add_image(f"{n}.jpg", untouched(31 + n)) for n in range(2)]
    original = fake_x.post("alice", "look at this", media=photos)
    mention = fake_x.post("bob", f"@{BOT} check please", reply_to=original)
    bare = fake_x.post("carol", f"@{BOT} anything?")

    run_bot("x")

    [reply] = fake_x.replies_to(mention)
    # Two camera photos: one the signals clear, one whose traces they cannot read either way.
    assert reply.startswith("1: No evidence of manipulation") and "\n2: Inconclusive" in reply
    assert "no image" in fake_x.replies_to(bare)[0]


def test_rate_limits_are_waited_out_and_the_reply_posted_once(fake_x, run_bot):
    mention = fake_x.post("alice", f"@{BOT} real?", media=[fake_x.add_image("a.jpg", untouched())])
    fake_x.fail_next("mentions", "429", seconds=1)
    fake_x.fail_next("tweet", "429", seconds=1)

    run_bot("x")  # the mentions are rate limited: nothing read yet
    assert fake_x.replies_to(mention) == []
    run_bot("x")  # read; the reply is rate limited, waited out, then posted

    assert len(fake_x.replies_to(mention)) == 1


def test_opt_out_then_never_answered(fake_x, run_bot, state):
    optout = fake_x.post("alice", f"@{BOT} optout")
    run_bot("x")
    assert "never reply to you again" in fake_x.replies_to(optout)[0]

    photo = fake_x.add_image("a.jpg", untouched())
    mention = fake_x.post("alice", f"@{BOT} is this real?", media=[photo])
    run_bot("x")
    assert fake_x.replies_to(mention) == []
    assert state().get(f"x:summons:{mention}").reason == "alice opted out"


@pytest.mark.parametrize("answered_since", [0, 100])
def test_crash_after_posting_is_found_on_the_timeline(
    fake_x, bot_env, run_bot, state, answered_since
):
    """Killed after the reply landed: the restarted bot finds it on its own timeline, also
    behind a page of other answers posted since."""
    mention = fake_x.post("alice", f"@{BOT} real?", media=[fake_x.add_image("a.jpg", untouched())])
    release = fake_x.hold_next_tweet()
    process = start(bot_env, "x")
    wait_for(lambda: fake_x.replies_to(mention))
    kill(process)
    release.set()
    for n in range(answered_since):
        fake_x.post(BOT, f"answer {n}")

    run_bot("x")

    assert len(fake_x.replies_to(mention)) == 1
    assert state().get(f"x:summons:{mention}").reason == "our answer was already posted"


def test_a_thanks_under_the_bots_reply_is_not_a_summons(fake_x, run_bot):
    mention = fake_x.post("alice", f"@{BOT} real?", media=[fake_x.add_image("a.jpg", untouched())])
    run_bot("x")
    [answer] = fake_x.reply_ids_to(mention)
    # X puts the handles of the thread before a reply's own words.
    thanks = fake_x.post("alice", f"@{BOT} thanks!", reply_to=answer)
    again = fake_x.post("alice", f"@{BOT} and this one, @{BOT}?", reply_to=answer)

    run_bot("x")

    assert fake_x.replies_to(thanks) == []
    assert len(fake_x.replies_to(again)) == 1


def test_chatter_in_a_thread_that_names_the_bot_is_not_a_summons(fake_x, run_bot):
    original = fake_x.post("alice", "look", media=[fake_x.add_image("a.jpg", untouched())])
    # bob types the bot's handle after the "@alice" X puts first: a summons.
    summons = fake_x.post("bob", f"@alice @{BOT} real?", reply_to=original)
    run_bot("x")
    assert len(fake_x.replies_to(summons)) == 1
    # X starts every answer to bob with the handles bob's post names, the bot's among them.
    chatter = fake_x.post("carol", f"@bob @alice @{BOT} lol it's real", reply_to=summons)
    asked = fake_x.post("dave", f"@bob @alice @{BOT} and this one, @{BOT}?", reply_to=summons)

    run_bot("x")

    assert fake_x.replies_to(chatter) == []
    assert len(fake_x.replies_to(asked)) == 1
