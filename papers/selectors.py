import contextlib

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet

from shortscience.cache import CACHE_ERRORS, content_generation
from summaries.models import public_q

from .models import Authorship, Keyword, Paper, Venue

PUBLIC_SUMMARY = public_q("summaries__")


def _with_authors(qs: QuerySet) -> QuerySet:
    return qs.select_related("venue").prefetch_related(
        Prefetch(
            "authorships",
            queryset=Authorship.objects.select_related("author").order_by("position"),
        )
    )


def paper_get(*, pk: int) -> Paper:
    """Return a paper with its venue, ordered authors and keywords (three queries)."""
    return _with_authors(Paper.objects.all()).prefetch_related("keywords").get(pk=pk)


def paper_list(*, filters: Q | None = None) -> QuerySet[Paper]:
    """Return papers with authors and their public summary counts, newest year first."""
    qs = Paper.objects.with_public_summary_count()
    if filters is not None:
        qs = qs.filter(filters)
    return _with_authors(qs).order_by("-year", "title", "pk")


def venue_list() -> QuerySet[Venue]:
    """Return every venue with its paper count and public summary count."""
    return Venue.objects.annotate(
        paper_count=Count("papers", distinct=True),
        summary_count=Count(
            "papers__summaries",
            filter=public_q("papers__summaries__"),
            distinct=True,
        ),
    ).order_by("short_name")


def venue_years(*, venue: Venue) -> list[dict]:
    """Return [{year, paper_count, summarised_count}] for a venue, newest year first.

    Counting covers every paper and summary of the venue, so the result is cached under
    the site's content generation: any write makes the next request count afresh.
    """
    key = f"venue-years:{venue.pk}:{content_generation()}"
    try:
        cached = cache.get(key)
    except CACHE_ERRORS:
        cached = None
    if cached is not None:
        return cached
    years = list(
        Paper.objects.filter(venue=venue, year__isnull=False)
        .values("year")
        .annotate(
            paper_count=Count("pk", distinct=True),
            summarised_count=Count("pk", filter=PUBLIC_SUMMARY, distinct=True),
        )
        .order_by("-year")
    )
    with contextlib.suppress(*CACHE_ERRORS):
        cache.set(key, years, 60 * 10)
    return years


def year_list() -> list[dict]:
    return list(
        Paper.objects.filter(year__isnull=False)
        .values("year")
        .annotate(paper_count=Count("pk"))
        .order_by("-year")
    )


def keyword_list() -> QuerySet[Keyword]:
    return Keyword.objects.annotate(paper_count=Count("papers")).filter(
        paper_count__gt=0
    )
