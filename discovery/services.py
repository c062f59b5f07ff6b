"""Actions that change discovery's state: the search index, summary requests, follows."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from papers.models import Keyword, Paper, Venue
from shortscience.cache import cache_forget, cache_touch
from shortscience.queue import enqueue
from summaries.models import Summary
from users.models import User
from users.policy import Action, ensure_can_write

from .fulltext import engine
from .models import Follow, PaperIndex, SummaryRequest
from .selectors import wanted_box_key

logger = logging.getLogger(__name__)

CHUNK = 2000


def _chunks(ids: Iterable[int], size: int = CHUNK):
    ids = sorted(set(ids))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# Search index ----------------------------------------------------------------------


def index_summaries(*, paper_ids: Iterable[int]) -> None:
    """Store the public summaries' text, count and score in these papers' index rows."""
    for chunk in _chunks(paper_ids):
        engine().index_summaries(chunk)


def queue_index_summaries(*, paper_ids: Iterable[int]) -> None:
    """Re-index these papers' summaries once the current transaction commits."""
    from .tasks import index_paper_summaries

    enqueue(index_paper_summaries, sorted(set(paper_ids)))


def index_rebuild(*, progress=None) -> int:
    """Rebuild the whole index from the papers and summaries tables; return papers done.

    Needed once after installing search on a site with summaries (the migration indexes
    the papers, not their summaries), and after restoring a backup without triggers.
    """
    ids = list(Paper.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        engine().index_papers(chunk)
        engine().index_summaries(chunk)
        if progress:
            progress(len(chunk))
    index_refresh_requests()
    return len(ids)


def index_refresh() -> int:
    """Re-index the papers whose stored summary count, score or latest date has drifted.

    Votes change scores without a signal, and moderation may hide a summary without
    one; this periodic pass catches both. Return the number of papers re-indexed.
    """
    actual = {
        row[0]: row[1:]
        for row in Summary.objects.public()
        .order_by()
        .values("paper_id")
        .annotate(n=Count("pk"), total=Sum("score"), last=Max("published_at"))
        .values_list("paper_id", "n", "total", "last")
    }
    stored = {
        row[0]: row[1:]
        for row in PaperIndex.objects.filter(summary_count__gt=0).values_list(
            "paper_id", "summary_count", "summary_score", "last_summary_at"
        )
    }
    stale = [pk for pk, values in actual.items() if stored.get(pk) != values]
    stale += [pk for pk in stored if pk not in actual]
    index_summaries(paper_ids=stale)
    index_refresh_requests()
    return len(stale)


def index_refresh_requests() -> None:
    """Recount every paper's summary requests from the requests themselves."""
    counts = dict(
        SummaryRequest.objects.order_by()
        .values("paper_id")
        .annotate(n=Count("pk"))
        .values_list("paper_id", "n")
    )
    stored = dict(
        PaperIndex.objects.filter(request_count__gt=0).values_list(
            "paper_id", "request_count"
        )
    )
    changed = [
        PaperIndex(paper_id=pk, request_count=counts.get(pk, 0))
        for pk in set(counts) | set(stored)
        if counts.get(pk, 0) != stored.get(pk, 0)
    ]
    PaperIndex.objects.bulk_update(changed, ["request_count"], batch_size=500)


# Summary requests ------------------------------------------------------------------


def wanted_box_forget(*, venue_id: int | None, year: int | None) -> None:
    """Forget the kept most-wanted box of a venue-year."""
    if venue_id is not None:
        cache_forget(wanted_box_key(venue_id, year))


@transaction.atomic
def summary_request_set(*, user: User, paper: Paper, wanted: bool) -> int:
    """Add (wanted=True) or withdraw a reader's request for a summary; return the count.

    Asking twice counts once.
    """
    ensure_can_write(user, action=Action.SUMMARY_REQUEST)
    if wanted:
        try:
            with transaction.atomic():
                SummaryRequest.objects.create(user=user, paper=paper)
        except IntegrityError:
            pass  # already asked: one request per reader
        else:
            PaperIndex.objects.filter(paper=paper).update(
                request_count=F("request_count") + 1
            )
    else:
        deleted, _ = SummaryRequest.objects.filter(user=user, paper=paper).delete()
        if deleted:
            PaperIndex.objects.filter(paper=paper, request_count__gt=0).update(
                request_count=F("request_count") - 1
            )
    wanted_box_forget(venue_id=paper.venue_id, year=paper.year)
    cache_touch("summary-requests", paper.pk)  # the count its page shows
    return SummaryRequest.objects.filter(paper=paper).count()


def requesters_notify(*, summary_id: int) -> int:
    """Mail everyone who asked for a summary of this summary's paper; return mails sent.

    Each requester is handled in a transaction of its own that locks the request, sends
    the mail and records `notified_at`: a retry after a failure carries on with the
    requesters not yet told, and two workers never mail the same person.
    """
    summary = (
        Summary.objects.public()
        .select_related("paper", "writer")
        .filter(pk=summary_id)
        .first()
    )
    if summary is None:
        return 0
    sent = 0
    while True:
        with transaction.atomic():
            request = (
                SummaryRequest.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(paper_id=summary.paper_id, notified_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if request is None:
                return sent
            if request.user.email and request.user.is_active:
                _mail_requester(request, summary)
                sent += 1
            request.notified_at = timezone.now()
            request.save(update_fields=["notified_at", "updated_at"])


def _mail_requester(request: SummaryRequest, summary: Summary) -> None:
    context = {
        "user": request.user,
        "paper": summary.paper,
        "summary": summary,
        "summary_url": settings.SITE_URL.rstrip("/") + summary.get_absolute_url(),
        "wanted_url": settings.SITE_URL.rstrip("/") + "/wanted/",
        "SITE_NAME": settings.SITE_NAME,
    }
    send_mail(
        subject=f"A summary of “{summary.paper.title[:120]}” is up",
        message=render_to_string("discovery/email/summary_available.txt", context),
        from_email=None,
        recipient_list=[request.user.email],
    )


def on_summary_published(*, summary: Summary) -> None:
    """Queue the mails to the paper's requesters (the summary is committed already)."""
    from .tasks import notify_summary_requesters

    requested = (
        Paper.objects.filter(pk=summary.paper_id, index__request_count__gt=0)
        .values("venue_id", "year")
        .first()
    )
    if requested is not None:
        wanted_box_forget(**requested)  # it leaves its venue-year's most-wanted box
    if SummaryRequest.objects.filter(
        paper_id=summary.paper_id, notified_at__isnull=True
    ).exists():
        enqueue(notify_summary_requesters, summary.pk)


# Following -------------------------------------------------------------------------

FOLLOWABLE = {
    Follow.Kind.VENUE: ("venue", Venue),
    Follow.Kind.KEYWORD: ("keyword", Keyword),
    Follow.Kind.WRITER: ("writer", User),
}


def follow_set(*, user: User, target: Venue | Keyword | User, follow: bool) -> bool:
    """Follow or unfollow a venue, keyword or writer; return whether it is followed now."""
    ensure_can_write(user, action=Action.FOLLOW)
    field = next(
        (name for name, model in FOLLOWABLE.values() if isinstance(target, model)),
        None,
    )
    if field is None:
        raise TypeError(f"cannot follow a {type(target).__name__}")
    if field == "writer" and target.pk == user.pk:
        raise ValueError("you cannot follow yourself")
    if isinstance(target, User) and follow and not target.has_public_profile:
        raise ValueError("this account is closed and cannot be followed")
    if follow:
        try:
            with transaction.atomic():
                Follow.objects.create(user=user, **{field: target})
        except IntegrityError:
            pass  # already followed
    else:
        Follow.objects.filter(user=user, **{field: target}).delete()
    return follow
