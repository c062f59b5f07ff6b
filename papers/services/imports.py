"""The PaperImport lifecycle: request, fetch outside any transaction, write, retry."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import replace

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shortscience.identifiers import BibsonomyRef, Identifier
from shortscience.queue import enqueue_in_background

from ..models import Paper, PaperImport
from ..sources.arxiv import ArxivClient, ArxivRecord
from ..sources.clients import Fetchers, arxiv_client
from ..sources.http import (
    ConfigurationError,
    MalformedResponse,
    NotFound,
    SourceError,
    TransientSourceError,
)
from .merge import paper_upsert, papers_upsert
from .records import PaperData, data_from_arxiv, data_from_bibsonomy, data_from_crossref

logger = logging.getLogger(__name__)

RETRYABLE = (TransientSourceError, MalformedResponse)


def _import_source(identifier: Identifier) -> tuple[str, str]:
    value = identifier.value
    if identifier.kind == "arxiv":
        return Paper.Source.ARXIV, str(value)
    if identifier.kind == "doi":
        return Paper.Source.CROSSREF, str(value)
    if isinstance(value, BibsonomyRef):
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
            from ..tasks import run_import

            enqueue_in_background(run_import, paper_import.pk)
    return paper_import


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


def _problem(error: SourceError) -> str:
    """Classify a source error for the import page; its text stays in last_error."""
    if isinstance(error, TransientSourceError):
        return PaperImport.Problem.UNAVAILABLE
    if isinstance(error, NotFound):
        return PaperImport.Problem.NOT_FOUND
    if isinstance(error, MalformedResponse):
        return PaperImport.Problem.UNREADABLE
    if isinstance(error, ConfigurationError):
        return PaperImport.Problem.NOT_SET_UP
    return PaperImport.Problem.REFUSED


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
        paper_import.next_attempt_at = None
        paper_import.save(
            update_fields=["status", "attempts", "next_attempt_at", "updated_at"]
        )
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
            problem=PaperImport.Problem.NONE,
            finished_at=timezone.now(),
        )
    elif isinstance(outcome, RETRYABLE) and not final:
        _finish(
            paper_import,
            status=PaperImport.Status.QUEUED,
            last_error=outcome.message,
            problem=_problem(outcome),
        )
    else:
        _finish(
            paper_import,
            status=PaperImport.Status.FAILED,
            last_error=outcome.message,
            problem=_problem(outcome),
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


def import_from_own_record(
    *, paper_import: PaperImport, data: PaperData
) -> Paper | None:
    """Create the paper from a record the requester holds when its source is away.

    A BibTeX entry with a DOI carries the whole record; when Crossref does not answer,
    the paper is made from the entry and the import stays queued with that paper, so
    its next run (a task retry, or requeue_stalled_imports) enriches it from the
    source. Return None when the source answered: a "not found" is not overridden.
    """
    paper_import.refresh_from_db()
    away = (PaperImport.Problem.UNAVAILABLE, PaperImport.Problem.UNREADABLE)
    if (
        paper_import.status == PaperImport.Status.DONE
        or paper_import.problem not in away
    ):
        return None
    paper, _ = paper_upsert(data)
    _finish(
        paper_import, status=PaperImport.Status.QUEUED, paper=paper, finished_at=None
    )
    return paper


def import_schedule_retry(*, import_id: int, at) -> None:
    """Note when a waiting import will be tried again, for its status page."""
    PaperImport.objects.filter(pk=import_id, status=PaperImport.Status.QUEUED).update(
        next_attempt_at=at, updated_at=timezone.now()
    )


def import_retry(*, paper_import: PaperImport) -> PaperImport:
    """Queue a failed or stalled import again."""
    from ..tasks import run_import

    with transaction.atomic():
        if paper_import.status != PaperImport.Status.DONE:
            paper_import.status = PaperImport.Status.QUEUED
            paper_import.finished_at = None
            paper_import.next_attempt_at = None
            paper_import.save(
                update_fields=[
                    "status",
                    "finished_at",
                    "next_attempt_at",
                    "updated_at",
                ]
            )
            enqueue_in_background(run_import, paper_import.pk)
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
    client = client or arxiv_client()
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
                paper_import.problem = _problem(outcome)
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
            paper_import.problem = PaperImport.Problem.NONE
        now = timezone.now()
        for paper_import in started:
            paper_import.finished_at = now
            paper_import.updated_at = now
        PaperImport.objects.bulk_update(
            started,
            ["status", "paper", "last_error", "problem", "finished_at", "updated_at"],
        )
        if progress:
            progress(len(part))
    return imports


def papers_refresh_arxiv(*, client: ArxivClient | None = None, batch: int = 500) -> int:
    """Re-read the arXiv papers that have summaries; record new versions. Return updates."""
    client = client or arxiv_client()
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


# Title searches -----------------------------------------------------------------------
# A title search asks arXiv and BibSonomy, which can take many seconds, so it runs as a
# task; its state lives in the cache for an hour under a random id the page polls.

TITLE_SEARCH_SECONDS = 3600


def title_search_key(search_id: str) -> str:
    from ..selectors import TITLE_SEARCH_KEY

    return TITLE_SEARCH_KEY.format(search_id)


def title_search_start(*, title: str, user=None) -> str:
    """Record a pending title search and queue it; return its id."""
    from ..tasks import search_titles_outside

    search_id = secrets.token_urlsafe(12)
    record = {"query": title, "status": "pending", "user": getattr(user, "pk", None)}
    cache.set(title_search_key(search_id), record, TITLE_SEARCH_SECONDS)
    with transaction.atomic():
        enqueue_in_background(search_titles_outside, search_id)
    return search_id


def title_search_run(*, search_id: str, fetchers: Fetchers | None = None) -> None:
    """Ask the outside sources and store what they said for the page to show."""
    from ..selectors import title_search_remote

    key = title_search_key(search_id)
    record = cache.get(key)
    if record is None or record["status"] == "done":
        return
    candidates, sources = title_search_remote(title=record["query"], fetchers=fetchers)
    record |= {
        "status": "done",
        "sources": sources,
        "candidates": [
            {
                "title": c.title,
                "authors": list(c.authors),
                "year": c.year,
                "venue": c.venue,
                "identifier": c.identifier,
                "origin": c.origin,
            }
            for c in candidates
        ],
    }
    cache.set(key, record, TITLE_SEARCH_SECONDS)
