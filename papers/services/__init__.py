"""Actions that change papers: resolve venues, merge records from outside sources, imports.

Network calls happen outside any transaction; writes then lock the paper's identity
(Postgres advisory locks on every key it may be found by) so that two imports of the
same paper at once end in one row.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from shortscience.cache import content_changed
from shortscience.queue import enqueue

from .models import (
    Author,
    Authorship,
    Keyword,
    Paper,
    PaperImport,
    Venue,
    VenueAlias,
    normalise_alias,
)
from .sources.arxiv import ArxivClient, ArxivRecord
from .sources.bibsonomy import BibEntry, BibsonomyClient, BibsonomyPost
from .sources.crossref import CrossrefClient, CrossrefWork
from .sources.http import MalformedResponse, NotFound, SourceError, TransientSourceError
from .sources.ids import Identifier, normalise_title
from .venue_seed import ARXIV_SLUG

logger = logging.getLogger(__name__)

RETRYABLE = (TransientSourceError, MalformedResponse)


# Paper data from any source ---------------------------------------------------------


@dataclass(frozen=True)
class PaperData:
    """A paper's metadata as one source describes it, in the site's own terms."""

    title: str
    source: str
    authors: tuple[tuple[str, str], ...] = ()  # (name, affiliation) in order
    abstract: str = ""
    year: int | None = None
    published_on: date | None = None
    venue: str = ""  # a raw venue string or DBLP key, resolved through the alias table
    venue_kind: str = Venue.Kind.CONFERENCE
    arxiv_id: str = ""
    arxiv_version: int | None = None
    doi: str = ""
    interhash: str = ""
    bibtex_key: str = ""
    url: str = ""
    pdf_url: str = ""
    journal_ref: str = ""
    keywords: tuple[str, ...] = ()

    @property
    def is_preprint(self) -> bool:
        return self.source == Paper.Source.ARXIV


def data_from_arxiv(record: ArxivRecord) -> PaperData:
    return PaperData(
        title=record.title,
        source=Paper.Source.ARXIV,
        authors=tuple(
            (a.name, "; ".join(a.affiliations)[:300]) for a in record.authors
        ),
        abstract=record.abstract,
        year=record.published.year,
        published_on=record.published.date(),
        venue=ARXIV_SLUG,
        venue_kind=Venue.Kind.PREPRINT,
        arxiv_id=record.arxiv_id,
        arxiv_version=record.version,
        doi=(record.doi or "").lower(),
        url=f"https://arxiv.org/abs/{record.arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{record.arxiv_id}",
        journal_ref=record.journal_ref or "",
        keywords=tuple(record.categories[:4]),
    )


def _bibsonomy_keywords(tags: Iterable[str]) -> tuple[str, ...]:
    # BibSonomy tags are personal ("myown", "toread"); keep the few that read as topics.
    noise = {"myown", "toread", "imported", "dblp", "nopdf", "sota", "paper", "papers"}
    kept = [
        t for t in tags if len(t) > 2 and t.lower() not in noise and not t.isdigit()
    ]
    return tuple(kept[:5])


def data_from_bibsonomy(post: BibsonomyPost | BibEntry) -> PaperData:
    venue = post.venue or ""
    key = post.bibtex_key or ""
    # A DBLP-style key ("conf/nips/VaswaniSPUJGKP17") names the venue more reliably.
    if key.startswith(("conf/", "journals/")):
        venue = "/".join(key.split("/")[:2])
    is_journal = (getattr(post, "entrytype", "") or "").lower() == "article"
    return PaperData(
        title=post.title,
        source=Paper.Source.BIBSONOMY,
        authors=tuple((name, "") for name in post.authors),
        abstract=post.abstract or "",
        year=post.year,
        venue=venue,
        venue_kind=Venue.Kind.JOURNAL if is_journal else Venue.Kind.CONFERENCE,
        arxiv_id=post.arxiv_id or "",
        doi=(post.doi or "").lower(),
        interhash=post.interhash or "",
        bibtex_key=key,
        url=post.url or "",
        keywords=_bibsonomy_keywords(post.tags),
    )


def data_from_crossref(work: CrossrefWork) -> PaperData:
    kind = (
        Venue.Kind.JOURNAL if work.type == "journal-article" else Venue.Kind.CONFERENCE
    )
    return PaperData(
        title=work.title,
        source=Paper.Source.CROSSREF,
        authors=tuple((name, "") for name in work.authors),
        abstract=work.abstract or "",
        year=work.year,
        venue=work.venue or "",
        venue_kind=kind,
        doi=work.doi.lower(),
        url=work.url or "",
    )


# Venues -----------------------------------------------------------------------------


def venue_resolve(raw: str, *, kind: str = Venue.Kind.CONFERENCE, create: bool = True):
    """Return the Venue a raw venue string or DBLP key names, creating one if unknown.

    DBLP keys match on their prefix ("conf/nips/Foo17" -> "conf/nips"). An unknown
    string becomes a new venue with itself as its first alias, so the next paper from
    the same venue lands in the same place (aliases can be merged in the admin).
    """
    if not raw:
        return None
    if raw == ARXIV_SLUG:
        return Venue.objects.filter(slug=ARXIV_SLUG).first()
    alias = normalise_alias(raw)
    candidates = [alias]
    if alias.startswith(("conf/", "journals/")):
        candidates.insert(0, "/".join(alias.split("/")[:2]))
    # Proceedings titles carry years and ordinals: "Proceedings of the 34th ICML 2017".
    stripped = " ".join(
        w for w in alias.split() if not w.isdigit() and not w[:-2].isdigit()
    )
    for prefix in ("proceedings of the ", "proceedings of ", "in "):
        if stripped.startswith(prefix):
            stripped = stripped[len(prefix) :]
    candidates.append(stripped)
    found = (
        VenueAlias.objects.filter(alias__in=candidates).select_related("venue").first()
    )
    if found is not None:
        return found.venue
    if not create or alias.startswith(("conf/", "journals/")):
        return None
    name = raw.strip()[:300]
    short = name if len(name) <= 50 else name[:47] + "..."
    slug_base = slugify(short)[:50] or "venue"
    slug = slug_base
    n = 2
    while Venue.objects.filter(slug=slug).exists():
        slug = f"{slug_base}-{n}"
        n += 1
    venue = Venue.objects.create(short_name=short, name=name, slug=slug, kind=kind)
    VenueAlias.objects.get_or_create(alias=alias, defaults={"venue": venue})
    return venue


# Merging into the database ----------------------------------------------------------


def _identity_keys(data: PaperData, title_key: str) -> list[str]:
    keys = [f"arxiv:{data.arxiv_id}", f"doi:{data.doi}", f"ih:{data.interhash}"]
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
    ):
        values = {getattr(d, attr) for d in datas if getattr(d, attr)}
        if values:
            keys |= Q(**{f"{field_name}__in": values})
    by_key: dict[tuple[str, str], Paper] = {}
    if keys:
        for paper in _locked(
            Paper.objects.select_related("venue").filter(keys)
        ).order_by("pk"):
            for field_name in ("arxiv_id", "doi", "bibsonomy_interhash", "bibtex_key"):
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
    for key in ("arxiv_id", "doi", "bibtex_key"):
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
    if data.journal_ref and not paper.journal_ref:
        paper.journal_ref = data.journal_ref[:500]
    venue_is_preprint = venue is not None and venue.kind == Venue.Kind.PREPRINT
    paper_on_preprint = (
        paper.venue_id is None or paper.venue.kind == Venue.Kind.PREPRINT
    )
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
    "bibsonomy_interhash",
    "title",
    "title_key",
    "abstract",
    "arxiv_version",
    "published_on",
    "url",
    "pdf_url",
    "journal_ref",
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
    venues = {
        (d.venue, d.venue_kind): venue_resolve(d.venue, kind=d.venue_kind)
        for d in datas
        if d.venue
    }
    for attempt in range(3):
        try:
            with transaction.atomic():
                results = _upsert_locked(datas, title_keys, venues)
                transaction.on_commit(content_changed)
                return results
        except IntegrityError:
            # Another writer created the same key between our lookup and insert (only
            # possible without advisory locks); the next lookup finds its row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


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
        venue = venues.get((data.venue, data.venue_kind)) if data.venue else None
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


# Imports ----------------------------------------------------------------------------


def paper_find(identifier: Identifier) -> Paper | None:
    """Return the paper an identifier names, if the site already has it."""
    value = identifier.value
    if identifier.kind == "arxiv":
        return Paper.objects.filter(arxiv_id=value.id).first()
    if identifier.kind == "doi":
        return Paper.objects.filter(doi=value).first()
    if identifier.kind == "bibsonomy" and value.kind == "interhash":
        return Paper.objects.filter(bibsonomy_interhash=value.hash).first()
    return None


def _import_source(identifier: Identifier) -> tuple[str, str]:
    value = identifier.value
    if identifier.kind == "arxiv":
        return Paper.Source.ARXIV, str(value)
    if identifier.kind == "doi":
        return Paper.Source.CROSSREF, value
    if identifier.kind == "bibsonomy":
        suffix = f"/{value.user}" if value.user else ""
        return Paper.Source.BIBSONOMY, f"{value.resource}{suffix}"
    raise ValueError(f"cannot import a {identifier.kind}")


def import_create(
    *, identifier: Identifier, user=None, run: bool = True
) -> PaperImport:
    """Save an import request and queue it after commit (or not, with run=False)."""
    source, text = _import_source(identifier)
    with transaction.atomic():
        paper_import = PaperImport.objects.create(
            identifier=text, source=source, requested_by=user
        )
        if run:
            from .tasks import run_import

            enqueue(run_import, paper_import.pk)
    return paper_import


@dataclass
class Fetchers:
    """The outside clients an import uses; tests and benchmarks pass their own."""

    arxiv: Callable[[], ArxivClient] = ArxivClient.from_settings
    bibsonomy: Callable[[], BibsonomyClient] = BibsonomyClient.from_settings
    crossref: Callable[[], CrossrefClient] = CrossrefClient.from_settings


def fetch_data(source: str, text: str, fetchers: Fetchers | None = None) -> PaperData:
    """Fetch one paper's metadata from its source; raise SourceError on failure."""
    fetchers = fetchers or Fetchers()
    if source == Paper.Source.ARXIV:
        return data_from_arxiv(fetchers.arxiv().fetch_one(text))
    if source == Paper.Source.CROSSREF:
        if text.startswith("10.48550/arxiv."):
            return data_from_arxiv(
                fetchers.arxiv().fetch_one(text.split("arxiv.", 1)[1])
            )
        return data_from_crossref(fetchers.crossref().work(text))
    if source == Paper.Source.BIBSONOMY:
        ref, _, user = text.partition("/")
        client = fetchers.bibsonomy()
        if ref.startswith("2") and user:
            post = client.get_post(user, ref[1:])
        else:
            posts = client.posts_for_resource(ref)
            if not posts:
                raise NotFound("not found on BibSonomy")
            post = posts[0]
        return data_from_bibsonomy(post)
    raise ValueError(f"unknown source {source!r}")


def _finish(paper_import: PaperImport, **fields) -> None:
    for key, value in fields.items():
        setattr(paper_import, key, value)
    paper_import.save(update_fields=[*fields, "updated_at"])


def import_start(*, import_id: int) -> PaperImport | None:
    """Mark an import as running and count the attempt; None if there is nothing to do."""
    with transaction.atomic():
        paper_import = (
            PaperImport.objects.select_for_update().filter(pk=import_id).first()
        )
        if paper_import is None or paper_import.status == PaperImport.Status.DONE:
            return None
        paper_import.status = PaperImport.Status.RUNNING
        paper_import.attempts += 1
        paper_import.save(update_fields=["status", "attempts", "updated_at"])
    return paper_import


def import_record_result(
    paper_import: PaperImport, outcome: PaperData | SourceError, *, final: bool = True
) -> PaperImport:
    """Write a fetched record (or its error) and close the import accordingly.

    A retryable error leaves the import queued with its reason, unless `final` says no
    retry will follow.
    """
    if isinstance(outcome, PaperData):
        paper, _ = paper_upsert(outcome)
        _finish(
            paper_import,
            status=PaperImport.Status.DONE,
            paper=paper,
            last_error="",
            finished_at=timezone.now(),
        )
    elif isinstance(outcome, RETRYABLE) and not final:
        _finish(
            paper_import, status=PaperImport.Status.QUEUED, last_error=outcome.message
        )
    else:
        _finish(
            paper_import,
            status=PaperImport.Status.FAILED,
            last_error=outcome.message,
            finished_at=timezone.now(),
        )
    return paper_import


def import_run(
    *, import_id: int, fetchers: Fetchers | None = None, final: bool = True
) -> PaperImport | None:
    """Run one import: fetch outside any transaction, then lock and write.

    Raise the retryable SourceError after recording it when `final` is False, so the
    Celery task can retry with backoff.
    """
    paper_import = import_start(import_id=import_id)
    if paper_import is None:
        return None
    try:
        outcome: PaperData | SourceError = fetch_data(
            paper_import.source, paper_import.identifier, fetchers
        )
    except SourceError as exc:
        outcome = exc
    import_record_result(paper_import, outcome, final=final)
    if isinstance(outcome, RETRYABLE) and not final:
        raise outcome
    return paper_import


def import_retry(*, paper_import: PaperImport) -> PaperImport:
    """Queue a failed or stalled import again."""
    from .tasks import run_import

    with transaction.atomic():
        if paper_import.status != PaperImport.Status.DONE:
            paper_import.status = PaperImport.Status.QUEUED
            paper_import.finished_at = None
            paper_import.save(update_fields=["status", "finished_at", "updated_at"])
            enqueue(run_import, paper_import.pk)
    return paper_import


def import_create_many(
    identifiers: list[Identifier], *, user=None
) -> list[PaperImport]:
    """Save many import requests in one statement, without queueing them."""
    return PaperImport.objects.bulk_create(
        PaperImport(identifier=text, source=source, requested_by=user)
        for source, text in map(_import_source, identifiers)
    )


def import_arxiv_batch(
    imports: list[PaperImport],
    *,
    client: ArxivClient | None = None,
    extra: dict[int, PaperData] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int = 100,
) -> list[PaperImport]:
    """Run many arXiv imports with one request and a fixed number of queries per chunk.

    `extra` maps an import id to a second record of the same paper (from a BibTeX
    file, say) merged after the arXiv one, so its venue and year win.
    """
    client = client or ArxivClient.from_settings()
    extra = extra or {}
    for start in range(0, len(imports), chunk):
        part = imports[start : start + chunk]
        now = timezone.now()
        PaperImport.objects.filter(pk__in=[i.pk for i in part]).exclude(
            status=PaperImport.Status.DONE
        ).update(
            status=PaperImport.Status.RUNNING,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        started = list(
            PaperImport.objects.filter(
                pk__in=[i.pk for i in part], status=PaperImport.Status.RUNNING
            )
        )
        outcomes = client.fetch(i.identifier for i in started)
        fetched: list[tuple[PaperImport, PaperData]] = []
        for paper_import in started:
            outcome = outcomes[paper_import.identifier]
            if isinstance(outcome, ArxivRecord):
                fetched.append((paper_import, data_from_arxiv(outcome)))
            else:
                paper_import.status = PaperImport.Status.FAILED
                paper_import.last_error = outcome.message
        datas = [data for _, data in fetched]
        datas += [
            replace(extra[i.pk], arxiv_id=data.arxiv_id)
            for i, data in fetched
            if i.pk in extra
        ]
        papers = papers_upsert(datas) if datas else []
        for (paper_import, _), (paper, _) in zip(fetched, papers, strict=False):
            paper_import.status = PaperImport.Status.DONE
            paper_import.paper = paper
            paper_import.last_error = ""
        now = timezone.now()
        for paper_import in started:
            paper_import.finished_at = now
            paper_import.updated_at = now
        PaperImport.objects.bulk_update(
            started, ["status", "paper", "last_error", "finished_at", "updated_at"]
        )
        if progress:
            progress(len(part))
    return imports


def papers_refresh_arxiv(*, client: ArxivClient | None = None, batch: int = 500) -> int:
    """Re-read the arXiv papers that have summaries; record new versions. Return updates."""
    client = client or ArxivClient.from_settings()
    ids = list(
        Paper.objects.exclude(arxiv_id="")
        .filter(summaries__status="published")
        .distinct()
        .order_by("arxiv_checked_at", "pk")
        .values_list("arxiv_id", flat=True)[:batch]
    )
    if not ids:
        return 0
    before = dict(
        Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", "arxiv_version")
    )
    updated = 0
    for arxiv_id, outcome in client.fetch(ids).items():
        if isinstance(outcome, ArxivRecord):
            paper, _ = paper_upsert(data_from_arxiv(outcome))
            updated += (paper.arxiv_version or 0) > (before.get(arxiv_id) or 0)
        elif isinstance(outcome, SourceError):
            logger.warning("arXiv refresh of %s failed: %s", arxiv_id, outcome.message)
    Paper.objects.filter(arxiv_id__in=ids).update(arxiv_checked_at=timezone.now())
    return updated


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
