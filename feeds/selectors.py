"""Reads for feeds, exports, sitemaps and the digest: public summaries only.

Everything goes through `Summary.objects.public()` (directly or through the
summaries selectors), so whatever moderation adds to it applies here too.
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from papers import selectors as paper_selectors
from papers.models import Paper, Venue
from summaries import selectors as summary_selectors
from summaries.models import Summary

FEED_LENGTH = 30


def summary_list_for_feed(*, filters: Q | None = None, top: bool = False) -> QuerySet:
    """Return public summaries for a feed, newest (or best) first, with what entries show."""
    qs = (
        summary_selectors.summary_list_top()
        if top
        else summary_selectors.summary_list_latest()
    )
    if filters is not None:
        qs = qs.filter(filters)
    return qs.prefetch_related("paper__keywords")


def summary_list_for_writer_feed(*, writer) -> QuerySet:
    """Return a writer's public summaries; anonymous ones never name their writer."""
    return summary_selectors.summary_list_for_writer(
        writer=writer, include_anonymous=False
    ).prefetch_related("paper__keywords")


def summary_list_for_export(*, writer, include_anonymous: bool) -> QuerySet:
    """Return a writer's public summaries for the Markdown export."""
    return summary_selectors.summary_list_for_writer(
        writer=writer, include_anonymous=include_anonymous
    )


def summary_list_for_dump() -> QuerySet:
    """Return every public summary with its paper, venue, authors and writer, by id."""
    return summary_selectors.summary_list_latest().order_by("pk")


def summary_list_for_week(*, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """Return the public summaries published in [start, end), best first."""
    return summary_selectors.summary_list_top().filter(
        published_at__gte=start, published_at__lt=end
    )


def summary_list_followed_for_week(
    *, user, start: dt.datetime, end: dt.datetime
) -> QuerySet | None:
    """Return the week's public summaries from what the user follows, best first.

    None when the user follows nothing. Anonymous summaries never reach a writer's
    followers.
    """
    from discovery.models import Follow

    follows = list(
        Follow.objects.filter(user=user).values_list(
            "venue_id", "keyword_id", "writer_id"
        )
    )
    venues = [venue for venue, _, _ in follows if venue]
    keywords = [keyword for _, keyword, _ in follows if keyword]
    writers = [writer for _, _, writer in follows if writer]
    if not (venues or keywords or writers):
        return None
    wanted = Q(pk__in=[])
    if venues:
        wanted |= Q(paper__venue_id__in=venues)
    if keywords:
        tagged = Paper.keywords.through.objects.filter(
            paper_id=OuterRef("paper_id"), keyword_id__in=keywords
        )
        wanted |= Q(Exists(tagged))
    if writers:
        wanted |= Q(writer_id__in=writers, is_anonymous=False)
    return summary_list_for_week(start=start, end=end).filter(wanted)


def paper_list_for_venue_year(*, venue: Venue, year: int) -> QuerySet:
    """Return a venue-year's papers with venue and ordered authors, by title."""
    return paper_selectors.paper_list(filters=Q(venue=venue, year=year)).order_by(
        "title", "pk"
    )


def paper_list_with_summaries() -> QuerySet:
    """Return papers that have at least one public summary."""
    public = Summary.objects.public().values("paper_id")
    return Paper.objects.filter(pk__in=public).order_by("pk")


def venue_list_with_papers() -> QuerySet:
    """Return venues that have at least one paper."""
    return Venue.objects.filter(papers__isnull=False).distinct().order_by("slug")


def summary_list_for_sitemap() -> QuerySet:
    """Return every public summary (only its id and dates are read), by id."""
    return Summary.objects.public().only("pk", "updated_at").order_by("pk")
