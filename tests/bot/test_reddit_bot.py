"""The Reddit bot end to end: real praw against a fake Reddit on loopback, a real service."""

from __future__ import annotations

import logging
import math
import os
import re
import time

import requests

from bot.config import load_config
from bot.reddit import RedditPlatform, connect
from bot.service_client import ServiceClient
from bot.store import REPLIED, SKIPPED, Store
from tests.bot.conftest import BOT
from tests.images import copy_moved, untouched

REPORT = re.compile(r"\[Report\]\((http://127\.0\.0\.1:\d+/results/[0-9a-f]{64})\)")


def test_a_summons_gets_one_reply_with_band_score_and_report_link(
    fake_reddit, run_bot, service, state
):
    url = fake_reddit.add_image("cm.jpg", copy_moved())
    post = fake_reddit.add_post("pics", "alice", url=url)
    summons = fake_reddit.mention(post, "bob")

    run_bot("reddit")
    run_bot("reddit")  # nothing new: no second reply

    [reply] = fake_reddit.replies_to(summons)
    assert re.search(r"\*\*Likely edited\*\* \(score (0\.9\d|1\.00)\)", reply)
    assert "copied" in reply  # the main reason
    assert "Wrong verdict?" in reply and "probabilistic" in reply
    report = REPORT.search(reply)[1]
    assert report.startswith(service.url)
    assert requests.get(report, timeout=30).status_code == 200
    assert fake_reddit.unread() == []
    assert state().get(f"reddit:summons:{summons}").status == REPLIED


def test_a_gallery_of_three_gets_three_lines(fake_reddit, run_bot):
    urls = [
        fake_reddit.add_image("a.jpg", untouched(31)),
        fake_reddit.add_image("b.jpg", copy_moved()),
        fake_reddit.add_image("c.jpg", untouched(32)),
    ]
    post = fake_reddit.add_post("pics", "alice", gallery=urls)
    summons = fake_reddit.mention(post, "bob")

    run_bot("reddit")

    [reply] = fake_reddit.replies_to(summons)
    lines = [line for line in reply.splitlines() if line.startswith("- Image ")]
    assert [line.split(":")[0] for line in lines] == ["- Image 1", "- Image 2", "- Image 3"]
    assert "Likely edited" in lines[1] and "Likely edited" not in lines[0]
    assert len(REPORT.findall(reply)) == 3


def test_crosspost_preview_and_gone_images(fake_reddit, run_bot):
    parent = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("p.jpg", untouched()))
    crosspost = fake_reddit.add_post("other", "carol", crosspost_of=parent)
    previewed = fake_reddit.add_post(
        "news",
        "dave",
        url="https://imgur.com/a1b2c3",
        preview=fake_reddit.add_image("v.jpg", untouched(33)),
    )
    gone = fake_reddit.add_post("pics", "erin", url=fake_reddit.add_image("g.jpg", b"", status=404))
    text = fake_reddit.add_post("pics", "fay", is_self=True, selftext="no pictures here")
    summons = {
        post: fake_reddit.mention(post, "bob") for post in (crosspost, previewed, gone, text)
    }

    run_bot("reddit")

    # Camera photos as they came: the verdict claims nothing either way.
    assert "No evidence of manipulation" in fake_reddit.replies_to(summons[crosspost])[0]
    assert "No evidence of manipulation" in fake_reddit.replies_to(summons[previewed])[0]
    assert "the image is gone" in fake_reddit.replies_to(summons[gone])[0]
    assert "no image I can check" in fake_reddit.replies_to(summons[text])[0]


def test_a_link_answering_a_web_page_is_not_said_to_be_checked(fake_reddit, run_bot):
    page = b"<!doctype html><title>A photo</title><p>The photo, with ads around it.</p>"
    html = fake_reddit.add_image("page.jpg", page, content_type="text/html")
    single = fake_reddit.add_post("pics", "alice", url=html)
    photo = fake_reddit.add_image("photo.jpg", untouched())
    gallery = fake_reddit.add_post("pics", "carol", gallery=[html, photo])
    summons = {post: fake_reddit.mention(post, "bob") for post in (single, gallery)}

    run_bot("reddit")

    [alone] = fake_reddit.replies_to(summons[single])
    assert alone.startswith("I could not check the image in this post:")
    assert "- Image: not checked: The file looks like an HTML page" in alone
    [mixed] = fake_reddit.replies_to(summons[gallery])
    assert mixed.startswith("I checked 1 of the 2 images in this post ")
    assert "- Image 1: not checked: The file looks like an HTML page" in mixed
    assert "- Image 2: **" in mixed


def test_subscribe_by_a_moderator_and_refusal_of_anyone_else(fake_reddit, run_bot, state):
    fake_reddit.set_moderators("pics", ["modder"])
    by_mod = fake_reddit.message("modder", "subscribe", "subscribe r/pics")
    by_other = fake_reddit.message("mallory", "subscribe", "subscribe r/pics")
    fake_reddit.invite("earth", "earthmod")

    run_bot("reddit")

    assert "r/pics is subscribed" in fake_reddit.replies_to(by_mod)[0]
    [refusal] = fake_reddit.replies_to(by_other)
    assert "not on its moderator list" in refusal
    assert BOT in fake_reddit.moderators("earth")  # the invitation was accepted
    names = [s.name for s in state().subscriptions()]
    assert names == ["earth", "pics"]

    meddling = fake_reddit.message("mallory", "mode", "mode r/pics every")
    run_bot("reddit")
    assert "not on its moderator list" in fake_reddit.replies_to(meddling)[0]
    assert state().subscription("pics").mode == "manipulated"

    unsubscribe = fake_reddit.message("modder", "stop", "unsubscribe r/pics")
    run_bot("reddit")
    assert "unsubscribed" in fake_reddit.replies_to(unsubscribe)[0]
    assert [s.name for s in state().subscriptions()] == ["earth"]


def subscribe(fake_reddit, run_bot, name: str, command: str | None = None) -> None:
    fake_reddit.set_moderators(name, ["modder"])
    fake_reddit.message("modder", "subscribe", f"subscribe r/{name}\n{command or ''}")
    run_bot("reddit")
    if command:
        fake_reddit.message("modder", "mode", command)
        run_bot("reddit")


def test_subscribed_new_image_posts_are_scanned_in_each_mode(fake_reddit, run_bot, state):
    subscribe(fake_reddit, run_bot, "every", "mode r/every every")
    subscribe(fake_reddit, run_bot, "manip")  # the default: only likely manipulated
    subscribe(fake_reddit, run_bot, "quiet")
    fake_reddit.set_wiki("quiet", "fakecheck", "mode: modmail\nmin_score: 0.8", time.time())
    posts = {}
    for sub in ("every", "manip", "quiet"):
        posts[sub, "clean"] = fake_reddit.add_post(
            sub, "alice", url=fake_reddit.add_image(f"{sub}-c.jpg", untouched())
        )
        posts[sub, "fake"] = fake_reddit.add_post(
            sub, "alice", url=fake_reddit.add_image(f"{sub}-f.jpg", copy_moved())
        )
    fake_reddit.add_post("every", "alice", is_self=True, selftext="words only")
    old = fake_reddit.add_post(
        "every", "alice", url=fake_reddit.add_image("old.jpg", copy_moved()), created_utc=1.0
    )

    run_bot("reddit")
    run_bot("reddit")

    def replies(sub, kind):
        return fake_reddit.replies_to(f"t3_{posts[sub, kind]}")

    assert len(replies("every", "clean")) == 1 and len(replies("every", "fake")) == 1
    assert replies("manip", "clean") == [] and len(replies("manip", "fake")) == 1
    assert replies("quiet", "clean") == [] and replies("quiet", "fake") == []
    [modmail] = fake_reddit.sent_messages("#quiet")  # praw's way of writing to modmail
    assert posts["quiet", "fake"] in modmail["body"] and "Likely edited" in modmail["body"]
    assert fake_reddit.replies_to(f"t3_{old}") == []  # from before the subscription
    store = state()
    assert store.subscription("quiet").mode == "modmail"
    assert "no image met" in store.get(f"reddit:post:t3_{posts['manip', 'clean']}").reason


def test_a_post_of_the_subscriptions_own_second_is_checked_an_older_one_logged_once(
    fake_reddit, run_bot, state, caplog
):
    # Reddit stamps posts in whole seconds: one made just after the subscription carries the
    # second it began in, which is earlier than the subscription's own instant.
    subscribe(fake_reddit, run_bot, "pics", "mode r/pics every")
    second = math.floor(state().subscription("pics").since)
    same = fake_reddit.add_post(
        "pics", "alice", url=fake_reddit.add_image("s.jpg", untouched()), created_utc=second
    )
    older = fake_reddit.add_post(
        "pics", "alice", url=fake_reddit.add_image("o.jpg", untouched()), created_utc=second - 1
    )

    with caplog.at_level(logging.INFO, logger="bot"):
        run_bot("reddit")
        run_bot("reddit")  # the older post is read again: no second line

    assert len(fake_reddit.replies_to(f"t3_{same}")) == 1
    assert fake_reddit.replies_to(f"t3_{older}") == []
    key = f"reddit:post:t3_{older}"
    assert state().get(key).status == SKIPPED
    assert [r.getMessage() for r in caplog.records if key in r.getMessage()] == [
        f"{key}: skipped: posted before r/pics was subscribed"
    ]


def test_the_wiki_page_counts_only_when_a_moderator_edited_it_last(fake_reddit, run_bot, state):
    subscribe(fake_reddit, run_bot, "pics", "mode r/pics modmail")
    page = "mode: every\nmin_score: 0"
    fake_reddit.set_wiki("pics", "fakecheck", page, time.time(), editor="mallory")
    clean = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("c.jpg", untouched()))

    run_bot("reddit")

    assert state().subscription("pics").mode == "modmail"
    assert fake_reddit.replies_to(f"t3_{clean}") == []

    fake_reddit.set_wiki("pics", "fakecheck", page, time.time(), editor="modder")
    run_bot("reddit")
    now = state().subscription("pics")
    assert (now.mode, now.min_score) == ("every", 0.0)


def test_a_refused_wiki_revision_is_reported_once(
    fake_reddit, run_bot, bot_env, monkeypatch, caplog
):
    # The bot reads the page every round (every 30 s): one warning per revision, not per round.
    subscribe(fake_reddit, run_bot, "pics")
    fake_reddit.set_wiki("pics", "fakecheck", "mode: every", time.time(), editor="mallory")
    for name, value in bot_env.items():
        monkeypatch.setenv(name, value)
    config = load_config(None, os.environ)
    store = Store(config.bot_store)
    service = ServiceClient(config.bot_service_url, None, config.bot_service_timeout_s)
    platform = RedditPlatform(connect(config), store, service, config)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.reddit_subscriptions"):
            for _ in range(3):
                platform.collect(lambda item: None)
    finally:
        service.close()
        store.close()
    refused = [r for r in caplog.records if "wiki page" in r.getMessage()]
    assert [r.getMessage() for r in refused] == [
        "r/pics wiki page fakecheck ignored: last edited by mallory, not a moderator"
    ]


def test_opt_out_is_honoured(fake_reddit, run_bot, state):
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    optout = fake_reddit.message("bob", "optout", "optout")
    run_bot("reddit")
    assert "never reply to you again" in fake_reddit.replies_to(optout)[0]

    summons = fake_reddit.mention(post, "bob")
    run_bot("reddit")
    assert fake_reddit.replies_to(summons) == []
    assert state().get(f"reddit:summons:{summons}").reason == "bob opted out"


def test_manners_ignored_accounts_old_summons_and_the_hourly_cap(fake_reddit, run_bot, state):
    post = fake_reddit.add_post("pics", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    by_automod = fake_reddit.mention(post, "AutoModerator")
    by_listed = fake_reddit.mention(post, "other_bot")
    stale = fake_reddit.mention(post, "bob", created_utc=time.time() - 25 * 3600)
    many = [fake_reddit.mention(post, "carol") for _ in range(3)]

    run_bot("reddit", FAKECHECK_BOT_IGNORE_USERS="other_bot", FAKECHECK_BOT_SUMMONS_PER_HOUR="2")

    for summons in (by_automod, by_listed, stale, many[2]):
        assert fake_reddit.replies_to(summons) == []
        assert state().get(f"reddit:summons:{summons}").status == SKIPPED
    assert [len(fake_reddit.replies_to(s)) for s in many[:2]] == [1, 1]
    assert "older than 24 h" in state().get(f"reddit:summons:{stale}").reason


def test_banned_from_a_subreddit_answers_by_private_message(fake_reddit, run_bot):
    post = fake_reddit.add_post("strict", "alice", url=fake_reddit.add_image("a.jpg", untouched()))
    summons = fake_reddit.mention(post, "bob")
    fake_reddit.ban("strict")

    run_bot("reddit")

    assert fake_reddit.replies_to(summons) == []
    [message] = fake_reddit.sent_messages("bob")
    assert "cannot reply in r/strict" in message["body"]
    assert "No evidence of manipulation" in message["body"]
