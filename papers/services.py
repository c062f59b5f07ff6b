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
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

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


def _lock_identity(keys: Iterable[str]) -> None:
    """Serialise writers of the same paper for the rest of the transaction."""
    if connection.vendor != "postgresql":
        return  # SQLite serialises every write transaction already
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [int.from_bytes(digest, "big", signed=True)],
            )


def _first_author_key(name: str) -> str:
    parts = normalise_title(name).split()
    return parts[-1] if parts else ""


def _find_existing(data: PaperData, title_key: str) -> Paper | None:
    keys = Q()
    if data.arxiv_id:
        keys |= Q(arxiv_id=data.arxiv_id)
    if data.doi:
        keys |= Q(doi=data.doi)
    if data.interhash:
        keys |= Q(bibsonomy_interhash=data.interhash)
    if data.bibtex_key:
        keys |= Q(bibtex_key=data.bibtex_key)
    if keys:
        found = Paper.objects.select_for_update().filter(keys).order_by("pk").first()
        if found is not None:
            return found
    if not title_key or not data.authors:
        return None
    first = _first_author_key(data.authors[0][0])
    for paper in Paper.objects.select_for_update().filter(title_key=title_key):
        authorship = (
            paper.authorships.select_related("author").order_by("position").first()
        )
        if (
            authorship is not None
            and _first_author_key(authorship.author.name) == first
        ):
            return paper
    return None


def _set_authors(paper: Paper, authors: tuple[tuple[str, str], ...]) -> None:
    names = list(dict.fromkeys(name[:300] for name, _ in authors if name.strip()))
    existing = {a.name: a for a in Author.objects.filter(name__in=names)}
    missing = [Author(name=n) for n in names if n not in existing]
    if missing:
        Author.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {a.name: a for a in Author.objects.filter(name__in=names)}
    affiliations = {name[:300]: aff for name, aff in authors}
    Authorship.objects.filter(paper=paper).delete()
    Authorship.objects.bulk_create(
        Authorship(
            paper=paper,
            author=existing[name],
            position=i,
            affiliation=affiliations[name],
        )
        for i, name in enumerate(names)
    )


def _set_keywords(paper: Paper, names: Iterable[str]) -> None:
    wanted = {slugify(n)[:100]: n[:100] for n in names if slugify(n)}
    if not wanted:
        return
    have = {k.slug: k for k in Keyword.objects.filter(slug__in=wanted)}
    new = [
        Keyword(name=name, slug=slug)
        for slug, name in wanted.items()
        if slug not in have
    ]
    if new:
        Keyword.objects.bulk_create(new, ignore_conflicts=True)
    paper.keywords.add(*Keyword.objects.filter(slug__in=wanted))


def _merge(paper: Paper, data: PaperData, venue: Venue | None) -> bool:
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
    for key in ("url", "pdf_url", "journal_ref"):
        if getattr(data, key) and not getattr(paper, key):
            setattr(paper, key, getattr(data, key))
    venue_is_preprint = venue is not None and venue.kind == Venue.Kind.PREPRINT
    paper_on_preprint = paper.venue_id is None or (
        paper.venue is not None and paper.venue.kind == Venue.Kind.PREPRINT
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
    return bool(data.authors) and (
        is_new or data.is_preprint or not paper.authorships.exists()
    )


def paper_upsert(data: PaperData) -> tuple[Paper, bool]:
    """Create or update the paper `data` describes; return it and whether it is new.

    The paper is found by any of its outside keys, or by its normalised title and first
    author, so the same paper arriving from arXiv and from a conference record merges.
    """
    title_key = normalise_title(data.title)[:300]
    venue = venue_resolve(data.venue, kind=data.venue_kind) if data.venue else None
    keys = [f"arxiv:{data.arxiv_id}", f"doi:{data.doi}", f"ih:{data.interhash}"]
    keys = [k for k in keys if not k.endswith(":")] + [f"title:{title_key}"]
    for attempt in range(3):
        try:
            with transaction.atomic():
                _lock_identity(keys)
                paper = _find_existing(data, title_key) or Paper()
                created = paper.pk is None
                replace_authors = _merge(paper, data, venue)
                paper.save()
                if replace_authors:
                    _set_authors(paper, data.authors)
                _set_keywords(paper, data.keywords)
                return paper, created
        except IntegrityError:
            # Another writer created the same key between our lookup and insert (only
            # possible without advisory locks); the next lookup finds its row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


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


def import_arxiv_batch(
    imports: list[PaperImport],
    *,
    client: ArxivClient | None = None,
    extra: dict[int, PaperData] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[PaperImport]:
    """Run many arXiv imports with one request per hundred ids.

    `extra` maps an import id to a second record of the same paper (from a BibTeX
    file, say) that is merged after the arXiv one, so its venue and year win.
    """
    client = client or ArxivClient.from_settings()
    started = [i for i in (import_start(import_id=imp.pk) for imp in imports) if i]
    outcomes = client.fetch(i.identifier for i in started)
    for paper_import in started:
        outcome = outcomes[paper_import.identifier]
        data = data_from_arxiv(outcome) if isinstance(outcome, ArxivRecord) else outcome
        import_record_result(paper_import, data)
        if extra and paper_import.pk in extra and isinstance(data, PaperData):
            paper_upsert(replace(extra[paper_import.pk], arxiv_id=data.arxiv_id))
        if progress:
            progress(1)
    return started


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
