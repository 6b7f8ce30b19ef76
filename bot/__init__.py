"""FakeCheck's bots: Reddit and X accounts that answer with the service's verdicts.

    fakecheck bot reddit [--once]     # summons, subscribed subreddits, commands by message
    fakecheck bot x [--once]          # mentions on X

``bot.cli`` reads the settings (``bot.config``) once and runs one ``bot.worker.Worker`` over a
platform. Each platform turns posts into items of the durable queue in ``bot.store``; the worker
answers each item once, through ``bot.service_client`` (the service's HTTP API: the bots never
import the detector), with the words of ``bot.replies``.

    platform.py       what the worker needs of a platform, and the faults one may report
    reddit.py         Reddit's platform, over its parts: reddit_client (praw), reddit_inbox
                      (summons, commands), reddit_subscriptions (subreddits, moderators),
                      reddit_delivery (posting once), reddit_faults
    x.py              X's platform (tweepy), its faults beside it
    commands.py       the words people and moderators' wiki pages tell the bot
    images.py         where the pictures of a post are, on either platform
    store.py          the queue, subscriptions, opt-outs (migrations.py: its schema)
    presence.py       which runs are alive, and which one reads a platform's new items
"""
