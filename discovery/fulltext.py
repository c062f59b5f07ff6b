"""The two full-text engines behind discovery.selectors.search: Postgres and SQLite FTS5.

Both answer the same questions (rank the papers matching a query under some filters,
highlight why they matched, store the text of a paper's public summaries) so the
selectors above them do not care which database runs the site.

Highlights come back with the private-use characters MARK_START/MARK_STOP around the
matched words; `marked_html` escapes the text and only then turns those into <mark>.
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchVector,
)
from django.core.cache import cache
from django.db import connection, connections, router, transaction
from django.db.models import F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shortscience import markup
from shortscience.cache import CACHE_ERRORS
from summaries.models import Summary

from .models import PaperIndex
from .query import STOP_WORDS, ParsedQuery

MARK_START = "\ue000"
MARK_STOP = "\ue001"
CONFIG = "english"
# Postgres ts_rank weights for D, C, B, A: title over authors over keywords/abstract
# over summary text.
WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# SQLite bm25 weights per FTS5 column (title, authors, keywords, abstract, summaries),
# in the same proportions.
BM25_WEIGHTS = (10.0, 4.0, 2.0, 2.0, 1.0)
# Relevance is computed for at most CANDIDATES matching papers: those with the highest
# boost (most summarised, best voted, newest). Ranking every match of a word like
# "learning" would cost time in proportion to the catalogue; this keeps a broad query
# about as fast at a million papers as at ten thousand.
CANDIDATES = 200
# The GIN index holds each paper's boost beside its words, so it can list the matches
# within the papers of highest boost alone: first the top BANDS[0] of the catalogue,
# then the top BANDS[1], and so on, until CANDIDATES are found. A broad query stops in
# the first bands, after reading a few hundred rows, not thousands.
BANDS = (0.0025, 0.01, 0.04)
# Below this many papers, bands are not worth a query of their own.
BANDS_FROM = 20_000
# Where the bands so far predict at most PROBE matches in all, the rest of the catalogue
# is read at once instead, up to PROBE matches (fewer than CANDIDATES in the last band
# predict fewer); beyond PROBE the rest is walked in boost order.
PROBE = 5000
# A year range of at most this many years is walked year by year.
WALK_YEARS = 30
# A year range whose words alone match more than this share of the catalogue (as the
# first band predicts) is walked year by year without reading all the matches first:
# walking finds CANDIDATES a year after a few hundred rows, while reading a common
# word's matches reads most of the catalogue's index. A rarer word's matches are read.
WALK_FROM = 0.2
# The memory a search's bitmap scans may use, for the length of its transaction.
BITMAP_WORK_MEM = "32MB"
# The boost at each band's edge moves slowly (with summaries and votes): found again
# once an hour.
BAND_EDGES_TIMEOUT = 60 * 60
BAND_EDGES_KEY = "search-band-edges"
# How close (pg_trgm similarity) a known word must be to replace an unknown one.
CORRECTION_SIMILARITY = 0.45
_WORD_RE = re.compile(r"\w+")
# SQLite: how many papers sharing trigrams with a misspelt word offer their words.
TRIGRAM_CANDIDATES = 50


def _correctable_words(parsed: ParsedQuery) -> list[str]:
    """The query's words that typo correction may replace."""
    return sorted({w for w in parsed.words if len(w) >= 3 and w not in STOP_WORDS})


def _trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before, one after."""
    padded = f"  {word.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _similarity(a: set[str], b: set[str]) -> float:
    """pg_trgm's similarity: shared trigrams over all trigrams of the two words."""
    return len(a & b) / len(a | b) if a and b else 0.0


# What search indexes and quotes of a summary: the plain text of its last render
# (no Markdown syntax, math as TeX, long URLs shortened), or its body until then.
_SUMMARY_TEXT = Coalesce(
    NullIf(F("plain_text"), Value("")), F("body"), output_field=TextField()
)


def marked_html(text: str | None) -> SafeString:
    """Escape `text` and turn the highlight markers into <mark> elements.

    Math (between markup.MATH_START and MATH_STOP in a summary's plain text) becomes
    <code class="tex">; a snippet may cut a formula, so unpaired markers are paired.
    """
    if not text:
        return mark_safe("")  # noqa: S308 (empty)  # nosec
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return mark_safe(_math_as_code(html))  # noqa: S308 (escaped above; only <mark> and <code> added)  # nosec


def _math_as_code(html: str) -> str:
    out, inside = [], False
    for part in re.split(f"([{markup.MATH_START}{markup.MATH_STOP}])", html):
        if part == markup.MATH_START:
            if not inside:
                out.append('<code class="tex">')
                inside = True
        elif part == markup.MATH_STOP:
            if inside:
                out.append("</code>")
                inside = False
            else:
                # Only the first closer can be unpaired: the snippet starts inside
                # a formula, so everything before it is TeX.
                out.insert(0, '<code class="tex">')
                out.append("</code>")
        else:
            out.append(part)
    if inside:
        out.append("</code>")
    return "".join(out)


def has_mark(text: str | None) -> bool:
    return text is not None and MARK_START in text


@dataclass(frozen=True)
class Filters:
    venue_id: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    has_summaries: bool = False


@dataclass(frozen=True)
class After:
    """The last row of the previous page: results continue below it."""

    rank: float
    paper_id: int


@dataclass
class Snippets:
    title: str = ""
    abstract: str = ""
    summary: str = ""
    summary_id: int | None = None


def _filter_sql(filters: Filters, alias: str) -> tuple[list[str], list]:
    """Return the filters as SQL conditions on discovery_paperindex `alias`."""
    where, params = [], []
    if filters.venue_id is not None:
        where.append(f"{alias}.venue_id = %s")
        params.append(filters.venue_id)
    if filters.year_from is not None:
        where.append(f"{alias}.year >= %s")
        params.append(filters.year_from)
    if filters.year_to is not None:
        where.append(f"{alias}.year <= %s")
        params.append(filters.year_to)
    if filters.has_summaries:
        where.append(f"{alias}.summary_count > 0")
    return where, params


def _walk_years(filters: Filters) -> list[int]:
    """The years of a filter's range, when it is bounded and short enough to walk each."""
    first, last = filters.year_from, filters.year_to
    if first is None or last is None or not 0 <= last - first < WALK_YEARS:
        return []
    return list(range(first, last + 1))


def _planner(work_mem: str = "", **switches: bool) -> str:
    """Return a statement switching planner methods (and `work_mem`, when given) until
    the transaction ends.

    It is sent together with the query it is for, in one round trip.
    """
    settings = [
        f"set_config('enable_{name}', '{'on' if on else 'off'}', true)"
        for name, on in switches.items()
    ]
    if work_mem:
        settings.append(f"set_config('work_mem', '{work_mem}', true)")
    return f"SELECT {', '.join(settings)};"


def _read_alias() -> str:
    """The database search reads: a replica within a read-only request (the router's)."""
    return router.db_for_read(PaperIndex)


class PostgresEngine:
    def _query(self, text: str) -> SearchQuery:
        return SearchQuery(text, search_type="websearch", config=CONFIG)

    def _size(self, cursor) -> float:
        """The catalogue's size as the planner last counted it (one catalog read)."""
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = 'discovery_paperindex'::regclass"
        )
        return max(1.0, cursor.fetchone()[0])

    def _band_edges(self, cursor) -> list[tuple[float, float]]:
        """Return [(boost, share)]: the boost at the lower edge of each band, highest
        first, with the share of the catalogue at or above it; [] for a small catalogue.
        """
        try:
            edges = cache.get(BAND_EDGES_KEY)
        except CACHE_ERRORS:
            edges = None
        if edges is not None:
            return edges
        total = self._size(cursor)
        edges = []
        if total >= BANDS_FROM:
            ranks = [max(1, int(total * share)) for share in BANDS]
            # One walk down the boost index, as far as the widest band.
            cursor.execute(
                """
                SELECT n, boost FROM (
                    SELECT boost, row_number() OVER (ORDER BY boost DESC) AS n
                    FROM (
                        SELECT boost FROM discovery_paperindex
                        ORDER BY boost DESC LIMIT %s
                    ) AS top
                ) AS numbered WHERE n = ANY(%s)
                """,
                [ranks[-1], ranks],
            )
            boosts = dict(cursor.fetchall())
            for rank, share in zip(ranks, BANDS, strict=True):
                # Papers share boosts: a band whose edge equals the last adds nothing.
                if rank in boosts and (not edges or boosts[rank] < edges[-1][0]):
                    edges.append((boosts[rank], share))
        with contextlib.suppress(*CACHE_ERRORS):
            cache.set(BAND_EDGES_KEY, edges, BAND_EDGES_TIMEOUT)
        return edges

    def candidates(
        self, parsed: ParsedQuery, filters: Filters, using: str | None = None
    ) -> list[int]:
        """Return the ids of the (at most CANDIDATES) matching papers with the most boost.

        Phrases count as plain AND here, so that the GIN index answers without reading
        any document; the ranking query checks the phrases on the few candidates. The
        planner is told which plan to use: its guess of how common a word is can be off
        by a factor of a hundred, and the wrong plan reads the whole table. Call it
        inside a transaction: the switches last until it ends.
        """
        plain = (
            "regexp_replace(websearch_to_tsquery(%s::regconfig, %s)::text,"
            " '<(-|[0-9]+)>', '&', 'g')::tsquery"
        )

        def matching(columns: str, shape: Filters) -> tuple[str, list]:
            """The SQL listing `columns` of the papers the words match within `shape`,
            and its parameters."""
            where, values = _filter_sql(shape, "d")
            conditions = "".join(f" AND {w}" for w in where)
            sql = f"""
                SELECT {columns} FROM discovery_paperindex d
                WHERE d.document @@ {plain}{conditions}
            """  # noqa: S608 (only fixed fragments are formatted in; values are parameters)
            return sql, [CONFIG, parsed.text, *values]

        matches, params = matching("d.paper_id, d.boost", filters)
        # A filtered query's bitmaps (a common word's matches and a year range's papers)
        # outgrow the default work_mem and turn lossy: every match on a lossy page is
        # read and checked again, which doubled the time of a year range's search.
        bitmap = _planner(BITMAP_WORK_MEM, seqscan=False, indexscan=False)

        def best(rows) -> list[int]:
            rows.sort(key=lambda row: (row[1], row[0]), reverse=True)
            return [pk for pk, _ in rows[:CANDIDATES]]

        years = _walk_years(filters)
        # Within a year range the bands predict badly (old papers lie below them), and
        # reading every match of a common word at once is slow: the first band is read
        # without the range, which it is filtered by here, to learn how common the
        # words are. Past WALK_FROM, the range is walked year by year at once.
        wide, wide_params = matching(
            "d.paper_id, d.boost, d.year",
            replace(filters, year_from=None, year_to=None),
        )
        word_share = 0.0  # the share of the catalogue the words alone match, predicted

        with connections[using or _read_alias()].cursor() as cursor:
            # The bands, highest boost first: every paper not yet read has a lower
            # boost than every one read, so CANDIDATES found are the best.
            found: list[tuple[int, float]] = []
            above = None  # the boost all papers read so far have at least
            for edge, share in self._band_edges(cursor):
                # The index reads the lower edge only: an upper one would be a second
                # range key, which collects every entry below it first.
                band = " AND d.boost >= %s" + (" AND d.boost + 0 < %s" if above else "")
                bounds = [edge, *([above] if above else [])]
                if years and above is None:
                    cursor.execute(f"{bitmap} {wide}{band}", [*wide_params, *bounds])
                    rows = cursor.fetchall()
                    word_share = len(rows) / share / self._size(cursor)
                    found += [
                        (pk, boost)
                        for pk, boost, year in rows
                        if year is not None and years[0] <= year <= years[-1]
                    ]
                else:
                    cursor.execute(f"{bitmap} {matches}{band}", [*params, *bounds])
                    found += cursor.fetchall()
                above = edge
                if len(found) >= CANDIDATES:
                    return best(found)
                if word_share > WALK_FROM or len(found) / share <= PROBE:
                    break
            if word_share <= WALK_FROM:
                # The rest (or all of a narrow query's matches): the GIN index lists
                # every match, the boost sorts them.
                cursor.execute(
                    f"{bitmap} {matches} LIMIT %s", [*params, PROBE + len(found) + 1]
                )
                rest = [
                    row for row in cursor.fetchall() if above is None or row[1] < above
                ]
                if len(rest) <= PROBE:
                    return best(found + rest)
            # Broad below the bands: walking the rest of the papers in boost order finds
            # the missing candidates after reading a few times as many. A venue's papers
            # are walked in its own boost order (disc_idx_venue_boost); a year range's,
            # year by year (disc_idx_year_boost), as its papers may all lie far down the
            # catalogue's order (old papers have less boost).
            below = " AND d.boost < %s" if above else ""
            walk = [*params, *([above] if above else [])]
            need = CANDIDATES - len(found)
            if years:
                arm = (
                    f"({matches}{below} AND d.year = %s"
                    " ORDER BY d.boost DESC, d.paper_id DESC LIMIT %s)"
                )
                sql = " UNION ALL ".join([arm] * len(years))
                walk = [value for year in years for value in (*walk, year, need)]
            else:
                sql = (
                    f"{matches}{below} ORDER BY d.boost DESC, d.paper_id DESC LIMIT %s"
                )
                walk.append(need)
            cursor.execute(f"{_planner(indexscan=True, bitmapscan=False)} {sql}", walk)
            return best(found + cursor.fetchall())

    def rank(
        self,
        parsed: ParsedQuery,
        filters: Filters,
        after: After | None,
        limit: int,
    ) -> list[tuple[int, float]]:
        # One transaction, so that the planner switches end with it.
        using = _read_alias()
        with transaction.atomic(using=using):
            return self._rank(parsed, filters, after, limit, using)

    def _rank(self, parsed, filters, after, limit, using) -> list[tuple[int, float]]:
        ids = self.candidates(parsed, filters, using)
        if not ids:
            return []
        keyset, keyset_params = "", []
        if after is not None:
            keyset = "WHERE rank < %s OR (rank = %s AND paper_id < %s)"
            keyset_params = [after.rank, after.rank, after.paper_id]
        sql = f"""
            SELECT paper_id, rank FROM (
                SELECT d.paper_id,
                       ts_rank(%s::float4[], d.document, q.query) * d.boost AS rank
                FROM discovery_paperindex d,
                     websearch_to_tsquery(%s::regconfig, %s) AS q (query)
                WHERE d.paper_id = ANY(%s) AND d.document @@ q.query
            ) AS ranked {keyset}
            ORDER BY rank DESC, paper_id DESC
            LIMIT %s
        """  # noqa: S608 (only fixed fragments are formatted in; values are parameters)
        with connections[using].cursor() as cursor:
            cursor.execute(
                sql,
                [WEIGHTS, CONFIG, parsed.text, ids, *keyset_params, limit],
            )
            return [(pk, rank) for pk, rank in cursor.fetchall()]

    def correct(self, parsed: ParsedQuery) -> str:
        """Return the query with each unknown word replaced by the closest title or
        author word (pg_trgm similarity), or "" when nothing close was found."""
        words = _correctable_words(parsed)
        if not words:
            return ""
        with connections[_read_alias()].cursor() as cursor:
            cursor.execute(
                """
                SELECT q.w, best.word FROM unnest(%s::text[]) AS q (w)
                CROSS JOIN LATERAL (
                    SELECT t.word FROM discovery_searchterm t
                    WHERE t.word %% q.w AND similarity(t.word, q.w) >= %s
                    ORDER BY similarity(t.word, q.w) DESC, t.word
                    LIMIT 1
                ) AS best
                """,
                [words, CORRECTION_SIMILARITY],
            )
            fixes = {w: best for w, best in cursor.fetchall() if best != w}
        if not fixes:
            return ""
        return _WORD_RE.sub(
            lambda m: fixes.get(m.group(0).lower(), m.group(0)), parsed.text
        )

    def snippets(
        self, parsed: ParsedQuery, paper_ids: list[int]
    ) -> dict[int, Snippets]:
        from papers.models import Paper

        query = self._query(parsed.text)
        marks: dict[str, Any] = {"start_sel": MARK_START, "stop_sel": MARK_STOP}
        found: dict[int, Snippets] = defaultdict(Snippets)
        papers = Paper.objects.filter(pk__in=paper_ids).annotate(
            title_hl=SearchHeadline(
                "title", query, config=CONFIG, highlight_all=True, **marks
            ),
            abstract_hl=SearchHeadline(
                "abstract",
                query,
                config=CONFIG,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
                **marks,
            ),
        )
        for pk, title, abstract in papers.values_list("pk", "title_hl", "abstract_hl"):
            found[pk].title = title
            found[pk].abstract = abstract if has_mark(abstract) else ""
        # Headlines re-read whole texts, so summaries are shown only for the papers
        # whose title and abstract do not already show why they matched...
        unexplained = [
            pk
            for pk in paper_ids
            if not has_mark(found[pk].title) and not found[pk].abstract
        ]
        words = " ".join(parsed.words)
        if not unexplained or not words:
            return found
        # ...and whose summaries hold a word of the query (the index's D part says so
        # without reading them: a paper found by its authors' names is not). Each one's
        # best summary is quoted where it holds one: reading every summary of a much
        # summarised paper to find another would cost a parse each.
        with connections[_read_alias()].cursor() as cursor:
            cursor.execute(
                """
                SELECT d.paper_id FROM discovery_paperindex d
                WHERE d.paper_id = ANY(%s) AND tsvector_to_array(ts_filter(d.document, '{d}'))
                    && tsvector_to_array(to_tsvector(%s::regconfig, %s))
                """,
                [unexplained, CONFIG, words],
            )
            holding_papers = [pk for (pk,) in cursor.fetchall()]
        if not holding_papers:
            return found
        best = (
            Summary.objects.public()
            .filter(paper_id__in=holding_papers)
            .order_by("paper_id", "-score", "published_at", "pk")
            .distinct("paper_id")
            .values("pk")
        )
        summaries = (
            Summary.objects.filter(pk__in=best)
            .annotate(
                hl=SearchHeadline(
                    _SUMMARY_TEXT,
                    query,
                    config=CONFIG,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                    **marks,
                )
            )
            .values_list("pk", "paper_id", "hl")
        )
        for pk, paper_id, headline in summaries:
            if has_mark(headline):
                found[paper_id].summary = headline
                found[paper_id].summary_id = pk
        return found

    def index_summaries(self, paper_ids: list[int]) -> None:
        """Store the text, count and score of each paper's public summaries."""
        from django.contrib.postgres.aggregates import StringAgg
        from django.db.models import Count, Max, Sum

        public = (
            Summary.objects.public()
            .filter(paper_id__in=paper_ids)
            .order_by()
            .values("paper_id")
            .annotate(
                n=Count("pk"),
                total=Sum("score"),
                last=Max("published_at"),
                doc=SearchVector(
                    StringAgg(_SUMMARY_TEXT, delimiter="\n\n", order_by="pk"),
                    config=CONFIG,
                    weight="D",
                ),
            )
            .values_list("paper_id", "n", "total", "last", "doc")
        )
        sql, params = public.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE discovery_paperindex AS d SET
                    document = ts_filter(d.document, '{{a,b,c}}')
                        || coalesce(s.doc, ''::tsvector),
                    summary_count = coalesce(s.n, 0),
                    summary_score = coalesce(s.total, 0),
                    last_summary_at = s.last
                FROM unnest(%s::bigint[]) AS t(id)
                LEFT JOIN ({sql}) AS s (paper_id, n, total, last, doc) ON s.paper_id = t.id
                WHERE d.paper_id = t.id
                """,  # noqa: S608 (sql is the compiled queryset; values are parameters)
                [list(paper_ids), *params],
            )

    def index_papers(self, paper_ids: list[int]) -> None:
        """Re-index the paper part of these rows (the triggers do this on every write)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT discovery_index_papers(%s::bigint[])", [list(paper_ids)]
            )


class SqliteEngine:
    def rank(
        self,
        parsed: ParsedQuery,
        filters: Filters,
        after: After | None,
        limit: int,
    ) -> list[tuple[int, float]]:
        where, params = _filter_sql(filters, "d")
        where, params = ["discovery_fts MATCH %s", *where], [parsed.to_fts5(), *params]
        outer, outer_params = "", []
        if after is not None:
            outer = "WHERE score < %s OR (score = %s AND paper_id < %s)"
            outer_params = [after.rank, after.rank, after.paper_id]
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        sql = f"""
            SELECT paper_id, score FROM (
                SELECT d.paper_id AS paper_id,
                       -bm25(discovery_fts, {weights}) * d.boost AS score
                FROM discovery_fts
                JOIN discovery_paperindex d ON d.paper_id = discovery_fts.rowid
                WHERE {" AND ".join(where)}
            ) {outer}
            ORDER BY score DESC, paper_id DESC
            LIMIT %s
        """  # noqa: S608 (only fixed fragments are formatted in; values are parameters)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *outer_params, limit])
            return [(pk, score) for pk, score in cursor.fetchall()]

    def correct(self, parsed: ParsedQuery) -> str:
        """Return the query with each unknown word replaced by the closest title or
        author word, or "" when nothing close was found.

        As on Postgres, closeness is pg_trgm's similarity. The trigram FTS5 table
        (discovery_trgm) names the papers sharing the most trigrams with the word;
        the words of their titles and author names are the candidates.
        """
        fixes = {}
        for word in _correctable_words(parsed):
            best = self._closest(word)
            if best and best != word:
                fixes[word] = best
        if not fixes:
            return ""
        return _WORD_RE.sub(
            lambda m: fixes.get(m.group(0).lower(), m.group(0)), parsed.text
        )

    def _closest(self, word: str) -> str:
        grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
        # Each trigram quoted as an FTS5 string; `"` cannot occur in a \w word.
        match = " OR ".join(f'"{g}"' for g in grams)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT title, authors FROM discovery_trgm WHERE discovery_trgm"
                " MATCH %s ORDER BY rank LIMIT %s",
                [match, TRIGRAM_CANDIDATES],
            )
            texts = [f"{title} {authors}" for title, authors in cursor.fetchall()]
        best, best_score = "", CORRECTION_SIMILARITY
        mine = _trigrams(word)
        for candidate in {w.lower() for text in texts for w in _WORD_RE.findall(text)}:
            score = _similarity(mine, _trigrams(candidate))
            if score > best_score or (
                score == best_score and best and candidate < best
            ):
                best, best_score = candidate, score
        return best

    def snippets(
        self, parsed: ParsedQuery, paper_ids: list[int]
    ) -> dict[int, Snippets]:
        found: dict[int, Snippets] = defaultdict(Snippets)
        if not paper_ids:
            return found
        marks = [MARK_START, MARK_STOP]
        placeholders = ", ".join(["%s"] * len(paper_ids))
        sql = f"""
            SELECT rowid, highlight(discovery_fts, 0, %s, %s),
                   snippet(discovery_fts, 3, %s, %s, ' … ', 32),
                   snippet(discovery_fts, 4, %s, %s, ' … ', 32)
            FROM discovery_fts
            WHERE discovery_fts MATCH %s AND rowid IN ({placeholders})
        """  # noqa: S608 (placeholders only)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*marks, *marks, *marks, parsed.to_fts5(), *paper_ids])
            for pk, title, abstract, summary in cursor.fetchall():
                found[pk].title = title
                found[pk].abstract = abstract if has_mark(abstract) else ""
                found[pk].summary = summary if has_mark(summary) else ""
        return found

    def index_summaries(self, paper_ids: list[int]) -> None:
        """Store the text, count and score of each paper's public summaries."""
        rows = (
            Summary.objects.public()
            .filter(paper_id__in=paper_ids)
            .order_by("pk")
            .values_list("paper_id", "plain_text", "body", "score", "published_at")
        )
        grouped: dict[int, list] = {pk: [[], 0, None] for pk in paper_ids}
        for paper_id, plain, body, score, published_at in rows:
            entry = grouped[paper_id]
            entry[0].append(plain or body)  # the body until the first render
            entry[1] += score
            if published_at and (entry[2] is None or published_at > entry[2]):
                entry[2] = published_at
        updates = [
            PaperIndex(
                paper_id=pk,
                summary_count=len(bodies),
                summary_score=score,
                last_summary_at=last,
            )
            for pk, (bodies, score, last) in grouped.items()
        ]
        PaperIndex.objects.bulk_update(
            updates, ["summary_count", "summary_score", "last_summary_at"]
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE discovery_fts SET summaries = %s WHERE rowid = %s",
                [("\n\n".join(b), pk) for pk, (b, _, _) in grouped.items()],
            )

    def index_papers(self, paper_ids: list[int]) -> None:
        """Re-index the paper part of these rows by touching them (the triggers do it)."""
        from papers.models import Paper

        # An UPDATE that sets the title to itself fires the row triggers.
        Paper.objects.filter(pk__in=paper_ids).update(title=F("title"))


def engine() -> PostgresEngine | SqliteEngine:
    """Return the engine for the database the site runs on."""
    if connection.vendor == "postgresql":
        return PostgresEngine()
    return SqliteEngine()
