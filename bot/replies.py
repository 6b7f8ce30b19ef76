"""Every sentence the bots say, in one place, with named placeholders; Reddit and X share it.

A public reply that wrongly accuses a photo does harm, so every verdict reply says it is an
automated, probabilistic check, links the full evidence and offers a "wrong verdict?" link.
A verdict is named by its own ``label`` ("Likely AI-generated", "Likely edited", ...): the
service serves the words the model defines once, so a generated picture is never called an
edited photo here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.service_client import Check

FOOTER = (
    "^(I am a bot: an automated, probabilistic check, not proof. Send me a private message "
    '"optout" and I will never reply to you again.)'
)
REDDIT_LINE = (
    "- {image}: **{verdict}** (score {score:.2f}): {reason} "
    "[Report]({report}) · [Wrong verdict?]({feedback})"
)
REDDIT_PROBLEM = "- {image}: not checked: {problem}"
REDDIT_INTRO = "I checked {what} in this post for signs of AI generation or editing:"
REDDIT_UNCHECKED = "I could not check {what} in this post:"
NO_IMAGE = (
    "I looked, but this post has no image I can check (I read direct image links, Reddit "
    "galleries, imgur links and previews). Sorry!"
)
GONE = "the image is gone (deleted or moved)."
SUBSCRIBED = (
    "r/{name} is subscribed: I will check every new image post there (mode: {mode}, minimum "
    "score {min_score:.2f}). Change it with `mode r/{name} every|manipulated|modmail [min "
    "score]` or a wiki page named `fakecheck`; stop with `unsubscribe r/{name}`."
)
NOT_MODERATOR = (
    "Sorry, I can only subscribe r/{name} for one of its moderators, and u/{user} is not on "
    "its moderator list. Ask a moderator to send me `subscribe r/{name}`."
)
UNSUBSCRIBED = "r/{name} is unsubscribed: I will no longer check its new posts."
NOT_SUBSCRIBED = "r/{name} was not subscribed, so there is nothing to stop."
MODE_SET = "r/{name} now uses mode {mode} with minimum score {min_score:.2f}."
OPTED_OUT = "Done: I will never reply to you again."
UNKNOWN_COMMAND = (
    "I did not understand that. I know: `subscribe r/NAME`, `unsubscribe r/NAME`, "
    "`mode r/NAME every|manipulated|modmail [min score]` (moderators) and `optout` (anyone)."
)
BANNED_PM_SUBJECT = "Your FakeCheck summons in r/{name} ({ref})"
BANNED_PM = "I cannot reply in r/{name}, so here is my answer to your summons ({link}):\n\n{text}"
MODMAIL_SUBJECT = "FakeCheck: a post in r/{name} looks AI-generated or edited ({ref})"
MODMAIL = "New post {link} by u/{author}:\n\n{text}"

X_LINE = "{image}{verdict} ({score:.2f}){reason} {report}"
X_PROBLEM = "{image}not checked: {problem}"
X_FOOTER = "Automated, probabilistic check."
X_NO_IMAGE = "I found no image in this post or the one it replies to. " + X_FOOTER
X_LIMIT = 280
X_URL_LENGTH = 23  # X counts every link as 23 characters, whatever its length
_URL = re.compile(r"https?://\S+")


def reddit_verdicts(checks: Sequence[Check], base: str) -> str:
    """One line per image with its verdict's label, score, main reason and links; then the
    footer."""
    lines = [_reddit_intro(sum(c.verdict is not None for c in checks), len(checks)), ""]
    for number, check in enumerate(checks, 1):
        image = "Image" if len(checks) == 1 else f"Image {number}"
        if check.verdict is None:
            lines.append(REDDIT_PROBLEM.format(image=image, problem=_problem(check)))
            continue
        report = f"{base}{check.verdict['report_url']}"
        lines.append(
            REDDIT_LINE.format(
                image=image,
                verdict=_label(check),
                score=check.verdict["score"],
                reason=main_reason(check),
                report=report,
                feedback=f"{report}#feedback-section",
            )
        )
    return "\n".join([*lines, "", FOOTER])


def _reddit_intro(checked: int, count: int) -> str:
    """Says how many of the images were checked: a reply about an image that could not be
    read (a link to a web page, a deleted file) must not claim it was checked."""
    what = "the image" if count == 1 else f"the {count} images"
    if not checked:
        return REDDIT_UNCHECKED.format(what=what)
    return REDDIT_INTRO.format(what=what if checked == count else f"{checked} of {what}")


def x_verdicts(checks: Sequence[Check], base: str) -> str:
    """The same within X's 280 characters: reasons go first, then images beyond the room."""
    for shown in range(len(checks), 0, -1):
        for with_reason in (True, False):
            lines = [_x_line(c, n, len(checks), base, with_reason) for n, c in enumerate(checks, 1)]
            lines = lines[:shown]
            if shown < len(checks):
                lines.append(f"(+{len(checks) - shown} more images)")
            text = "\n".join([*lines, X_FOOTER])
            if x_length(text) <= X_LIMIT:
                return text
    raise ValueError("a verdict line does not fit in one post")


def x_length(text: str) -> int:
    """The length X counts: every link weighs 23 characters."""
    return len(_URL.sub("x" * X_URL_LENGTH, text))


def main_reason(check: Check) -> str:
    reasons = (check.verdict or {}).get("reasons") or []
    return reasons[0].rstrip(".") + "." if reasons else "Nothing stood out."


def _x_line(check: Check, number: int, count: int, base: str, with_reason: bool) -> str:
    image = f"{number}: " if count > 1 else ""
    if check.verdict is None:
        return X_PROBLEM.format(image=image, problem=_problem(check))
    reason = main_reason(check)
    return X_LINE.format(
        image=image,
        verdict=_label(check),
        score=check.verdict["score"],
        reason=f" {_shorten(reason, 90)}" if with_reason else "",
        report=f"{base}{check.verdict['report_url']}",
    )


def _label(check: Check) -> str:
    """The words the service gives for the verdict; a service older than ``label`` gives
    only the band's code, shown as it is rather than a second copy of the words here."""
    return check.verdict.get("label") or check.verdict["verdict"]


def _problem(check: Check) -> str:
    return GONE if check.gone else check.problem


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
