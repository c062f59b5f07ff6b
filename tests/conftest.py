import re

import pytest

from tests.factories import PaperFactory, SummaryFactory, UserFactory
from tests.replay import ArxivReplay, BibsonomyReplay, CrossrefReplay


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache: rate-limit counters must not leak."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def recorded_sleeps(monkeypatch):
    """Record the waits of HTTP retries and rate limiters instead of sleeping them.

    Every source client and limiter built without its own `sleep` waits through
    papers.sources.http.sleep; a test asserts the backoff schedule from this list.
    """
    from papers.sources import http

    sleeps: list[float] = []
    monkeypatch.setattr(http, "sleep", sleeps.append)
    return sleeps


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def client_logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def paper(db):
    return PaperFactory()


@pytest.fixture
def summary(db):
    return SummaryFactory()


@pytest.fixture
def arxiv_replay(httpserver, settings):
    """arXiv's API replayed from recorded entries on a local HTTP server."""
    replay = ArxivReplay()
    httpserver.expect_request("/api/query").respond_with_handler(replay)
    settings.ARXIV_API_URL = httpserver.url_for("/api/query")
    settings.ARXIV_MIN_INTERVAL = 0
    return replay


@pytest.fixture
def crossref_replay(httpserver, settings):
    replay = CrossrefReplay()
    httpserver.expect_request(re.compile(r"^/works/.+")).respond_with_handler(replay)
    settings.CROSSREF_API_URL = httpserver.url_for("/").rstrip("/")
    return replay


@pytest.fixture
def bibsonomy_replay(httpserver, settings):
    replay = BibsonomyReplay()
    httpserver.expect_request(re.compile(r"^/bibsonomy/.*")).respond_with_handler(
        replay
    )
    settings.BIBSONOMY_API_URL = httpserver.url_for("/bibsonomy")
    settings.BIBSONOMY_USER, settings.BIBSONOMY_API_KEY = replay.auth
    return replay
