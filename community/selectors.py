"""Reads for the pages of community/: a paper's code and project links."""

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from papers import links
from papers.models import Paper

from .models import Notification, PaperLink

# How long a reader's unread count may be kept. Creating or reading notifications
# forgets it at once (services.unread_forget); a summary hidden, deleted or made private
# changes which notifications count and shows within this bound.
UNREAD_SECONDS = 60

_KIND_ORDER = list(links.KINDS)


def approved_links_prefetch() -> Prefetch:
    """Prefetch each paper's approved links into `approved_links` (one query a page)."""
    return Prefetch(
        "added_links", queryset=PaperLink.objects.approved(), to_attr="approved_links"
    )


def unread_key(user_id: int) -> str:
    return f"unread:{user_id}"


def unread_count(*, user) -> int:
    """Return how many of the user's notifications are unread: the badge every signed-in
    page shows, read from the cache (no query) while nothing changed it."""
    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = (
            Notification.objects.for_recipient(user)
            .filter(read_at__isnull=True)
            .count()
        )
        cache.set(key, count, UNREAD_SECONDS)
    return count


def paper_links_shown(
    *, paper: Paper, approved: Iterable[PaperLink] | None = None
) -> list[links.FoundLink]:
    """Return a paper's code, project, data and video links, each once.

    Those its arXiv comment and abstract announce come first, then those moderators
    approved (`approved`, or one query); code before project pages, data and videos.
    """
    if approved is None:
        approved = PaperLink.objects.approved().filter(paper=paper)
    found = links.links_from_paper(comment=paper.arxiv_comment, abstract=paper.abstract)
    keys = {link.key for link in found}
    for added in approved:
        if added.url_key not in keys:
            keys.add(added.url_key)
            found.append(added.as_found())
    return sorted(found, key=lambda link: _KIND_ORDER.index(link.kind))


def paper_links_of_writer(*, paper: Paper, user) -> QuerySet[PaperLink]:
    """Return the links a user added to a paper, whatever their state, newest first."""
    return PaperLink.objects.filter(paper=paper, added_by=user).order_by(
        "-created_at", "-pk"
    )


def paper_links_waiting() -> QuerySet[PaperLink]:
    """Return the links waiting for a moderator, oldest first, with paper and writer."""
    return PaperLink.objects.pending().select_related("paper", "added_by")
