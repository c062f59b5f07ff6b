"""What an account's summaries, votes and images become when it is exported or deleted.
Registered with users.accounts in SummariesConfig.ready(): users/ sits below summaries
and never imports them.
"""

import json
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.text import slugify

from shortscience.cache import cache_touch
from users.accounts import ExportFile, Holders, iso
from users.models import User

from . import services as summary_services
from .models import (
    AuthorResponse,
    Endorsement,
    Summary,
    SummaryRevision,
    UploadedImage,
    Vote,
)
from .signals import summary_changed

# Directory ----------------------------------------------------------------------------


def users_directory_writers(users: QuerySet[User]) -> QuerySet[User]:
    """Keep the users with a public, signed summary; annotate summary_count (their number)."""
    signed = Summary.objects.public().filter(writer=OuterRef("pk"), is_anonymous=False)
    count = signed.order_by().values("writer").annotate(n=Count("pk")).values("n")[:1]
    return users.filter(Exists(signed)).annotate(summary_count=Subquery(count))


# Download my data ---------------------------------------------------------------------


def summary_export_path(summary: Summary) -> str:
    slug = slugify(summary.paper.title)[:60].strip("-")
    name = f"{summary.paper_id}-{slug}" if slug else str(summary.paper_id)
    return f"summaries/{name}.md"


def summary_export_markdown(summary: Summary) -> str:
    """Return the summary as Markdown under a YAML header (values quoted as JSON)."""
    paper = summary.paper
    header = {
        "paper": paper.title,
        "paper_url": settings.SITE_URL.rstrip("/") + paper.get_absolute_url(),
        "arxiv": paper.arxiv_id or None,
        "doi": paper.doi or None,
        "status": summary.status,
        "anonymous": summary.is_anonymous,
        "private": summary.is_private,
        "published": iso(summary.published_at),
        "updated": iso(summary.updated_at),
        "deleted": iso(summary.deleted_at),
    }
    lines = ["---"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in header.items()]
    lines += ["---", "", summary.body.rstrip("\n"), ""]
    return "\n".join(lines)


def votes_export(*, user: User) -> dict:
    """Return profile.json's "votes", "endorsements" and "author_responses": what the
    user gave and wrote on others' summaries."""
    votes = Vote.objects.filter(user=user).select_related("summary__paper")
    endorsements = Endorsement.objects.filter(author=user).select_related(
        "summary__paper"
    )
    responses = AuthorResponse.objects.filter(writer=user).select_related(
        "summary__paper"
    )
    return {
        "votes": [
            {
                "summary_id": vote.summary_id,
                "paper": vote.summary.paper.title,
                "value": vote.value,
                "created_at": iso(vote.created_at),
            }
            for vote in votes.order_by("created_at", "pk")
        ],
        "endorsements": [
            {
                "summary_id": e.summary_id,
                "paper": e.summary.paper.title,
                "created_at": iso(e.created_at),
            }
            for e in endorsements.order_by("created_at", "pk")
        ],
        "author_responses": [
            {
                "summary_id": r.summary_id,
                "paper": r.summary.paper.title,
                "body": r.body,
                "hidden_by_a_moderator": r.is_hidden,
                "created_at": iso(r.created_at),
                "edited_at": iso(r.edited_at),
            }
            for r in responses.order_by("created_at", "pk")
        ],
    }


def summaries_export_files(*, user: User) -> list[ExportFile]:
    """Return one Markdown file per summary the user wrote, drafts included."""
    summaries = (
        Summary.objects.filter(writer=user).select_related("paper").order_by("paper_id")
    )
    return [
        ExportFile(
            id=summary.pk,
            path=summary_export_path(summary),
            text=summary_export_markdown(summary),
        )
        for summary in summaries
    ]


# Account deletion ---------------------------------------------------------------------


def _remove_votes(user: User) -> None:
    """Delete the user's votes and recount the scores and reputations they touched."""
    touched = list(
        Vote.objects.filter(user=user)
        .values_list("summary_id", "summary__writer_id")
        .distinct()
    )
    Vote.objects.filter(user=user).delete()
    summary_services.summary_counts_refresh(
        summary_ids=[summary_id for summary_id, _ in touched],
        writer_ids=[writer_id for _, writer_id in touched],
    )


def summaries_account_delete(
    *, user: User, holders: Holders, keep_summaries: bool
) -> None:
    """Remove the votes of an account being deleted; delete or hand over its summaries.

    keep_summaries=False: every summary is soft-deleted (staff may restore it until the
    purge job runs). keep_summaries=True: published, non-private summaries pass to the
    shared "deleted user"; drafts and private summaries, which nobody else could read,
    are soft-deleted. Uploaded images follow the summaries.
    """
    _remove_votes(user)
    moved: dict[int, list[int]] = {}  # holder pk -> summaries

    def give(holder: User, summary_ids: list[int]) -> None:
        if summary_ids:
            moved.setdefault(holder.pk, []).extend(summary_ids)

    now = timezone.now()

    summaries = list(Summary.objects.filter(writer=user).select_related("paper"))
    keep = [
        s
        for s in summaries
        if keep_summaries
        and s.deleted_at is None
        and s.status == Summary.Status.PUBLISHED
        and not s.is_private
    ]
    kept_ids = {s.pk for s in keep}
    for summary in summaries:
        if summary.pk not in kept_ids and summary.deleted_at is None:
            summary_services.summary_delete(summary=summary)
    taken = set(
        Summary.objects.filter(
            writer=holders.shared, paper_id__in=[s.paper_id for s in keep]
        ).values_list("paper_id", flat=True)
    )
    give(holders.shared, [s.pk for s in keep if s.paper_id not in taken])
    # One writer, one summary per paper: a paper the shared holder already has goes to
    # a holder of its own, as do the soft-deleted summaries.
    clashing = [s.pk for s in keep if s.paper_id in taken]
    removed = [s.pk for s in summaries if s.pk not in kept_ids]
    if clashing or removed:
        give(holders.own(), clashing + removed)

    for holder_pk, ids in moved.items():
        Summary.objects.filter(pk__in=ids).update(
            writer_id=holder_pk, pending_body="", pending_saved_at=None, updated_at=now
        )
        SummaryRevision.objects.filter(writer=user, summary_id__in=ids).update(
            writer_id=holder_pk
        )
    # Reputation follows the summaries to their new holders.
    summary_services.user_reputation_refresh(user_ids=list(moved))

    images = UploadedImage.objects.filter(owner=user)
    if keep_summaries:
        images.update(owner=holders.shared)
    elif images.exists():
        images.update(owner=holders.own())

    kept = Summary.objects.filter(pk__in=kept_ids)
    cache_touch("summary", *kept_ids)  # bylines changed on every page showing them
    for summary in kept:
        # Bylines changed: listeners (feeds, search) refresh what they cached.
        transaction.on_commit(
            partial(summary_changed.send, sender=Summary, summary=summary)
        )
