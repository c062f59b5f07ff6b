"""The outside clients, wired from settings in one place.

Each client takes the HttpClient it sends requests with; the functions here build one
with the site's timeout and User-Agent (and, for arXiv, the shared rate limiter), so
the wiring is written once. Keyword arguments override the settings, as tests and
benchmarks need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .arxiv import MAX_BATCH_SIZE, ArxivClient
from .bibsonomy import BibsonomyClient
from .crossref import CrossrefClient
from .dblp import MAX_PAGE_SIZE, DblpClient
from .http import HttpClient
from .oaipmh import OaiClient
from .openreview import MAX_PAGE_SIZE as OPENREVIEW_PAGE_SIZE
from .openreview import OpenReviewClient
from .orcid import OrcidClient
from .ratelimit import RateLimiter, rate_limiter_from_settings


def http_client(
    service: str, *, rate_limiter: RateLimiter | None = None, **options: Any
) -> HttpClient:
    """Return an HttpClient with the site's timeout and User-Agent; `options` win.

    `options` are HttpClient's own (timeout, user_agent, max_attempts, backoff,
    max_total_sleep, sleep, session); a rate limiter throttles every attempt.
    """
    kwargs: dict[str, Any] = {
        "timeout": settings.HTTP_TIMEOUT,
        "user_agent": settings.HTTP_USER_AGENT,
    }
    if rate_limiter is not None:
        kwargs["throttle"] = rate_limiter.wait
    kwargs.update(options)
    return HttpClient(service=service, **kwargs)


def arxiv_client(
    *,
    base_url: str | None = None,
    rate_limiter: RateLimiter | None = None,
    batch_size: int = MAX_BATCH_SIZE,
    **http_options: Any,
) -> ArxivClient:
    """Return an arXiv client from settings, throttled by the shared arXiv limiter."""
    if rate_limiter is None:
        rate_limiter = rate_limiter_from_settings("arxiv", settings.ARXIV_MIN_INTERVAL)
    return ArxivClient(
        http=http_client("arXiv", rate_limiter=rate_limiter, **http_options),
        base_url=base_url or settings.ARXIV_API_URL,
        batch_size=batch_size,
    )


def bibsonomy_client(
    *,
    base_url: str | None = None,
    user: str | None = None,
    api_key: str | None = None,
    **http_options: Any,
) -> BibsonomyClient:
    """Return a BibSonomy client from settings (disabled without a user and key)."""
    return BibsonomyClient(
        http=http_client("BibSonomy", **http_options),
        base_url=base_url or settings.BIBSONOMY_API_URL,
        user=settings.BIBSONOMY_USER if user is None else user,
        api_key=settings.BIBSONOMY_API_KEY if api_key is None else api_key,
    )


def crossref_client(
    *, base_url: str | None = None, **http_options: Any
) -> CrossrefClient:
    """Return a Crossref client from settings."""
    return CrossrefClient(
        http=http_client("Crossref", **http_options),
        base_url=base_url or settings.CROSSREF_API_URL,
    )


def dblp_client(
    *,
    base_url: str | None = None,
    rate_limiter: RateLimiter | None = None,
    page_size: int = MAX_PAGE_SIZE,
    **http_options: Any,
) -> DblpClient:
    """Return a dblp client from settings, throttled by the shared dblp limiter."""
    if rate_limiter is None:
        rate_limiter = rate_limiter_from_settings("dblp", settings.DBLP_MIN_INTERVAL)
    return DblpClient(
        http=http_client("dblp", rate_limiter=rate_limiter, **http_options),
        base_url=base_url or settings.DBLP_API_URL,
        page_size=page_size,
    )


def oai_client(
    *,
    base_url: str | None = None,
    rate_limiter: RateLimiter | None = None,
    **http_options: Any,
) -> OaiClient:
    """Return an arXiv OAI-PMH client, throttled by the same limiter as the arXiv API."""
    if rate_limiter is None:
        rate_limiter = rate_limiter_from_settings("arxiv", settings.ARXIV_MIN_INTERVAL)
    return OaiClient(
        http=http_client("arXiv OAI-PMH", rate_limiter=rate_limiter, **http_options),
        base_url=base_url or settings.ARXIV_OAI_URL,
    )


def orcid_client(*, base_url: str | None = None, **http_options: Any) -> OrcidClient:
    """Return an ORCID public API client from settings."""
    return OrcidClient(
        http=http_client("ORCID", **http_options),
        base_url=base_url or settings.ORCID_API_URL,
    )


def openreview_client(
    *,
    base_url: str | None = None,
    v1_base_url: str | None = None,
    rate_limiter: RateLimiter | None = None,
    page_size: int = OPENREVIEW_PAGE_SIZE,
    **http_options: Any,
) -> OpenReviewClient:
    """Return an OpenReview client (API 2, and API 1 for old years) from settings."""
    if rate_limiter is None:
        rate_limiter = rate_limiter_from_settings(
            "openreview", settings.OPENREVIEW_MIN_INTERVAL
        )
    return OpenReviewClient(
        http=http_client("OpenReview", rate_limiter=rate_limiter, **http_options),
        base_url=base_url or settings.OPENREVIEW_API_URL,
        v1_base_url=v1_base_url or settings.OPENREVIEW_API_V1_URL,
        page_size=page_size,
    )


@dataclass
class Fetchers:
    """The outside clients an import uses; tests and benchmarks pass their own."""

    arxiv: Callable[[], ArxivClient] = arxiv_client
    bibsonomy: Callable[[], BibsonomyClient] = bibsonomy_client
    crossref: Callable[[], CrossrefClient] = crossref_client
    dblp: Callable[[], DblpClient] = dblp_client
