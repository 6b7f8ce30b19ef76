"""FakeCheck's bots: Reddit and X accounts that answer with the service's verdicts.

    fakecheck bot reddit [--once]     # summons, subscribed subreddits, commands by message
    fakecheck bot x [--once]          # mentions on X

Each platform (``bot.reddit``, ``bot.x``) turns posts into items of the durable queue in
``bot.store``; ``bot.worker.Worker`` answers each item once, through ``bot.service_client``
(the service's HTTP API: the bots never import the detector), with the words of
``bot.replies``. Settings: ``bot.config``.
"""
