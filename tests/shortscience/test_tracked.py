"""Versions kept in process memory while Redis announces their changes (CLIENT TRACKING).

Against the real Redis only (CACHE_URL pointing at Redis, as in CI): the announcements
are Redis's own. "Another process" is a separate Redis connection writing behind this
process's back, as a Celery worker or another gunicorn worker would.
"""

import time

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from shortscience import cache as page_cache
from shortscience.cache import TRACKED, versions_settle
from tests.conftest import wait_for
from tests.factories import SummaryFactory

pytestmark = pytest.mark.skipif(
    "RedisCache" not in settings.CACHES["default"]["BACKEND"],
    reason="Redis announces changes; the other caches have nothing to track",
)


@pytest.fixture
def other_process():
    """A connection of its own to the cache's Redis, writing as another process would."""
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    yield client
    client.close()


def name(key: str) -> str:
    return cache.make_key(key)


def test_versions_read_once_are_then_answered_from_memory(monkeypatch):
    cache.set("v:paper:1", 11, timeout=None)
    versions_settle()
    assert page_cache._versions(["v:paper:1"]) == {"v:paper:1": 11}
    reads = []
    real = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys: reads.append(keys) or real(keys)
    )

    assert page_cache._versions(["v:paper:1"]) == {"v:paper:1": 11}
    assert reads == []


def test_a_change_by_another_process_reaches_memory_by_redis_announcement(
    other_process,
):
    cache.set("v:paper:2", 21, timeout=None)
    versions_settle()
    assert page_cache._versions(["v:paper:2"]) == {"v:paper:2": 21}

    other_process.set(name("v:paper:2"), 22)
    versions_settle()

    assert page_cache._versions(["v:paper:2"]) == {"v:paper:2": 22}


def test_this_process_sees_its_own_touch_at_once():
    versions_settle()
    page_cache._versions(["v:summary:3"], created_at=100)
    before = page_cache._versions(["v:summary:3"])["v:summary:3"]

    page_cache._touch_now(["v:summary:3"])  # no waiting for the announcement

    assert page_cache._versions(["v:summary:3"])["v:summary:3"] > before


def test_a_flushed_database_empties_memory(other_process):
    cache.set("v:paper:4", 41, timeout=None)
    versions_settle()
    page_cache._versions(["v:paper:4"])
    assert "v:paper:4" in TRACKED.values

    other_process.flushdb()
    assert wait_for(lambda: "v:paper:4" not in TRACKED.values, timeout=3)
    assert page_cache._versions(["v:paper:4"]) == {}


def test_a_value_read_while_an_announcement_came_in_is_not_kept():
    cache.set("v:paper:5", 51, timeout=None)
    versions_settle()
    found, unknown, generation = TRACKED.lookup(["v:paper:5"])
    assert unknown == ["v:paper:5"]
    TRACKED.drop(["v:paper:other"])  # an announcement while the read was on its way

    TRACKED.keep({"v:paper:5": 51}, generation)

    assert "v:paper:5" not in TRACKED.values


def test_memory_is_not_trusted_when_nothing_was_heard_for_the_lease():
    versions_settle()
    assert TRACKED.trusted()
    heard = TRACKED.heard
    TRACKED.heard = time.monotonic() - 60
    try:
        assert not TRACKED.trusted()
        assert TRACKED.lookup(["v:paper:6"]) == ({}, ["v:paper:6"], -1)
    finally:
        TRACKED.heard = max(heard, TRACKED.heard)


def test_a_broken_connection_empties_memory_and_listens_again(other_process):
    cache.set("v:paper:7", 71, timeout=None)
    versions_settle()
    page_cache._versions(["v:paper:7"])
    assert "v:paper:7" in TRACKED.values
    listeners = [
        c for c in other_process.client_list() if c["name"] == "shortscience-versions"
    ]
    assert listeners

    for listener in listeners:
        other_process.client_kill_filter(_id=listener["id"])
    # Changed while nobody listened: must not be answered from the old memory.
    other_process.set(name("v:paper:7"), 72)

    assert wait_for(lambda: not TRACKED.trusted() or not TRACKED.values, timeout=3)
    versions_settle(timeout=5)  # listening again
    assert page_cache._versions(["v:paper:7"]) == {"v:paper:7": 72}


@pytest.mark.django_db
def test_a_page_kept_in_memory_is_stale_once_another_process_moves_a_version(
    other_process, monkeypatch
):
    summary = SummaryFactory(body="first words")
    path = summary.paper.get_absolute_url()
    Client().get(path)
    versions_settle()
    assert Client().get(path)["X-Cache"] == "hit"  # versions read into memory
    reads = []
    real = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda keys: reads.append(keys) or real(keys)
    )
    assert Client().get(path)["X-Cache"] == "hit"
    assert reads == []  # no round trip to Redis

    # A worker moves the summary's version (its rendered text changed there).
    other_process.set(name(f"v:summary:{summary.pk}"), time.time_ns())
    versions_settle()

    assert Client().get(path)["X-Cache"] == "miss"


def test_a_redis_that_refuses_tracking_leaves_every_read_to_redis(monkeypatch):
    from shortscience.tracked import TrackedVersions

    refused = []

    def refuse(self, connection, own_prefix):
        refused.append(own_prefix)
        raise redis.ResponseError("unknown command 'CLIENT', with args beginning with")

    monkeypatch.setattr(TrackedVersions, "_subscribe", refuse)
    tracked = TrackedVersions("v:")
    try:
        assert not tracked.trusted()  # starts listening
        assert wait_for(lambda: refused, timeout=3)
        assert not tracked.trusted()
        tracked.keep({"v:paper:8": 81}, 0)
        assert tracked.lookup(["v:paper:8"]) == ({}, ["v:paper:8"], -1)
    finally:
        tracked.stop()
