"""Each kind of work has its own queue, and only one beat ever sends the schedule."""

import importlib
import os

import pytest
import redis

from shortscience import beatlock
from shortscience.celery import app

TASK_MODULES = [
    f"{app_name}.tasks"
    for app_name in (
        "papers",
        "shortscience",
        "summaries",
        "comments",
        "community",
        "feeds",
        "discovery",
    )
]


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("papers.tasks.run_import", "imports"),
        ("papers.tasks.refresh_arxiv_versions", "imports"),
        # A task added to papers/tasks.py later is routed with its module.
        ("papers.tasks.harvest_coverage", "imports"),
        ("shortscience.tasks.rerender_stale", "rendering"),
        ("shortscience.tasks.fetch_proxied_image", "images"),
        ("summaries.tasks.render_summary", "rendering"),
        ("comments.tasks.render_comment", "rendering"),
        ("discovery.tasks.index_paper_summaries", "rendering"),
        ("community.tasks.notify_comment", "mail"),
        ("community.tasks.send_pending_notifications", "mail"),
        ("discovery.tasks.notify_summary_requesters", "mail"),
        ("feeds.tasks.send_weekly_digest", "mail"),
        ("feeds.tasks.write_public_dump", "celery"),
    ],
)
def test_tasks_go_to_their_queue(task_name, queue):
    assert queue_of(task_name) == queue


def test_every_registered_task_goes_to_a_declared_queue():
    declared = {q.name for q in app.conf.task_queues}
    assert declared == {"celery", "imports", "rendering", "mail", "images"}
    for module in TASK_MODULES:
        importlib.import_module(module)
    ours = [n for n in app.tasks if not n.startswith("celery.")]
    assert "papers.tasks.run_import" in ours
    assert {queue_of(n) for n in ours} <= declared


@pytest.fixture
def lock_redis():
    url = os.environ.get("CACHE_URL", "")
    if not url.startswith("redis://"):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("CACHE_URL must point at Redis for the beat lock tests")
        pytest.skip("set CACHE_URL=redis://... to test the beat lock")
    client = redis.Redis.from_url(url)
    client.delete(beatlock.BEAT_LOCK_KEY)
    yield client
    client.delete(beatlock.BEAT_LOCK_KEY)


def test_a_second_beat_does_not_get_the_lock(lock_redis):
    assert beatlock.beat_lock_acquire(client=lock_redis, holder="a:1", ttl=30)
    assert not beatlock.beat_lock_acquire(client=lock_redis, holder="b:2", ttl=30)
    # The holder may take it again (a restart of the same process keeps it).
    assert beatlock.beat_lock_acquire(client=lock_redis, holder="a:1", ttl=30)


def test_only_the_holder_renews_the_lock(lock_redis):
    assert beatlock.beat_lock_acquire(client=lock_redis, holder="a:1", ttl=30)
    assert beatlock.beat_lock_renew(client=lock_redis, holder="a:1", ttl=30)
    assert not beatlock.beat_lock_renew(client=lock_redis, holder="b:2", ttl=30)


def test_the_lock_passes_on_when_the_holder_is_gone(lock_redis):
    assert beatlock.beat_lock_acquire(client=lock_redis, holder="a:1", ttl=30)
    # The holder died: its lock expires (here at once, instead of after the TTL).
    lock_redis.delete(beatlock.BEAT_LOCK_KEY)
    assert beatlock.beat_lock_acquire(client=lock_redis, holder="b:2", ttl=30)
    assert not beatlock.beat_lock_renew(client=lock_redis, holder="a:1", ttl=30)
