"""The site keeps answering when Redis or Postgres is away."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shortscience.cache import versions_settle
from summaries.models import Summary
from tests.factories import SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
    }
    return settings.CACHES


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Override the suite-wide cache clearing: the cache here may be unreachable."""


def test_pages_are_served_uncached_while_the_cache_is_down(cache_down):
    summary = SummaryFactory(body="still readable")
    for _ in range(2):
        response = Client().get(summary.paper.get_absolute_url())
        assert response.status_code == 200
        assert "still readable" in response.content.decode()
        assert response.get("X-Cache") != "hit"


def test_writes_succeed_while_the_cache_is_down(
    cache_down, django_capture_on_commit_callbacks
):
    summary = SummaryFactory()
    client = Client()
    client.force_login(UserFactory(date_joined=timezone.now() - timedelta(days=9)))
    assert (
        client.post(
            reverse("summaries:summary-vote", args=[summary.pk]), {"value": 1}
        ).status_code
        == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("summaries:summary-write", args=[summary.paper.pk]),
            {"body": "written while Redis is away", "action": "publish"},
        )
    assert response.status_code == 302
    assert Summary.objects.filter(body="written while Redis is away").exists()


def test_database_outage_answers_503_with_retry_after(client, monkeypatch):
    from django.core.cache import cache

    from papers import selectors

    cache.clear()  # a page cached earlier would be served at the door, database or not
    versions_settle()

    def refuse(**kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(selectors, "paper_get", refuse)
    response = client.get("/papers/1/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Back in a moment" in response.content.decode()


def test_a_cached_page_is_still_served_while_the_database_is_down(monkeypatch):
    from django.core.cache import cache

    from papers import selectors

    cache.clear()
    versions_settle()
    path = SummaryFactory(body="kept at the door").paper.get_absolute_url()
    Client().get(path)

    def refuse(**kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(selectors, "paper_get", refuse)
    response = Client().get(path)
    assert response.status_code == 200
    assert "kept at the door" in response.content.decode()
    assert Client().get("/papers/999999/").status_code == 503


def test_an_outage_met_outside_a_view_answers_503_not_500(rf):
    """A session or user loaded by middleware meets the outage before any view runs."""
    from django.db import OperationalError

    from pages.views import server_error

    try:
        raise OperationalError("could not connect to server: Connection refused")
    except OperationalError:
        response = server_error(rf.get("/"))

    assert response.status_code == 503
    assert response["Retry-After"] == "10"


def test_other_errors_still_answer_the_500_page(rf):
    from pages.views import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))

    assert response.status_code == 500
