"""Personal API tokens, and summary writes made through the API."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError
from django.utils import timezone

from papers.models import Paper
from summaries import services as summary_services
from summaries.models import Summary
from users.models import User
from users.policy import Action, ensure_can_write

from .models import ApiToken, hash_token

TOKEN_PREFIX = "ss_"  # noqa: S105  # a marker that makes leaked tokens greppable, not a secret  # nosec B105
# last_used_at is a hint for the owner, not an audit log: writing it on every request
# would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class SummaryExists(Exception):
    """The writer already has a summary of this paper (one per writer and paper)."""

    def __init__(self, summary_id: int | None):
        super().__init__(summary_id)
        self.summary_id = summary_id


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for the user; return the row and the token, which is not stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip(), token_hash=hash_token(raw), prefix=raw[:10]
    )
    token.full_clean()
    token.save()
    return token, raw


def token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's tokens; return whether a live token was revoked."""
    updated = ApiToken.objects.filter(
        pk=token_id, user=user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return bool(updated)


def token_authenticate(raw: str) -> ApiToken | None:
    """Return the live token a client sent, noting when it was last used, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(token_hash=hash_token(raw))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_summary_create(
    *,
    writer: User,
    paper: Paper,
    body: str,
    is_anonymous: bool,
    is_private: bool,
    publish: bool,
) -> Summary:
    """Create the writer's summary of a paper through the summaries service.

    Unlike `summaries.services.summary_create`, tell an existing summary apart: raise
    SummaryExists (with its id) when the writer has one already. The write policy is
    checked first, so a refused writer learns that rather than that a summary exists.
    """
    ensure_can_write(
        writer, action=Action.SUMMARY_PUBLISH if publish else Action.SUMMARY_SAVE
    )
    existing = (
        Summary.objects.filter(paper=paper, writer=writer)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is not None:
        raise SummaryExists(existing)
    try:
        return summary_services.summary_create(
            paper=paper,
            writer=writer,
            body=body,
            publish=publish,
            is_anonymous=is_anonymous,
            is_private=is_private,
        )
    except IntegrityError as exc:
        # A concurrent request created it between the check and the insert.
        raise SummaryExists(None) from exc


class CannotUnpublish(ValueError):
    pass


def summary_edit(
    *,
    summary: Summary,
    body: str | None = None,
    is_anonymous: bool | None = None,
    is_private: bool | None = None,
    publish: bool | None = None,
) -> Summary:
    """Change a summary's text, flags or publication; None leaves a field as it is.

    The change goes through `summaries.services.summary_save`, so it keeps a
    revision, records citations and queues rendering like an edit on the site.
    """
    published = summary.status == Summary.Status.PUBLISHED
    if publish is False and published:
        raise CannotUnpublish("A published summary cannot go back to being a draft.")
    return summary_services.summary_save(
        paper=summary.paper,
        writer=summary.writer,
        body=summary.body if body is None else body,
        is_anonymous=summary.is_anonymous if is_anonymous is None else is_anonymous,
        is_private=summary.is_private if is_private is None else is_private,
        publish=published or bool(publish),
    )
