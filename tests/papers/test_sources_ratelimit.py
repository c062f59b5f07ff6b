import os
import threading
import uuid

import pytest
import redis

from papers.sources.http import TransientSourceError
from papers.sources.ratelimit import (
    KEY_PREFIX,
    LocalRateLimiter,
    RedisRateLimiter,
    rate_limiter_from_settings,
)

# The Redis the run was given (CI's CACHE_URL), never a fixed one that may belong to
# someone else; each test's keys are its own and are removed after it.
REDIS_URL = os.environ.get("CACHE_URL", "")


@pytest.fixture
def redis_key():
    if not REDIS_URL.startswith("redis://"):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("CACHE_URL must point at Redis for the shared limiter tests")
        pytest.skip("set CACHE_URL=redis://... to test the limiter shared in Redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    key = f"tests:ratelimit:{uuid.uuid4().hex}"
    yield key
    client.delete(key)
    client.close()


def test_local_limiter_spaces_calls_by_the_interval():
    sleeps = []
    clock = iter([10.0, 10.5, 11.0, 30.0]).__next__
    limiter = LocalRateLimiter(3.0, clock=clock, sleep=sleeps.append)

    for _ in range(4):
        limiter.wait()

    # 10.0 goes at once, 10.5 waits for 13.0, 11.0 for 16.0, 30.0 is past every slot.
    assert sleeps == [2.5, 5.0]


def test_local_limiter_with_zero_interval_never_waits():
    sleeps = []
    limiter = LocalRateLimiter(0, sleep=sleeps.append)

    for _ in range(5):
        limiter.wait()

    assert sleeps == []


def test_local_limiter_is_shared_between_threads():
    sleeps = []
    limiter = LocalRateLimiter(0.1, clock=lambda: 100.0, sleep=sleeps.append)

    threads = [threading.Thread(target=limiter.wait) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Four threads at the same instant get four distinct slots, 0.1 s apart.
    assert sorted(sleeps) == pytest.approx([0.1, 0.2, 0.3])


def _next_free_ms(key):
    return int(redis.Redis.from_url(REDIS_URL).get(key))


def test_redis_limiters_on_one_key_share_the_slot(redis_key):
    sleeps = []
    first = RedisRateLimiter(REDIS_URL, redis_key, 0.2, sleep=sleeps.append)
    second = RedisRateLimiter(REDIS_URL, redis_key, 0.2, sleep=sleeps.append)

    first.wait()
    after_first = _next_free_ms(redis_key)
    second.wait()
    after_second = _next_free_ms(redis_key)
    first.wait()
    after_third = _next_free_ms(redis_key)

    # A fresh key hands out the next millisecond; each later caller, whichever limiter
    # object it used, gets a slot at least one interval after the one before.
    assert sleeps[0] == 0.001
    assert after_second - after_first >= 200
    assert after_third - after_second >= 200
    assert len(sleeps) == 3


def test_redis_limiters_on_different_keys_do_not_wait_for_each_other(redis_key):
    sleeps = []
    first = RedisRateLimiter(REDIS_URL, redis_key, 0.5, sleep=sleeps.append)
    other_key = redis_key + ":other"
    second = RedisRateLimiter(REDIS_URL, other_key, 0.5, sleep=sleeps.append)

    first.wait()
    second.wait()
    redis.Redis.from_url(REDIS_URL).delete(other_key)

    assert sleeps == [0.001, 0.001]


def test_redis_limiter_with_zero_interval_never_touches_redis():
    limiter = RedisRateLimiter("redis://127.0.0.1:1/15", "unused", 0)

    limiter.wait()


def test_redis_limiter_unreachable_is_transient():
    limiter = RedisRateLimiter("redis://127.0.0.1:1/15", "unused", 1.0)

    with pytest.raises(TransientSourceError, match="rate limiter unavailable"):
        limiter.wait()


def test_from_settings_uses_redis_for_a_redis_broker(settings):
    # Building the limiter connects to nothing.
    settings.CELERY_BROKER_URL = "redis://redis.example.org:6379/0"

    limiter = rate_limiter_from_settings("arxiv-tests", 3.0)

    assert isinstance(limiter, RedisRateLimiter)
    assert limiter.key == KEY_PREFIX + "arxiv-tests"
    assert limiter.interval == 3.0


def test_from_settings_uses_one_local_limiter_per_key_without_a_broker(settings):
    settings.CELERY_BROKER_URL = ""

    limiter = rate_limiter_from_settings("arxiv-tests", 3.0)

    assert isinstance(limiter, LocalRateLimiter)
    assert rate_limiter_from_settings("arxiv-tests", 3.0) is limiter
    assert rate_limiter_from_settings("other-tests", 3.0) is not limiter
