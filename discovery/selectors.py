"""Reads for search, the home lists, the wanted queue and the following page.

Every function runs a fixed number of queries whatever the page size, and the long
lists page with keyset cursors (the sort key of the last row), so page 500 costs what
page 1 costs.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from papers.models import Authorship, Paper, Venue
from papers.selectors import paper_find
from shortscience import pagination
from shortscience.cache import CACHE_ERRORS, cache_version
from shortscience.identifiers import Identifier, classify
from summaries import selectors as summary_selectors
from summaries.models import Summary, Vote
from users.models import User

from .fulltext import After, Filters, engine, marked_html
from .models import Follow, PaperIndex, SummaryRequest
from .query import InvalidCursor, InvalidQuery, check_text, parse, validate

MAX_LIMIT = 100
YEAR_RANGE = (1000, 9999)
WINDOW = timedelta(days=7)
# A vote or a new summary counts half as much after two days.
HALF_LIFE_DAYS = 2.0
# A new summary is worth this many votes to a paper's weekly activity.
SUMMARY_WEIGHT = 3.0
HOME_CACHE_SECONDS = 60


def _decode_cursor(cursor: str, *types: type) -> tuple:
    """Return a page link's cursor values, or raise InvalidCursor (an InvalidQuery)."""
    try:
        return pagination.decode_cursor(cursor, *types)
    except pagination.InvalidCursor as exc:
        raise InvalidCursor() from exc


def _authorships() -> Prefetch:
    return Prefetch(
        "authorships",
        queryset=Authorship.objects.select_related("author").order_by("position"),
    )


@dataclass
class Page:
    """One page of a keyset-paginated list."""

    items: list
    next_cursor: str | None = None


# Search ----------------------------------------------------------------------------


@dataclass
class SearchHit:
    paper: Paper  # with venue, ordered authorships and its index row loaded
    rank: float
    title_html: SafeString
    abstract_html: SafeString = field(default_factory=lambda: mark_safe(""))  # nosec
    summary_html: SafeString = field(default_factory=lambda: mark_safe(""))  # nosec
    summary_id: int | None = None

    @property
    def summary_count(self) -> int:
        index = getattr(self.paper, "index", None)
        return index.summary_count if index else 0

    @property
    def request_count(self) -> int:
        index = getattr(self.paper, "index", None)
        return index.request_count if index else 0


@dataclass
class SearchPage:
    """What a search found.

    `mode` is "text" (full-text matches), "fuzzy" (matches of `corrected`, the query
    with unknown words replaced by the closest title or author words, when the query
    itself found nothing), "paper" (the query named a paper the site has: `paper`)
    or "identifier" (it named one the site lacks: offer to add `identifier`).
    """

    query: str
    hits: list[SearchHit] = field(default_factory=list)
    next_cursor: str | None = None
    mode: str = "text"
    corrected: str = ""  # the query with typos corrected, in mode "fuzzy"
    paper: Paper | None = None
    identifier: Identifier | None = None
    notice: str = ""


def _resolve_venue(venue: Venue | str | None) -> Venue | None:
    if venue is None or isinstance(venue, Venue):
        return venue
    found = Venue.objects.filter(slug=venue).first() if venue else None
    if found is None:
        raise InvalidQuery(f"There is no venue “{venue}” on this site.")
    return found


def _check_year(value: int | None, label: str) -> int | None:
    if value is not None and not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
        raise InvalidQuery(f"The {label} year must be between 1000 and 9999.")
    return value


def search(
    query: str,
    *,
    venue: Venue | str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    has_summaries: bool = False,
    limit: int = 20,
    cursor: str | None = None,
) -> SearchPage:
    """Search papers and their public summaries; raise InvalidQuery with a message.

    An arXiv id, DOI or BibSonomy link returns the paper (mode "paper") or, when the
    site lacks it, the parsed identifier (mode "identifier"). Text is matched on title
    (weight A), authors (B), keywords and abstract (C) and summary text (D), ranked by
    relevance times a gentle boost for summary activity and recency. When nothing
    matches, misspelt words are corrected against title and author words.
    """
    check_text(query)
    text = " ".join(query.split())
    if not text:
        raise InvalidQuery(
            "Type a title, an author, a topic, an arXiv id or a DOI to search for."
        )
    identifier = classify(text)
    if identifier.kind in ("arxiv", "doi", "bibsonomy"):
        paper = paper_find(identifier)
        return SearchPage(
            query=text,
            mode="paper" if paper else "identifier",
            paper=paper,
            identifier=identifier,
        )
    notice = ""
    if identifier.kind == "invalid":
        notice = (
            f"“{text}” looks like a paper identifier but is not a valid one; "
            "searching for it as text."
        )
    parsed = validate(text)
    venue_obj = _resolve_venue(venue)
    filters = Filters(
        venue_id=venue_obj.pk if venue_obj else None,
        year_from=_check_year(year_from, "from"),
        year_to=_check_year(year_to, "to"),
        has_summaries=has_summaries,
    )
    if year_from and year_to and year_from > year_to:
        raise InvalidQuery("The “from” year comes after the “to” year.")
    limit = max(1, min(limit, MAX_LIMIT))
    mode, after = "text", None
    if cursor:
        mode, rank, paper_id = _decode_cursor(cursor, str, float, int)
        if mode not in ("text", "fuzzy"):
            raise InvalidCursor()
        after = After(rank, paper_id)

    eng = engine()
    corrected = ""
    if mode == "text":
        rows = eng.rank(parsed, filters, after, limit + 1)
        if not rows and after is None:
            corrected = eng.correct(parsed)
            mode = "fuzzy" if corrected else mode
    else:
        corrected = eng.correct(parsed)
        rows = []
    if mode == "fuzzy" and corrected:
        parsed = parse(corrected)
        rows = eng.rank(parsed, filters, after, limit + 1)

    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = pagination.encode_cursor(mode, rows[-1][1], rows[-1][0])
    ids = [pk for pk, _ in rows]
    papers = Paper.objects.select_related("venue", "index").prefetch_related(
        _authorships()
    )
    by_id = {p.pk: p for p in papers.filter(pk__in=ids)} if ids else {}
    snippets = eng.snippets(parsed, ids) if ids else {}
    hits = []
    for pk, rank in rows:
        paper = by_id.get(pk)
        if paper is None:
            continue  # deleted between the two queries
        snippet = snippets.get(pk)
        hits.append(
            SearchHit(
                paper=paper,
                rank=rank,
                title_html=marked_html(snippet.title if snippet else paper.title),
                abstract_html=marked_html(snippet.abstract if snippet else ""),
                summary_html=marked_html(snippet.summary if snippet else ""),
                summary_id=snippet.summary_id if snippet else None,
            )
        )
    return SearchPage(
        query=text,
        hits=hits,
        next_cursor=next_cursor,
        mode=mode,
        corrected=corrected,
        notice=notice,
    )


# Home ------------------------------------------------------------------------------


def _cached(key: str, compute):
    """Return compute(), kept in the cache for HOME_CACHE_SECONDS (computed if it is down).

    The key carries the version of the list of public summaries, so a summary published,
    deleted or hidden shows at once; votes show within HOME_CACHE_SECONDS.
    """
    try:
        key = f"{key}:{cache_version('list', 'summaries')}"
        value = cache.get(key)
    except CACHE_ERRORS:
        return compute()
    if value is None:
        value = compute()
        with contextlib.suppress(*CACHE_ERRORS):
            cache.set(key, value, HOME_CACHE_SECONDS)
    return value


def home_counts() -> dict:
    """Return {"summaries": public summaries, "papers": papers with one or more}.

    Counting every public summary is the slowest part of the home page, and a count a
    minute old is as good as a fresh one, so it is cached.
    """
    return _cached(
        "discovery:home-counts",
        lambda: Summary.objects.public().aggregate(
            summaries=Count("pk"), papers=Count("paper", distinct=True)
        ),
    )


@dataclass
class Activity:
    """This week's most popular summaries and busiest papers, as (id, score) pairs."""

    popular: list[tuple[int, float]]
    trending: list[tuple[int, float]]


def recent_activity(*, now: datetime | None = None, limit: int = 10) -> Activity:
    """Score last week's votes and new public summaries (three queries).

    A vote counts fully on its day and half as much every HALF_LIFE_DAYS after; a new
    summary counts as SUMMARY_WEIGHT votes for its paper. Votes are summed per summary
    without joining the summaries table (that join over a busy week is what costs);
    only the few best summaries are then checked for being public and mapped to papers.
    """
    now = now or timezone.now()
    since, today = now - WINDOW, timezone.localdate(now)

    def decay(day: date) -> float:
        return 0.5 ** ((today - day).days / HALF_LIFE_DAYS)

    votes: dict[int, float] = defaultdict(float)
    for summary_id, day, net in (
        Vote.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("summary_id", "day")
        .annotate(net=Sum("value"))
        .values_list("summary_id", "day", "net")
        .order_by()
    ):
        votes[summary_id] += net * decay(day)
    best = sorted((pk for pk, v in votes.items() if v > 0), key=lambda pk: -votes[pk])
    shortlist = best[: limit * 20]
    paper_of = dict(
        Summary.objects.public()
        .filter(pk__in=shortlist)
        .values_list("pk", "paper_id")
        .order_by()
    )
    popular = [(pk, votes[pk]) for pk in shortlist if pk in paper_of][:limit]

    heat: dict[int, float] = defaultdict(float)
    for pk in shortlist:
        if pk in paper_of:
            heat[paper_of[pk]] += votes[pk]
    for paper_id, day, n in (
        Summary.objects.public()
        .filter(published_at__gte=since)
        .annotate(day=TruncDate("published_at"))
        .values("paper_id", "day")
        .annotate(n=Count("pk"))
        .values_list("paper_id", "day", "n")
        .order_by()
    ):
        heat[paper_id] += SUMMARY_WEIGHT * n * decay(day)
    trending = sorted(
        ((pk, value) for pk, value in heat.items() if value > 0),
        key=lambda item: (-item[1], -item[0]),
    )[:limit]
    return Activity(popular=popular, trending=trending)


def home_activity() -> Activity:
    """Return recent_activity(), cached like the counts (the lists move slowly)."""
    return _cached("discovery:home-activity", recent_activity)


def summary_list_best(*, limit: int = 10) -> list[Summary]:
    """Return the highest-scored public summaries; which ones is cached like the counts."""
    ids = _cached(
        f"discovery:home-best:{limit}",
        lambda: list(
            summary_selectors.summary_list_top().values_list("pk", flat=True)[:limit]
        ),
    )
    found = summary_selectors.summary_list_latest().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def summary_list_popular(*, activity: Activity, limit: int = 10) -> list[Summary]:
    """Return the summaries with the most votes this week, recent votes counting more."""
    top = dict(activity.popular[:limit])
    if not top:
        return []
    found = {
        s.pk: s for s in summary_selectors.summary_list_latest().filter(pk__in=top)
    }
    result = [found[pk] for pk in top if pk in found]
    for summary in result:
        summary.popularity = top[summary.pk]
    return result


def paper_list_trending(*, activity: Activity, limit: int = 10) -> list[Paper]:
    """Return the papers whose summaries saw the most activity this week."""
    top = [pk for pk, _ in activity.trending[:limit]]
    if not top:
        return []
    found = Paper.objects.select_related("venue", "index").in_bulk(top)
    return [found[pk] for pk in top if pk in found]


# Wanted ----------------------------------------------------------------------------

# A venue-year page's box of its most requested papers, the same for every reader, is
# kept this long. A request, a withdrawal or a paper's first summary forgets it at once
# (services.wanted_box_forget); a summary hidden or deleted shows within this bound.
WANTED_BOX_SECONDS = 60
WANTED_BOX_SIZE = 5


def wanted_box_key(venue_id: int, year: int | None) -> str:
    return f"wanted-box:{venue_id}:{year}"


def wanted_list(
    *,
    venue: Venue | None = None,
    year: int | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    """Return the most requested papers that have no public summary yet.

    Items are PaperIndex rows with `.paper` (venue and authors loaded) and
    `.request_count`.
    """
    has_summary = Exists(Summary.objects.public().filter(paper_id=OuterRef("paper_id")))
    qs = PaperIndex.objects.filter(request_count__gt=0).exclude(has_summary)
    if venue is not None:
        qs = qs.filter(venue=venue)
    if year is not None:
        qs = qs.filter(year=_check_year(year, "publication"))
    if cursor:
        count, paper_id = _decode_cursor(cursor, int, int)
        qs = qs.filter(
            Q(request_count__lt=count) | Q(request_count=count, paper_id__lt=paper_id)
        )
    limit = max(1, min(limit, MAX_LIMIT))
    rows = list(
        qs.select_related("paper", "paper__venue")
        .defer("document")  # the row's search vector: large, and not shown
        .prefetch_related(
            Prefetch("paper__authorships", queryset=_authorships().queryset)
        )
        .order_by("-request_count", "-paper_id")[: limit + 1]
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = pagination.encode_cursor(
            rows[-1].request_count, rows[-1].paper_id
        )
    return Page(items=rows, next_cursor=next_cursor)


def request_asked(*, paper_id: int, user: User) -> bool:
    """Whether `user` asked for a summary of the paper."""
    return SummaryRequest.objects.filter(paper_id=paper_id, user_id=user.pk).exists()


def request_state(*, paper: Paper, user: User | None) -> dict:
    """Return {"count": readers who asked for a summary, "mine": whether `user` did}."""
    mine = (
        Q(user_id=user.pk) if user is not None and user.is_authenticated else Q(pk=None)
    )
    return SummaryRequest.objects.filter(paper=paper).aggregate(
        count=Count("pk"), mine=Count("pk", filter=mine)
    )


# Following -------------------------------------------------------------------------


def follow_list(*, user: User) -> list[Follow]:
    """Return what a reader follows, with the venues, keywords and writers loaded."""
    return list(
        Follow.objects.filter(user=user)
        .select_related("venue", "keyword", "writer")
        .order_by("-created_at", "-pk")
    )


def followed_by(request) -> set[tuple[str, int]]:
    """Return {(kind, target id)} the request's signed-in reader follows, read once per
    request (empty for anybody else)."""
    if request is None or not request.user.is_authenticated:
        return set()
    if not hasattr(request, "_discovery_followed"):
        rows = Follow.objects.filter(user=request.user).values_list(
            "venue_id", "keyword_id", "writer_id"
        )
        request._discovery_followed = followed_keys(rows)
    return request._discovery_followed


def followed_keys(follows) -> set[tuple[str, int]]:
    """Return {(kind, target id)} for follows (Follow objects or their id triples)."""
    keys: set[tuple[str, int]] = set()
    for follow in follows:
        venue_id, keyword_id, writer_id = (
            (follow.venue_id, follow.keyword_id, follow.writer_id)
            if isinstance(follow, Follow)
            else follow
        )
        if venue_id:
            keys.add((Follow.Kind.VENUE, venue_id))
        elif keyword_id:
            keys.add((Follow.Kind.KEYWORD, keyword_id))
        elif writer_id:
            keys.add((Follow.Kind.WRITER, writer_id))
    return keys


def following_feed(
    *, follows: list[Follow], limit: int = 20, cursor: str | None = None
) -> Page:
    """Return public summaries, newest first, of followed venues, keywords and writers.

    Anonymous summaries never reach a writer's followers.
    """
    after = _decode_cursor(cursor, datetime, int) if cursor else None
    venues = [f.venue_id for f in follows if f.venue_id]
    keywords = [f.keyword_id for f in follows if f.keyword_id]
    writers = [f.writer_id for f in follows if f.writer_id]
    if not (venues or keywords or writers):
        return Page(items=[])
    wanted = Q(pk=None)
    if venues:
        wanted |= Q(paper__venue_id__in=venues)
    if keywords:
        wanted |= Q(
            Exists(
                Paper.keywords.through.objects.filter(
                    paper_id=OuterRef("paper_id"), keyword_id__in=keywords
                )
            )
        )
    if writers:
        wanted |= Q(writer_id__in=writers, is_anonymous=False)
    qs = summary_selectors.summary_list_latest().filter(wanted)
    if after:
        published_at, pk = after
        qs = qs.filter(
            Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk)
        )
    limit = max(1, min(limit, MAX_LIMIT))
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = pagination.encode_cursor(rows[-1].published_at, rows[-1].pk)
    return Page(items=rows, next_cursor=next_cursor)
