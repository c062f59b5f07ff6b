"""Merge paper records into the database: one row per paper, whatever its sources.

Writes lock the paper's identity (Postgres advisory locks on every key it may be found
by) so that two imports of the same paper at once end in one row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from shortscience.cache import cache_touch
from shortscience.identifiers import normalise_title

from ..models import Author, Authorship, Keyword, Paper, Venue
from ..sources.openreview import ACCEPTED_DECISIONS
from .coverage import venue_counts_changed
from .records import PaperData
from .venues import venue_resolve


def _identity_keys(data: PaperData, title_key: str) -> list[str]:
    keys = [
        f"arxiv:{data.arxiv_id}",
        f"doi:{data.doi}",
        f"ih:{data.interhash}",
        f"dblp:{data.dblp_key}",
        f"or:{data.openreview_id}",
    ]
    return [k for k in keys if not k.endswith(":")] + [f"title:{title_key}"]


def _lock_identity(keys: Iterable[str]) -> None:
    """Serialise writers of the same papers for the rest of the transaction."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises every write transaction already
    ids = sorted(
        {
            int.from_bytes(
                hashlib.blake2b(k.encode(), digest_size=8).digest(), "big", signed=True
            )
            for k in keys
        }
    )
    with connection.cursor() as cursor:
        # Sorted, so two batches that share papers take the locks in the same order.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k",
            [ids],
        )


def _first_author_key(name: str) -> str:
    parts = normalise_title(name).split()
    return parts[-1] if parts else ""


def _locked(qs):
    if connection.vendor == "postgresql":
        return qs.select_for_update(of=("self",))
    return qs


def _find_existing(datas: list[PaperData], title_keys: list[str]) -> list[Paper | None]:
    """Return, for each record, the paper it already is: by outside key, else by title."""
    keys = Q()
    for field_name, attr in (
        ("arxiv_id", "arxiv_id"),
        ("doi", "doi"),
        ("bibsonomy_interhash", "interhash"),
        ("bibtex_key", "bibtex_key"),
        ("dblp_key", "dblp_key"),
        ("openreview_id", "openreview_id"),
    ):
        values = {getattr(d, attr) for d in datas if getattr(d, attr)}
        if values:
            keys |= Q(**{f"{field_name}__in": values})
    by_key: dict[tuple[str, str], Paper] = {}
    if keys:
        for paper in _locked(
            Paper.objects.select_related("venue").filter(keys)
        ).order_by("pk"):
            for field_name in (
                "arxiv_id",
                "doi",
                "bibsonomy_interhash",
                "bibtex_key",
                "dblp_key",
                "openreview_id",
            ):
                value = getattr(paper, field_name)
                if value:
                    by_key.setdefault((field_name, value), paper)
    found: list[Paper | None] = []
    for data in datas:
        found.append(
            by_key.get(("arxiv_id", data.arxiv_id))
            or by_key.get(("doi", data.doi))
            or by_key.get(("bibsonomy_interhash", data.interhash))
            or by_key.get(("bibtex_key", data.bibtex_key))
            or by_key.get(("dblp_key", data.dblp_key))
            or by_key.get(("openreview_id", data.openreview_id))
        )
    # The same paper without a shared key: same normalised title and first author.
    wanted = {
        tk
        for tk, f, d in zip(title_keys, found, datas, strict=True)
        if not f and tk and d.authors
    }
    if wanted:
        candidates = list(
            _locked(Paper.objects.select_related("venue").filter(title_key__in=wanted))
        )
        firsts = {
            a.paper_id: _first_author_key(a.author.name)
            for a in Authorship.objects.filter(
                paper__in=candidates, position=0
            ).select_related("author")
        }
        by_title = {(p.title_key, firsts.get(p.pk)): p for p in candidates}
        for i, (data, title_key) in enumerate(zip(datas, title_keys, strict=True)):
            if found[i] is None and data.authors:
                found[i] = by_title.get(
                    (title_key, _first_author_key(data.authors[0][0]))
                )
    return found


def _set_authors(author_lists: dict[int, tuple[tuple[str, str], ...]]) -> None:
    """Replace the author lists of the given papers (paper id -> ordered authors)."""
    if not author_lists:
        return
    names = {
        name[:300]
        for authors in author_lists.values()
        for name, _ in authors
        if name.strip()
    }
    existing = {a.name: a.pk for a in Author.objects.filter(name__in=names)}
    missing = [Author(name=n) for n in names if n not in existing]
    if missing:
        Author.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {a.name: a.pk for a in Author.objects.filter(name__in=names)}
    Authorship.objects.filter(paper_id__in=author_lists).delete()
    rows = []
    for paper_id, authors in author_lists.items():
        seen: set[str] = set()
        for name, affiliation in authors:
            name = name[:300]
            if not name.strip() or name in seen:
                continue
            seen.add(name)
            rows.append(
                Authorship(
                    paper_id=paper_id,
                    author_id=existing[name],
                    position=len(seen) - 1,
                    affiliation=affiliation[:300],
                )
            )
    Authorship.objects.bulk_create(rows)


def _set_keywords(keyword_lists: dict[int, tuple[str, ...]]) -> None:
    """Add keywords to the given papers (paper id -> keyword names)."""
    wanted = {
        slugify(n)[:100]: n[:100]
        for names in keyword_lists.values()
        for n in names
        if slugify(n)
    }
    if not wanted:
        return
    have = {k.slug for k in Keyword.objects.filter(slug__in=wanted)}
    new = [
        Keyword(name=name, slug=slug)
        for slug, name in wanted.items()
        if slug not in have
    ]
    if new:
        Keyword.objects.bulk_create(new, ignore_conflicts=True)
    ids = dict(Keyword.objects.filter(slug__in=wanted).values_list("slug", "pk"))
    Through = Paper.keywords.through
    Through.objects.bulk_create(
        [
            Through(paper_id=paper_id, keyword_id=ids[slugify(n)[:100]])
            for paper_id, names in keyword_lists.items()
            for n in names
            if slugify(n)
        ],
        ignore_conflicts=True,
    )


def _merge(
    paper: Paper, data: PaperData, venue: Venue | None, has_authors: bool
) -> bool:
    """Copy what `data` knows into `paper`; return whether the author list should change.

    arXiv is trusted for the text (title, abstract, authors with affiliations) and the
    version; a conference or journal record wins on venue and year.
    """
    is_new = paper.pk is None
    if data.decision:
        # An acceptance outranks a rejection elsewhere (a paper rejected at one venue
        # and accepted at the next shows the acceptance and its forum).
        accepted = data.decision in ACCEPTED_DECISIONS
        if accepted or paper.decision not in ACCEPTED_DECISIONS:
            paper.decision = data.decision
            if accepted and data.openreview_id:
                paper.openreview_id = data.openreview_id
    for key in ("arxiv_id", "doi", "bibtex_key", "dblp_key", "openreview_id"):
        if getattr(data, key) and not getattr(paper, key):
            setattr(paper, key, getattr(data, key))
    if data.interhash and not paper.bibsonomy_interhash:
        paper.bibsonomy_interhash = data.interhash
    if data.is_preprint or is_new or not paper.title:
        paper.title = data.title
    if data.abstract and (data.is_preprint or not paper.abstract):
        paper.abstract = data.abstract
    if data.arxiv_version and (paper.arxiv_version or 0) < data.arxiv_version:
        paper.arxiv_version = data.arxiv_version
    if data.published_on and (
        not paper.published_on or data.published_on < paper.published_on
    ):
        paper.published_on = data.published_on
    for key in ("url", "pdf_url"):
        # Only web addresses: an imported "javascript:" or "data:" URL is dropped.
        value = getattr(data, key)
        if (
            value
            and value.lower().startswith(("http://", "https://"))
            and not getattr(paper, key)
        ):
            setattr(paper, key, value[:500])
    new_links = [
        link
        for link in data.links
        if link.lower().startswith(("http://", "https://"))
        and link not in (paper.links or [])
    ]
    if new_links:
        paper.links = [*(paper.links or []), *new_links]
    if data.journal_ref and not paper.journal_ref:
        paper.journal_ref = data.journal_ref[:500]
    if data.arxiv_comment:
        # arXiv's latest version speaks for the paper: its comment replaces an older one.
        paper.arxiv_comment = data.arxiv_comment[:2000]
    venue_is_preprint = venue is not None and venue.kind == Venue.Kind.PREPRINT
    paper_on_preprint = paper.venue is None or paper.venue.kind == Venue.Kind.PREPRINT
    if venue is not None and (not venue_is_preprint or paper_on_preprint):
        paper.venue = venue
        if data.year:
            paper.year = data.year
    elif data.year and not paper.year:
        paper.year = data.year
    if is_new or paper.source == Paper.Source.MANUAL:
        paper.source = data.source
    paper.title_key = normalise_title(paper.title)[:300]
    return bool(data.authors) and (is_new or data.is_preprint or not has_authors)


MERGED_FIELDS = [
    "arxiv_id",
    "doi",
    "bibtex_key",
    "dblp_key",
    "openreview_id",
    "decision",
    "links",
    "bibsonomy_interhash",
    "title",
    "title_key",
    "abstract",
    "arxiv_version",
    "published_on",
    "url",
    "pdf_url",
    "journal_ref",
    "arxiv_comment",
    "venue",
    "year",
    "source",
    "updated_at",
]


def papers_upsert(datas: list[PaperData]) -> list[tuple[Paper, bool]]:
    """Create or update the papers `datas` describe; return each with whether it is new.

    A paper is found by any of its outside keys, or by its normalised title and first
    author, so the same paper arriving from arXiv and from a conference record merges.
    All the work is done in a fixed number of queries, whatever the batch size.
    """
    title_keys = [normalise_title(d.title)[:300] for d in datas]
    venue_pks = {d.venue_pk for d in datas if d.venue_pk}
    known = (
        {v.pk: v for v in Venue.objects.filter(pk__in=venue_pks)} if venue_pks else {}
    )
    venues = {
        _venue_key(d): known.get(d.venue_pk)
        if d.venue_pk
        else venue_resolve(d.venue, kind=d.venue_kind)
        for d in datas
        if d.venue or d.venue_pk
    }
    for attempt in range(3):
        try:
            with transaction.atomic():
                results = _upsert_locked(datas, title_keys, venues)
                _touch_upserted([paper for paper, _ in results])
                return results
        except IntegrityError:
            # Another writer created the same key between our lookup and insert (only
            # possible without advisory locks); the next lookup finds its row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _venue_key(data: PaperData) -> tuple:
    return ("pk", data.venue_pk) if data.venue_pk else (data.venue, data.venue_kind)


def _touch_upserted(papers: list[Paper]) -> None:
    """Invalidate the pages of these papers and of the lists that hold them."""
    ids = {p.pk for p in papers}
    cache_touch("paper", *ids)
    venue_counts_changed((p.venue_id, p.year) for p in papers)
    cache_touch(
        "venue-year",
        *{f"{p.venue_id}:{p.year}" for p in papers if p.venue_id and p.year},
    )
    cache_touch("year-papers", *{p.year for p in papers if p.year})
    keyword_ids = Paper.keywords.through.objects.filter(paper_id__in=ids).values_list(
        "keyword_id", flat=True
    )
    cache_touch("keyword-papers", *set(keyword_ids))
    cache_touch("list", "venues", "years")


def _upsert_locked(datas, title_keys, venues) -> list[tuple[Paper, bool]]:
    _lock_identity(
        k
        for d, tk in zip(datas, title_keys, strict=True)
        for k in _identity_keys(d, tk)
    )
    found = _find_existing(datas, title_keys)
    with_authors = set(
        Authorship.objects.filter(paper__in=[p for p in found if p]).values_list(
            "paper_id", flat=True
        )
    )
    now = timezone.now()
    results: list[tuple[Paper, bool]] = []
    authors: dict[int, tuple[Paper, tuple]] = {}  # id(paper) -> (paper, author list)
    # Two records of one paper in the same batch share one instance.
    same: dict[str, Paper] = {}
    for data, title_key, paper in zip(datas, title_keys, found, strict=True):
        keys = _identity_keys(data, title_key)
        paper = paper or next((same[k] for k in keys if k in same), None) or Paper()
        created = paper.pk is None and not any(paper is p for p, _ in results)
        venue = venues.get(_venue_key(data))
        has_authors = paper.pk in with_authors or id(paper) in authors
        if _merge(paper, data, venue, has_authors=has_authors):
            authors[id(paper)] = (paper, data.authors)
        paper.updated_at = now
        same.update(dict.fromkeys(keys, paper))
        results.append((paper, created))
    unique = list({id(p): p for p, _ in results}.values())
    new = [p for p in unique if p.pk is None]
    for p in new:
        p.created_at = now
    Paper.objects.bulk_create(new)
    Paper.objects.bulk_update(
        [p for p in unique if p.pk not in {n.pk for n in new}], MERGED_FIELDS
    )
    _set_authors({p.pk: a for p, a in authors.values()})
    keywords: dict[int, tuple[str, ...]] = {}
    for (paper, _), data in zip(results, datas, strict=True):
        keywords[paper.pk] = keywords.get(paper.pk, ()) + data.keywords
    _set_keywords(keywords)
    return results


def paper_upsert(data: PaperData) -> tuple[Paper, bool]:
    """Create or update one paper; see papers_upsert."""
    return papers_upsert([data])[0]
