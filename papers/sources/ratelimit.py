"""Keep to "at most one request every N seconds" across every process of the site.

arXiv asks for one request every three seconds from a site, not from each worker, so the
slot is shared through Redis when Celery runs on a Redis broker. Without a broker
everything runs in one process, and a lock is enough.

Both limiters hand out time slots: a caller reserves the next free slot, then sleeps
until it. Reserving is a single atomic step (a lock, or one Lua script in Redis), so
callers are served in arrival order and nobody busy-polls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis

from . import http
from .http import TransientSourceError

KEY_PREFIX = "shortscience:ratelimit:"

# KEYS[1]: the slot key. ARGV[1]: interval in ms. Returns ms the caller must wait.
# Redis's own clock is used so that workers on different hosts agree on "now".
_RESERVE_SLOT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local interval = tonumber(ARGV[1])
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
-- now is rounded down to the millisecond; a slot of now + 1 is never earlier than the
-- true current time, so consecutive callers are at least a full interval apart.
local slot = math.max(now + 1, next_free)
redis.call('SET', KEYS[1], slot + interval, 'PX', slot + interval - now + 1000)
return slot - now
"""


def _default_sleep(seconds: float) -> None:
    # The same hook as the HTTP retries (papers.sources.http.sleep), looked up at each
    # wait so that tests replace one function to record every wait.
    http.sleep(seconds)


class RateLimiter(Protocol):
    def wait(self) -> None: ...


class LocalRateLimiter:
    """Space calls to `wait()` at least `interval` seconds apart within this process."""

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep or _default_sleep
        self._lock = threading.Lock()
        self._next_free: float | None = None

    def wait(self) -> None:
        """Block until the caller may send its request."""
        if self.interval <= 0:
            return
        with self._lock:
            now = self._clock()
            slot = now if self._next_free is None else max(now, self._next_free)
            self._next_free = slot + self.interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)


class RedisRateLimiter:
    """Space calls to `wait()` at least `interval` seconds apart across processes."""

    def __init__(
        self,
        url: str,
        key: str,
        interval: float,
        *,
        client: redis.Redis | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.url = url
        self.key = key
        self.interval = interval
        self._sleep = sleep or _default_sleep
        self._client = client if client is not None else redis.Redis.from_url(url)
        self._reserve = self._client.register_script(_RESERVE_SLOT)

    def wait(self) -> None:
        """Block until the caller may send its request."""
        if self.interval <= 0:
            return
        try:
            wait_ms = int(
                self._reserve(keys=[self.key], args=[round(self.interval * 1000)])
            )
        except redis.RedisError as exc:
            # Without the shared slot we cannot promise the politeness interval; let the
            # task retry once Redis is back rather than risk a ban from the service.
            raise TransientSourceError(
                f"rate limiter unavailable ({type(exc).__name__}: {exc})"
            ) from exc
        if wait_ms > 0:
            self._sleep(wait_ms / 1000)


_local_limiters: dict[tuple[str, float], LocalRateLimiter] = {}
_redis_limiters: dict[tuple[str, str, float], RedisRateLimiter] = {}
_registry_lock = threading.Lock()


def rate_limiter_from_settings(key: str, interval: float) -> RateLimiter:
    """Return the limiter for `key`: shared through Redis when the broker is Redis.

    Limiters are cached per key so that every client in a process shares one slot (and
    one Redis connection pool).
    """
    from django.conf import settings

    broker_url: str = getattr(settings, "CELERY_BROKER_URL", "") or ""
    with _registry_lock:
        if broker_url.startswith(("redis://", "rediss://")):
            redis_key = (broker_url, key, interval)
            if redis_key not in _redis_limiters:
                _redis_limiters[redis_key] = RedisRateLimiter(
                    broker_url, KEY_PREFIX + key, interval
                )
            return _redis_limiters[redis_key]
        local_key = (key, interval)
        if local_key not in _local_limiters:
            _local_limiters[local_key] = LocalRateLimiter(interval)
        return _local_limiters[local_key]
