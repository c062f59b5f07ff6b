"""Who may write: the one check every write service makes before changing anything.

Writing means saving, autosaving or publishing a summary, voting, commenting, reporting,
following, asking for a summary, uploading an image, adding a link to a paper, claiming
authorship of a paper, endorsing a summary and posting an author response, on the site and
through the API. The services call `ensure_can_write` first, so pages, the API, the admin and management
commands all meet the same rule.

E-mail verification is not checked again here: where the site requires it
(ACCOUNT_EMAIL_VERIFICATION = "mandatory"), nobody signs in without a verified address,
and API tokens are made only by signed-in users. Request-rate limits that depend on the
HTTP request (django-ratelimit on the views, the API throttle) stay with the views; the
limits that depend on the account live here.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from .models import User


class Action(StrEnum):
    SUMMARY_SAVE = "summary-save"
    SUMMARY_AUTOSAVE = "summary-autosave"
    SUMMARY_PUBLISH = "summary-publish"
    VOTE = "vote"
    COMMENT = "comment"
    REPORT = "report"
    FOLLOW = "follow"
    SUMMARY_REQUEST = "summary-request"
    IMAGE_UPLOAD = "image-upload"
    READING_LIST = "reading-list"
    PAPER_LINK = "paper-link"
    AUTHOR_CLAIM = "author-claim"
    ENDORSE = "endorse"
    AUTHOR_RESPONSE = "author-response"


# A new account may post this many comments an hour during its first day.
NEW_ACCOUNT_AGE = timedelta(days=1)
NEW_ACCOUNT_LIMITS = {Action.COMMENT: 5}

BANNED = (
    "Your account is banned: you can no longer write, vote, comment, report or follow. "
    "Your existing posts stay until a moderator hides them."
)
CLOSED = "This account is closed: it cannot write anything."
SIGNED_OUT = "Sign in to do this."


class WriteRefused(PermissionDenied):
    """The user may not write; `message` says why, in words meant for them."""

    def __init__(self, message: str, *, action: str):
        super().__init__(message)
        self.message = message
        self.action = action


class WriteThrottled(ValidationError):
    """A new account went past what it may post in an hour; it may try again later."""


def ensure_can_write(
    user: User, *, action: Action | str, recent: Callable[[], int] | None = None
) -> None:
    """Raise WriteRefused unless the user may do this write now.

    `recent`, given by the service that owns the rows, counts what the user posted of
    this kind in the last hour; new accounts get WriteThrottled past their limit.
    """
    action = Action(action)
    if user is None or not user.is_authenticated:
        raise WriteRefused(SIGNED_OUT, action=action)
    if not user.is_active:
        raise WriteRefused(CLOSED, action=action)
    if user.is_banned:
        raise WriteRefused(BANNED, action=action)
    limit = NEW_ACCOUNT_LIMITS.get(action)
    if limit is None or recent is None:
        return
    if user.date_joined > timezone.now() - NEW_ACCOUNT_AGE and recent() >= limit:
        raise WriteThrottled(
            f"New accounts can post {limit} comments an hour during their first day. "
            "Please wait a little."
        )


def recent_since() -> datetime:
    """Return the start of the hour that new-account limits count over."""
    return timezone.now() - timedelta(hours=1)
