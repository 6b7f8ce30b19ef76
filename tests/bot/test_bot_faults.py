"""Faults never lose a summons nor answer it twice: rate limits, a killed bot, a service
that is down. The kill is real: the bot runs as a subprocess and gets SIGKILL."""

from __future__ import annotations

import os
import subprocess

import pytest

from bot.store import CLAIMED, REPLIED, SEEN, SKIPPED
from tests.bot.conftest import BOT, FAKECHECK, kill, start, wait_for
from tests.images import untouched


@pytest.mark.parametrize("how", ["ratelimit", "429"])
def test_rate_limited_first_then_one_reply(fake_reddit, run_bot, state, how):
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    summons = fake_reddit.mention(post, "bob")
    fake_reddit.fail_next("comment", how, seconds=1)

    run_bot("reddit")

    assert len(fake_reddit.replies_to(summons)) == 1
    assert state().get(f"reddit:summons:{summons}").status == REPLIED


def test_the_inbox_rate_limited_is_read_next_round(fake_reddit, run_bot):
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    summons = fake_reddit.mention(post, "bob")
    fake_reddit.fail_next("inbox", "429", seconds=1)

    run_bot("reddit")  # nothing read: the summons is still unread on Reddit
    assert fake_reddit.replies_to(summons) == [] and summons in fake_reddit.unread()
    run_bot("reddit")
    assert len(fake_reddit.replies_to(summons)) == 1


@pytest.mark.parametrize("answered_since", [0, 100])
def test_killed_after_the_reply_landed_answers_once_after_restart(
    fake_reddit, bot_env, run_bot, state, answered_since
):
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    summons = fake_reddit.mention(post, "bob")
    release = fake_reddit.hold_next_comment()

    process = start(bot_env)
    wait_for(lambda: fake_reddit.replies_to(summons))  # posted, the answer withheld
    kill(process)
    release.set()
    assert state().get(f"reddit:summons:{summons}").status == CLAIMED
    # Other answers since then push ours past the first page of the bot's comments.
    for n in range(answered_since):
        fake_reddit.comment(post, BOT, f"answer {n}")

    run_bot("reddit")

    assert len(fake_reddit.replies_to(summons)) == 1
    item = state().get(f"reddit:summons:{summons}")
    assert (item.status, item.reason) == (REPLIED, "our answer was already posted")


def test_killed_while_the_image_was_fetched_answers_once_after_restart(
    fake_reddit, bot_env, run_bot, state
):
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    summons = fake_reddit.mention(post, "bob")
    release = fake_reddit.hold_image("a.jpg")

    process = start(bot_env)
    wait_for(lambda: ("GET", "/img/a.jpg") in fake_reddit.requests)
    kill(process)
    release.set()
    assert fake_reddit.replies_to(summons) == []

    run_bot("reddit")

    assert len(fake_reddit.replies_to(summons)) == 1


def test_service_down_then_up_answers_late_not_never(fake_reddit, run_bot, state):
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    summons = fake_reddit.mention(post, "bob")

    run_bot("reddit", FAKECHECK_BOT_SERVICE_URL="http://127.0.0.1:9", FAKECHECK_BOT_ONCE_WAIT_S="1")
    item = state().get(f"reddit:summons:{summons}")
    assert fake_reddit.replies_to(summons) == []
    assert item.status == SEEN and "service unavailable" in item.reason and item.attempts >= 2

    run_bot("reddit")
    assert len(fake_reddit.replies_to(summons)) == 1


def test_a_service_failing_on_an_image_is_given_up_after_max_attempts(
    fake_reddit, stand_in_service, run_bot, state
):
    failing = stand_in_service(500, {"error": {"code": "internal_error", "message": "it broke"}})
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    summons = fake_reddit.mention(post, "bob")

    run_bot(
        "reddit",
        FAKECHECK_BOT_SERVICE_URL=failing.url,
        FAKECHECK_BOT_MAX_ATTEMPTS="2",
        FAKECHECK_BOT_RETRY_BASE_S="0.1",
    )

    item = state().get(f"reddit:summons:{summons}")
    assert (item.status, item.attempts, failing.calls) == (SKIPPED, 2, 2)
    assert item.reason == "failed 2 times: service answered 500 internal_error: it broke"
    assert fake_reddit.replies_to(summons) == []


def test_the_service_api_key_is_sent(fake_reddit, start_service, run_bot):
    keyed = start_service(fetch_allow_loopback=True, api_keys=("bot-key",))
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    summons = fake_reddit.mention(post, "bob")

    run_bot("reddit", FAKECHECK_BOT_SERVICE_URL=keyed.url, FAKECHECK_BOT_ONCE_WAIT_S="0")
    assert fake_reddit.replies_to(summons) == []  # 401 without the key: kept pending

    run_bot("reddit", FAKECHECK_BOT_SERVICE_URL=keyed.url, FAKECHECK_BOT_SERVICE_API_KEY="bot-key")
    assert len(fake_reddit.replies_to(summons)) == 1


def test_one_bad_item_never_stops_the_others(fake_reddit, run_bot, state):
    image = fake_reddit.add_image("a.jpg", untouched())
    deleted, garbled, fine = (fake_reddit.add_post("pics", "alice", url=image) for _ in range(3))
    summons = [fake_reddit.mention(post, "bob") for post in (deleted, garbled, fine)]
    fake_reddit.delete(summons[0])
    fake_reddit.garble(garbled)

    run_bot("reddit", FAKECHECK_BOT_MAX_ATTEMPTS="2")

    assert len(fake_reddit.replies_to(summons[2])) == 1
    gone, broken = (state().get(f"reddit:summons:{s}") for s in summons[:2])
    assert gone.status == SKIPPED and "DELETED_COMMENT" in gone.reason
    assert (broken.status, broken.attempts) == (SKIPPED, 2)
    assert broken.reason.startswith("failed 2 times")


def test_a_second_run_on_the_same_queue_stops_at_once(fake_reddit, bot_env):
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    summons = fake_reddit.mention(post, "bob")
    release = fake_reddit.hold_image("a.jpg")
    first = start(bot_env)
    wait_for(lambda: ("GET", "/img/a.jpg") in fake_reddit.requests)

    second = subprocess.run(  # noqa: PLW1510 - its failure is what is checked
        [FAKECHECK, "bot", "reddit", "--once"],
        env={**os.environ, **bot_env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    release.set()
    first.wait(timeout=120)

    assert second.returncode != 0 and "another reddit bot run" in second.stderr
    assert first.returncode == 0 and len(fake_reddit.replies_to(summons)) == 1
