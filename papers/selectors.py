import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet

from shortscience.cache import CACHE_ERRORS, cache_version
from shortscience.identifiers import ArxivId, BibsonomyRef, Identifier, normalise_title

from .models import Authorship, Keyword, Paper, Venue, public_summaries_q
from .sources.clients import Fetchers
from .sources.http import SourceError


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
            filter=public_summaries_q("papers__summaries__"),
            distinct=True,
        ),
    ).order_by("short_name")


def venue_years(*, venue: Venue) -> list[Mapping[str, Any]]:
    """Return [{year, paper_count, summarised_count}] for a venue, newest year first.

    Counting covers every paper and summary of the venue, so the result is cached under
    the venue's "venue-papers" version, which imports and summaries of its papers move.
    """
    key = ""
    try:
        key = f"venue-years:{venue.pk}:{cache_version('venue-papers', venue.pk)}"
        cached = cache.get(key)
    except CACHE_ERRORS:
        cached = None
    if cached is not None:
        return cached
    years: list[Mapping[str, Any]] = list(
        Paper.objects.filter(venue=venue, year__isnull=False)
        .values("year")
        .annotate(
            paper_count=Count("pk", distinct=True),
            summarised_count=Count(
                "pk", filter=public_summaries_q("summaries__"), distinct=True
            ),
        )
        .order_by("-year")
    )
    if key:
        with contextlib.suppress(*CACHE_ERRORS):
            cache.set(key, years, 60 * 10)
    return years


def year_list() -> list[Mapping[str, Any]]:
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


def paper_find(identifier: Identifier) -> Paper | None:
    """Return the paper an identifier names, if the site already has it."""
    value = identifier.value
    if isinstance(value, ArxivId):
        return Paper.objects.filter(arxiv_id=value.id).first()
    if identifier.kind == "doi":
        return Paper.objects.filter(doi=str(value)).first()
    if isinstance(value, BibsonomyRef) and value.kind == "interhash":
        return Paper.objects.filter(bibsonomy_interhash=value.hash).first()
    return None


# Title search -----------------------------------------------------------------------


@dataclass
class Candidate:
    title: str
    authors: tuple[str, ...]
    year: int | None
    venue: str
    identifier: str  # what to paste into "Add a paper" to import it
    origin: str  # "here", "arXiv" or "BibSonomy"
    paper: Paper | None = None
    summary_count: int = 0


@dataclass
class SearchResult:
    candidates: list[Candidate]
    notices: list[str]


def paper_title_search(
    *, title: str, fetchers: Fetchers | None = None, limit: int = 10
) -> SearchResult:
    """Search local papers, then arXiv and BibSonomy; merge by arXiv id and title."""
    fetchers = fetchers or Fetchers()
    notices: list[str] = []
    candidates: list[Candidate] = []
    seen: set[str] = set()

    words = title.split()
    local = Paper.objects.with_public_summary_count().select_related("venue")
    for word in words[:8]:
        local = local.filter(title__icontains=word)
    for paper in local.prefetch_related("authorships__author")[:limit]:
        candidates.append(
            Candidate(
                title=paper.title,
                authors=tuple(a.author.name for a in paper.authorships.all()),
                year=paper.year,
                venue=paper.venue.short_name if paper.venue else "",
                identifier=paper.arxiv_id or paper.doi or str(paper.pk),
                origin="here",
                paper=paper,
                summary_count=paper.public_summary_count,
            )
        )
        seen.update(k for k in (paper.arxiv_id, paper.title_key) if k)

    def add(candidate: Candidate, keys: tuple[str, ...]) -> None:
        if any(k and k in seen for k in keys):
            return
        seen.update(k for k in keys if k)
        candidates.append(candidate)

    try:
        for record in fetchers.arxiv().search_title(title, max_results=limit):
            add(
                Candidate(
                    title=record.title,
                    authors=tuple(a.name for a in record.authors),
                    year=record.published.year,
                    venue="arXiv",
                    identifier=record.arxiv_id,
                    origin="arXiv",
                ),
                (record.arxiv_id, normalise_title(record.title)),
            )
    except SourceError as exc:
        notices.append(f"arXiv search is unavailable right now: {exc.message}")

    bibsonomy = fetchers.bibsonomy()
    if not bibsonomy.enabled:
        notices.append("BibSonomy search is switched off on this site.")
    else:
        try:
            for post in bibsonomy.search(title, end=limit):
                if post.arxiv_id:
                    identifier = post.arxiv_id
                elif post.doi:
                    identifier = post.doi
                else:
                    identifier = f"https://www.bibsonomy.org/bibtex/2{post.intrahash}/{post.user}"
                add(
                    Candidate(
                        title=post.title,
                        authors=post.authors,
                        year=post.year,
                        venue=post.venue or "",
                        identifier=identifier,
                        origin="BibSonomy",
                    ),
                    (post.arxiv_id or "", normalise_title(post.title)),
                )
        except SourceError as exc:
            notices.append(f"BibSonomy search is unavailable right now: {exc.message}")
    return SearchResult(candidates=candidates, notices=notices)
