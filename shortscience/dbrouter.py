"""Reads from the replicas, writes to the primary, and a writer reads their own writes.

Only the reads of a web request made with a safe method (GET, HEAD, OPTIONS) go to a
replica (ReplicaMiddleware switches them on); tasks, management commands and every write
request read from the primary, so a task queued after a write never misses it. After a
write the writer's browser carries a cookie for READ_YOUR_WRITES_SECONDS, and their reads
stay on the primary until it expires. Every process reads the same cache, so a page or
fragment rendered from a replica must show every change the cache versions announce: a
replica serves a request only once it has replayed the primary's WAL as far as the last
commit that changed public content (`content_position_note`, called by cache_touch).

A replica that does not answer, or lags behind by more than REPLICA_MAX_LAG_SECONDS, is
left out for REPLICA_CHECK_SECONDS; when every replica is out the primary serves the
reads. When a replica fails in the middle of a read-only request, the request is answered
again from the primary, so a replica going down costs no errors: a failure in the view
is caught as it happens, one in a middleware (the session, the user) by the error page it
turned into.
"""

import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PRIMARY = "default"
PIN_COOKIE = "primary_reads"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "replica_reads", default=False
)
_used: contextvars.ContextVar[str] = contextvars.ContextVar("replica_used", default="")
# alias -> (healthy, checked at monotonic time); per process.
_health: dict[str, tuple[bool, float]] = {}

LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def replica_lag_seconds(alias: str) -> float:
    """How far the replica's replay is behind (0 when it has replayed all it received)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_SQL)
        row = cursor.fetchone()
    return float(row[0]) if row else 0.0


def replica_mark_down(alias: str) -> None:
    _health[alias] = (False, time.monotonic())
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def replica_is_healthy(alias: str) -> bool:
    healthy, checked = _health.get(alias, (False, -1e9))
    if time.monotonic() - checked < settings.REPLICA_CHECK_SECONDS:
        return healthy
    try:
        lag = replica_lag_seconds(alias)
    except DatabaseError as exc:
        logger.warning("replica %s left out: %s", alias, exc)
        replica_mark_down(alias)
        return False
    healthy = lag <= settings.REPLICA_MAX_LAG_SECONDS
    if not healthy:
        logger.warning("replica %s left out: %.1f s behind", alias, lag)
    _health[alias] = (healthy, time.monotonic())
    return healthy


# Where the primary's WAL stood after the last commit that changed public content (bytes
# from 0/0); a replica serves a request only once it has replayed that far, so no page or
# fragment is rendered from a replica that lacks a change the cache versions announce.
POSITION_KEY = "replica:content-position"
POSITION_SQL = "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn"
REPLAYED_SQL = """
SELECT COALESCE(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
                     ELSE pg_current_wal_insert_lsn() END - '0/0'::pg_lsn, 0)
"""
# alias -> the position it had replayed when last asked; per process.
_replayed: dict[str, int] = {}


def content_position_note() -> None:
    """Record the primary's WAL position after public content changed (see cache_touch).

    Called after the commit and before the cache versions move, so a reader who sees
    the new versions also finds the position a replica must have replayed.
    """
    if not settings.DATABASE_REPLICAS:
        return
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute(POSITION_SQL)
            position = int(cursor.fetchone()[0])
        if position > (cache.get(POSITION_KEY) or 0):
            cache.set(POSITION_KEY, position, timeout=None)
    except (DatabaseError, RedisError, OSError) as exc:
        # Without a shared position, REPLICA_MAX_LAG_SECONDS still bounds how stale.
        logger.warning("content position not recorded: %s", exc)


def _content_position() -> int:
    try:
        return cache.get(POSITION_KEY) or 0
    except (RedisError, OSError):
        return 0


def replica_has_replayed(alias: str, position: int) -> bool:
    """Whether the replica has replayed the primary's WAL up to `position`."""
    if position <= _replayed.get(alias, -1):
        return True
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(REPLAYED_SQL)
            _replayed[alias] = int(cursor.fetchone()[0])
    except DatabaseError as exc:
        logger.warning("replica %s left out: %s", alias, exc)
        replica_mark_down(alias)
        return False
    return position <= _replayed[alias]


def replica_for_read() -> str:
    """The alias this read goes to: a healthy replica when allowed, else the primary."""
    if not _replica_reads.get():
        return PRIMARY
    chosen = _used.get()
    if chosen and _health.get(chosen, (False, 0))[0]:
        return chosen  # one replica for the whole request: a consistent view
    healthy = [a for a in settings.DATABASE_REPLICAS if replica_is_healthy(a)]
    if healthy:
        needed = _content_position()
        healthy = [a for a in healthy if replica_has_replayed(a, needed)]
        if not healthy:
            # Behind the last change of public content: this request reads the primary.
            _replica_reads.set(False)
    if not healthy:
        return PRIMARY
    chosen = random.choice(healthy)  # nosec B311: spreading load, not a secret
    _used.set(chosen)
    return chosen


class PrimaryReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        return replica_for_read()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class ReplicaMiddleware:
    """Let a safe request read from a replica unless its user wrote a moment ago."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        allowed = safe and not request.COOKIES.get(PIN_COOKIE)
        token, used = _replica_reads.set(allowed), _used.set("")
        try:
            response = self.get_response(request)
            alias = _used.get()
            if allowed and alias and response.status_code >= 500:
                response = self._again_from_the_primary(request, alias, response)
        finally:
            _replica_reads.reset(token)
            _used.reset(used)
        if not safe:
            seconds = settings.READ_YOUR_WRITES_SECONDS
            response.set_cookie(
                PIN_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax"
            )
        return response

    def _again_from_the_primary(
        self, request: HttpRequest, alias: str, response: HttpResponse
    ) -> HttpResponse:
        """Answer again from the primary when the replica failed outside the view.

        Loading the session or the user, or a middleware's own query, fails before the
        view runs: Django has turned the error into an error page by the time it gets
        here, and the replica's connection remembers that it failed.
        """
        if not connections[alias].errors_occurred:
            return response  # an error of the page itself, not of the replica
        logger.warning(
            "replica %s failed mid-request; answering from the primary", alias
        )
        replica_mark_down(alias)
        _replica_reads.set(False)
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        """A replica failed mid-request: leave it out and answer again from the primary."""
        alias = _used.get()
        if (
            not alias
            or not _replica_reads.get()
            or request.method not in SAFE_METHODS
            or not isinstance(exception, OperationalError | InterfaceError)
        ):
            return None
        logger.warning("replica %s failed mid-request: %s", alias, exception)
        replica_mark_down(alias)
        match = request.resolver_match
        if match is None:
            return None
        token = _replica_reads.set(False)
        try:
            return match.func(request, *match.args, **match.kwargs)
        finally:
            _replica_reads.reset(token)
