from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from shortscience.cache import cache_version
from shortscience.identifiers import ArxivId, BibsonomyRef, Identifier, normalise_title

from .models import (
    AUTHORS_SHOWN,
    Authorship,
    Keyword,
    Paper,
    Venue,
    VenueSync,
    VenueYearCount,
    public_summaries_q,
)
from .sources.clients import Fetchers
from .sources.http import SourceError, TransientSourceError


def _with_authors(qs: QuerySet) -> QuerySet:
    """Add the venue and the ordered authors."""
    return qs.select_related("venue").prefetch_related(
        Prefetch(
            "authorships",
            queryset=Authorship.objects.select_related("author").order_by("position"),
        )
    )


# What a row of a paper list never shows: left in the table, not carried to the page.
ROW_DEFERRED = ("abstract", "arxiv_comment", "journal_ref", "links")


def attach_listed_authors(papers) -> None:
    """Give each paper of a page of rows the names of its first AUTHORS_SHOWN + 1
    authors in order (the last one only tells the row to add "et al."), read through
    Paper.author_names_short: one query of plain values, no Authorship or Author objects."""
    papers = list(papers)
    names: dict[int, list[str]] = {paper.pk: [] for paper in papers}
    rank = Window(RowNumber(), partition_by=F("paper_id"), order_by=F("position").asc())
    rows = (
        Authorship.objects.filter(paper_id__in=names)
        .annotate(rank=rank)
        .filter(rank__lte=AUTHORS_SHOWN + 1)
        .order_by("paper_id", "position")
        .values_list("paper_id", "author__name")
    )
    for paper_id, name in rows:
        names[paper_id].append(name)
    for paper in papers:
        paper.listed_author_names = names[paper.pk]


def paper_get(*, pk: int) -> Paper:
    """Return a paper with its venue, ordered authors and keywords (three queries)."""
    return _with_authors(Paper.objects.all()).prefetch_related("keywords").get(pk=pk)


def paper_list(*, filters: Q | None = None, excerpts: bool = False) -> QuerySet[Paper]:
    """Return papers with authors and their public summary counts, newest year first.

    With `excerpts` (a page of rows), each paper carries `top_summaries` instead of its
    authors: its best public summary (highest score, then newest) in a list of at most
    one, for the excerpt under its row, one more query for the whole page; the long
    text a row does not show stays in the table, and the caller gives the page it shows
    its authors' names with attach_listed_authors.
    """
    qs = Paper.objects.with_public_summary_count()
    if filters is not None:
        qs = qs.filter(filters)
    if excerpts:
        qs = (
            qs.select_related("venue")
            .defer(*ROW_DEFERRED)
            .prefetch_related(_top_summaries())
        )
    else:
        qs = _with_authors(qs)
    return qs.order_by("-year", "title", "pk")


# How many summaries a paper row shows an excerpt of.
TOP_SUMMARIES = 1


def _top_summaries() -> Prefetch:
    # summaries/ sits above papers/: its model is reached through the relation, and
    # which summaries are public through the rule it registered.
    summary_model = Paper._meta.get_field("summaries").related_model
    best = (
        summary_model._default_manager.filter(public_summaries_q(""))
        .only("pk", "paper_id", "excerpt_html", "score", "published_at")
        .order_by("-score", "-published_at", "-pk")
    )
    return Prefetch("summaries", queryset=best[:TOP_SUMMARIES], to_attr="top_summaries")


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


def _stored_years(venue_ids: list[int]) -> dict[int, list[Mapping[str, Any]]]:
    """Read the stored coverage counts of these venues (one query), newest year first."""
    by_venue: dict[int, dict[int, dict[str, Any]]] = {pk: {} for pk in venue_ids}
    rows = VenueYearCount.objects.filter(venue_id__in=venue_ids).values_list(
        "venue_id", "year", "decision", "paper_count", "summarised_count"
    )
    for venue_id, year, decision, papers, summarised in rows:
        entry = by_venue[venue_id].setdefault(
            year,
            {"year": year, "paper_count": 0, "summarised_count": 0, "decisions": {}},
        )
        entry["paper_count"] += papers
        entry["summarised_count"] += summarised
        if decision:
            entry["decisions"][decision] = papers
    return {
        pk: sorted(years.values(), key=lambda y: y["year"], reverse=True)
        for pk, years in by_venue.items()
    }


def venue_coverage(*, venues: list[Venue]) -> dict[int, list[Mapping[str, Any]]]:
    """Return {venue id: [{year, paper_count, summarised_count, decisions}]}, newest first.

    `decisions` counts the year's papers by OpenReview decision ({"oral": 54, ...}).
    The counts are stored (papers.services.coverage keeps them); a venue with dated
    papers but no counts yet (its papers written around the services) is counted here
    once.
    """
    ids = [venue.pk for venue in venues]
    coverage = _stored_years(ids)
    uncounted = [pk for pk in ids if not coverage[pk]]
    if uncounted:
        from .services.coverage import venue_counts_store

        dated = set(
            Paper.objects.filter(venue_id__in=uncounted, year__isnull=False)
            .values_list("venue_id", flat=True)
            .distinct()
        )
        for pk in sorted(dated):
            venue_counts_store(venue_id=pk, first=True)
        if dated:
            coverage |= _stored_years(sorted(dated))
    return coverage


def venue_years(*, venue: Venue, year: int | None = None) -> list[Mapping[str, Any]]:
    """Return one venue's coverage counts by year (see venue_coverage).

    With `year`, a year of dated papers without stored counts (papers written around the
    services since the last recount) is counted first.
    """
    years = venue_coverage(venues=[venue])[venue.pk]
    if (
        year is not None
        and all(y["year"] != year for y in years)
        and Paper.objects.filter(venue=venue, year=year).exists()
    ):
        from .services.coverage import venue_counts_store

        venue_counts_store(venue_id=venue.pk, years=[year], first=True)
        years = _stored_years([venue.pk])[venue.pk]
    return years


def venue_year_decisions(counts: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """Return [(decision, label, paper count)] of one year of venue_years, in
    Paper.Decision order."""
    decisions = counts.get("decisions", {})
    return [
        (value, label, decisions[value])
        for value, label in Paper.Decision.choices
        if decisions.get(value)
    ]


def venue_sync_list(*, limit: int = 30) -> list[VenueSync]:
    """The latest imports of venue-years (by hand and by the daily sync), newest first."""
    return list(VenueSync.objects.order_by("-ran_at", "-pk")[:limit])


# How long the count of papers by year is kept when nothing announces a change (a staff
# edit, rows written around the services): imports and merges move its version at once.
YEAR_LIST_SECONDS = 60 * 10


def year_list() -> list[Mapping[str, Any]]:
    """Return every year with its number of papers, newest first.

    Counting is a pass over the whole paper table (80 ms at a million papers), so the
    counts are kept under the version of the list of years ("list", "years"), which
    every import and merge moves: signed-in readers, whose pages are not cached whole,
    read them from the cache too.
    """
    key = f"year-list:{cache_version('list', 'years')}"
    years = cache.get(key)
    if years is None:
        years = list(
            Paper.objects.filter(year__isnull=False)
            .values("year")
            .annotate(paper_count=Count("pk"))
            .order_by("-year")
        )
        cache.set(key, years, YEAR_LIST_SECONDS)
    return years


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


# Where a title search's state is cached (written by services.title_search_*).
TITLE_SEARCH_KEY = "papers:title-search:{}"

# How each outside source took part in a title search.
ANSWERED, UNAVAILABLE, FAILED, SWITCHED_OFF = "answered", "unavailable", "failed", "off"


def title_search_local(*, title: str, limit: int = 10) -> list[Candidate]:
    """Papers already on the site whose title holds every word (no network)."""
    local = Paper.objects.with_public_summary_count().select_related("venue")
    for word in title.split()[:8]:
        local = local.filter(title__icontains=word)
    return [
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
        for paper in local.prefetch_related("authorships__author")[:limit]
    ]


def title_search_remote(
    *, title: str, fetchers: Fetchers | None = None, limit: int = 10
) -> tuple[list[Candidate], dict[str, str]]:
    """Ask arXiv and BibSonomy; return their candidates and how each source took part.

    Slow (outside services): run it in a task, never in a web request.
    """
    fetchers = fetchers or Fetchers()
    candidates: list[Candidate] = []
    sources: dict[str, str] = {}
    try:
        for record in fetchers.arxiv().search_title(title, max_results=limit):
            candidates.append(
                Candidate(
                    title=record.title,
                    authors=tuple(a.name for a in record.authors),
                    year=record.published.year,
                    venue="arXiv",
                    identifier=record.arxiv_id,
                    origin="arXiv",
                )
            )
        sources["arXiv"] = ANSWERED
    except TransientSourceError:
        sources["arXiv"] = UNAVAILABLE
    except SourceError:
        sources["arXiv"] = FAILED

    bibsonomy = fetchers.bibsonomy()
    if not bibsonomy.enabled:
        sources["BibSonomy"] = SWITCHED_OFF
        return candidates, sources
    try:
        for post in bibsonomy.search(title, end=limit):
            if post.arxiv_id:
                identifier = post.arxiv_id
            elif post.doi:
                identifier = post.doi
            else:
                identifier = (
                    f"https://www.bibsonomy.org/bibtex/2{post.intrahash}/{post.user}"
                )
            candidates.append(
                Candidate(
                    title=post.title,
                    authors=tuple(post.authors),
                    year=post.year,
                    venue=post.venue or "",
                    identifier=identifier,
                    origin="BibSonomy",
                )
            )
        sources["BibSonomy"] = ANSWERED
    except TransientSourceError:
        sources["BibSonomy"] = UNAVAILABLE
    except SourceError:
        sources["BibSonomy"] = FAILED
    return candidates, sources


def title_search_merge(
    local: list[Candidate], remote: list[Candidate]
) -> list[Candidate]:
    """Local papers first, then outside ones not already listed (same arXiv id or title)."""
    seen: set[str] = set()
    merged: list[Candidate] = []
    for candidate in [*local, *remote]:
        key = candidate.identifier
        if candidate.paper is not None:
            key = candidate.paper.arxiv_id or candidate.paper.doi or ""
        keys = [k for k in (key, normalise_title(candidate.title)) if k]
        if candidate.origin != "here" and any(k in seen for k in keys):
            continue
        seen.update(keys)
        merged.append(candidate)
    return merged


def title_search_notices(
    sources: Mapping[str, str], candidates: list[Candidate]
) -> list[str]:
    """One plain sentence per source that did not simply answer with papers.

    "No paper with that title" is said only of a source that answered.
    """
    notices = []
    for name, state in sources.items():
        if state == UNAVAILABLE:
            notices.append(
                f"{name} did not answer, so its papers are not listed; "
                "search again in a minute."
            )
        elif state == FAILED:
            notices.append(
                f"The {name} search failed, so its papers are not listed; "
                "try the paper's identifier instead."
            )
        elif state == SWITCHED_OFF:
            notices.append(f"{name} search is switched off on this site.")
        elif not any(c.origin == name for c in candidates):
            notices.append(f"No paper with that title on {name}.")
    return notices


def paper_title_search(
    *, title: str, fetchers: Fetchers | None = None, limit: int = 10
) -> SearchResult:
    """Search local papers, then arXiv and BibSonomy; merge by arXiv id and title."""
    remote, sources = title_search_remote(title=title, fetchers=fetchers, limit=limit)
    candidates = title_search_merge(
        title_search_local(title=title, limit=limit), remote
    )
    return SearchResult(
        candidates=candidates, notices=title_search_notices(sources, remote)
    )


def title_search_get(*, search_id: str) -> dict[str, Any] | None:
    """A title search's state for its page: query, pending flag, candidates, notices."""
    record = cache.get(TITLE_SEARCH_KEY.format(search_id))
    if record is None:
        return None
    local = title_search_local(title=record["query"])
    if record["status"] != "done":
        return {
            "query": record["query"],
            "pending": True,
            "candidates": local,
            "notices": [],
            "answered": [],
        }
    remote = [
        Candidate(**{**c, "authors": tuple(c["authors"])}) for c in record["candidates"]
    ]
    sources = record["sources"]
    return {
        "query": record["query"],
        "pending": False,
        "candidates": title_search_merge(local, remote),
        "notices": title_search_notices(sources, remote),
        "answered": [name for name, state in sources.items() if state == ANSWERED],
    }
