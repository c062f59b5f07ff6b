import re

import pytest

from tests.factories import PaperFactory, SummaryFactory, UserFactory
from tests.replay import (
    ArxivReplay,
    BibsonomyReplay,
    CrossrefReplay,
    DblpReplay,
    OaiReplay,
    OpenReviewReplay,
    OrcidReplay,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache: rate-limit counters must not leak."""
    from django.core.cache import cache

    from shortscience.cache import TRACKED

    cache.clear()
    TRACKED.clear()  # what this process kept of the versions (Redis announces it later)


@pytest.fixture(autouse=True)
def _tasks_like_the_embedded_default(request):
    """Run Celery tasks in-process, errors logged not raised, unless marked `worker`.

    That is what base.py does when no broker is configured (the embedded default), so
    without CELERY_BROKER_URL this changes nothing. With a broker (CI) nobody consumes
    the queue outside the `worker` tests, so the others run their tasks the same way as
    the embedded default: after commit, in this process, failures only logged.
    """
    if request.node.get_closest_marker("worker"):
        yield
        return
    from shortscience.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def redis_worker(transactional_db):
    """A real Celery worker (solo pool, in a thread) consuming from the Redis broker."""
    import os

    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from shortscience.celery import app

    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("CELERY_BROKER_URL must point at Redis for the worker tests")
        pytest.skip("set CELERY_BROKER_URL=redis://... to run a real worker")
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ):
            yield
    finally:
        app.conf.task_always_eager = saved


def wait_for(predicate, timeout=30.0):
    """Poll `predicate` until it holds (True) or `timeout` seconds pass (False).

    For the `worker` tests, where a real worker finishes a task in its own time, and for
    announcements that Redis sends when it will.
    """
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


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
def dblp_replay(httpserver, settings):
    """dblp's publication search API replayed from recorded BibTeX answers."""
    replay = DblpReplay()
    httpserver.expect_request("/search/publ/api").respond_with_handler(replay)
    settings.DBLP_API_URL = httpserver.url_for("/search/publ/api")
    settings.DBLP_MIN_INTERVAL = 0
    return replay


@pytest.fixture
def oai_replay(httpserver, settings):
    """arXiv's OAI-PMH interface replayed from a recorded ListRecords page."""
    replay = OaiReplay()
    httpserver.expect_request("/oai").respond_with_handler(replay)
    settings.ARXIV_OAI_URL = httpserver.url_for("/oai")
    settings.ARXIV_MIN_INTERVAL = 0
    return replay


@pytest.fixture
def openreview_replay(httpserver, settings):
    """OpenReview's API 2 and API 1 replayed from constructed notes (not recorded)."""
    replay = OpenReviewReplay()
    httpserver.expect_request("/notes").respond_with_handler(replay)
    httpserver.expect_request("/v1/notes").respond_with_handler(replay)
    settings.OPENREVIEW_API_URL = httpserver.url_for("/").rstrip("/")
    settings.OPENREVIEW_API_V1_URL = httpserver.url_for("/v1")
    settings.OPENREVIEW_MIN_INTERVAL = 0
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


@pytest.fixture
def orcid_replay(httpserver, settings):
    """ORCID's public API replayed from recorded works lists."""
    replay = OrcidReplay()
    httpserver.expect_request(re.compile(r"^/v3\.0/.+/works$")).respond_with_handler(
        replay
    )
    settings.ORCID_API_URL = httpserver.url_for("/v3.0")
    return replay


def sign_in_with_second_factor(client, user):
    """Sign the user in as if through their TOTP app: staff and moderators need that.

    The user gets an authenticator app if they have none, and the session records that
    it was used, as allauth's own sign-in does.
    """
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists():
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "mfa", "at": time.time(), "type": "totp"}
    ]
    session.save()
    return client


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's admin_client, signed in with a second factor as staff must be."""
    from django.test import Client

    return sign_in_with_second_factor(Client(), admin_user)
