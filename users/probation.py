"""Probation for new accounts: their first posts carry few links and no outside images.

An account with no reputation is on probation for its first PROBATION_POSTS posts
(published summaries and comments). Each of those may hold at most PROBATION_MAX_LINKS
links and no image from another site. A post over the line is refused with the reason
(PROBATION_MODE = "refuse") or saved hidden and held in the moderation queue
(PROBATION_MODE = "hold"). The posting services call `probation_check` after
`ensure_can_write`; the moderation app registers what "held" does (a report in its queue).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .models import User

# Absolute addresses anywhere in the text: Markdown links, autolinks, bare URLs and
# reference definitions (an image's own address is subtracted, as it is no link).
_URL = re.compile(r"(?:https?:)?//[^\s<>()\[\]\"']+|www\.[^\s<>()\[\]\"']+", re.I)
_parser = MarkdownIt("commonmark")


@dataclass(frozen=True)
class Outside:
    links: int
    external_images: int


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def outside_references(source: str) -> Outside:
    """Count the links and the images from other sites in a Markdown text."""
    images = [
        str(token.attrGet("src") or "")
        for token in _walk(_parser.parse(source))
        if token.type == "image"
    ]
    external = [src for src in images if _URL.match(src.strip())]
    urls = _URL.findall(source)
    return Outside(
        links=max(len(urls) - len(external), 0), external_images=len(external)
    )


def on_probation(user: User, *, prior_posts: Callable[[], int]) -> bool:
    """Whether this account's next post is one of its first, under probation."""
    if user.reputation > 0 or user.may_moderate:
        return False
    return prior_posts() < settings.PROBATION_POSTS


def probation_reason(user: User, *, body: str, prior_posts: Callable[[], int]) -> str:
    """Return why this post breaks probation, or "" when it may be posted as it is."""
    if not on_probation(user, prior_posts=prior_posts):
        return ""
    found = outside_references(body)
    limit = settings.PROBATION_MAX_LINKS
    if found.external_images:
        return (
            "New accounts cannot show images from other sites in their first posts; "
            "upload the figure instead."
        )
    if found.links > limit:
        return (
            f"New accounts can put at most {limit} links in each of their first posts; "
            f"this one has {found.links}."
        )
    return ""


def probation_check(user: User, *, body: str, prior_posts: Callable[[], int]) -> str:
    """Refuse a post that breaks probation, or return why it must be held ("" if not).

    In "refuse" mode a ValidationError says what to change; in "hold" mode the reason is
    returned and the caller saves the post hidden and calls `probation_hold`.
    """
    reason = probation_reason(user, body=body, prior_posts=prior_posts)
    if reason and settings.PROBATION_MODE != "hold":
        raise ValidationError(reason)
    return reason


_hold_hooks: list[Callable[..., Any]] = []


def probation_hold_register(hook: Callable[..., Any]) -> None:
    """Register what holding a post does: `hook(summary=..., comment=..., reason=...)`."""
    if hook not in _hold_hooks:
        _hold_hooks.append(hook)


def probation_hold(*, reason: str, summary: Any = None, comment: Any = None) -> None:
    """Send a held post (already saved hidden) to the moderators."""
    for hook in _hold_hooks:
        hook(summary=summary, comment=comment, reason=reason)
