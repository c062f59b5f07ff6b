"""Seeing it run: a request id in every log line and task, JSON logs, metrics, Sentry.

- RequestIdMiddleware gives each request an id (the proxy's X-Request-ID when it sends a
  sane one), returns it in the response's X-Request-ID and keeps it in a context variable;
  every log line carries it (RequestIdFilter), and every task queued while it is set
  carries it in the message headers, so the worker's log lines name it too.
- JsonFormatter writes one JSON object per line (LOG_FORMAT=json, the default in prod).
- metrics_view serves the Prometheus text format to a bearer of METRICS_TOKEN or a client
  in METRICS_ALLOWED_NETWORKS, and 404 to everybody else.
"""

import contextvars
import ipaddress
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from .clientip import client_ip

REQUEST_ID_HEADER = "request_id"
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default=""
)
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


def request_id_set(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


def request_id_reset(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Put the current request id (or "") on every record as record.request_id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
        }
        for key in ("client_ip", "method", "path", "status", "duration_ms", "task"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


JsonFormatter.converter = time.gmtime

# --- requests -------------------------------------------------------------------------

_http_requests: Any = None
_http_seconds: Any = None


def _request_metrics() -> tuple[Any, Any]:
    global _http_requests, _http_seconds
    if _http_requests is None:
        from prometheus_client import Counter, Histogram

        _http_requests = Counter(
            "shortscience_http_requests",
            "HTTP requests answered, by method and status class",
            ["method", "status"],
        )
        _http_seconds = Histogram(
            "shortscience_http_request_duration_seconds",
            "Time to answer a request",
            ["method"],
        )
    return _http_requests, _http_seconds


class RequestIdMiddleware:
    """Name each request, count it, and log one line for it (logger shortscience.request)."""

    logger = logging.getLogger("shortscience.request")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id_set(rid)
        started = time.perf_counter()
        # When the request reached the site, for views bound in time from its start
        # (the editor's preview).
        request.started_at = time.monotonic()  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            elapsed = time.perf_counter() - started
            method = request.method if request.method in _METHODS else "other"
            requests_total, seconds = _request_metrics()
            requests_total.labels(method, f"{response.status_code // 100}xx").inc()
            seconds.labels(method).observe(elapsed)
            self.logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "client_ip": client_ip(request),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            return response
        finally:
            request_id_reset(token)


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

# --- tasks ----------------------------------------------------------------------------

TASK_OUTCOMES_KEY = "shortscience:metrics:tasks"


def task_outcome_record(*, task_name: str, outcome: str) -> None:
    """Count a task's outcome in the broker's Redis, shared by every worker."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return
    import redis

    try:
        _redis(url).hincrby(TASK_OUTCOMES_KEY, f"{task_name}|{outcome}", 1)
    except redis.RedisError:
        logging.getLogger(__name__).warning("task outcome not counted", exc_info=True)


_clients: dict[str, Any] = {}


def _redis(url: str) -> Any:
    import redis

    if url not in _clients:
        _clients[url] = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _clients[url]


# --- the metrics endpoint -------------------------------------------------------------


class ServiceCollector:
    """At scrape time: queue lengths on the broker, cache hits and misses from Redis."""

    def collect(self) -> Iterator[Any]:
        import redis
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        broker = settings.CELERY_BROKER_URL
        if broker.startswith("redis"):
            queues = GaugeMetricFamily(
                "shortscience_queue_length", "Tasks waiting, by queue", labels=["queue"]
            )
            outcomes = CounterMetricFamily(
                "shortscience_tasks",
                "Tasks finished, by task and outcome",
                labels=["task", "outcome"],
            )
            try:
                client = _redis(broker)
                for queue in settings.CELERY_TASK_QUEUES:
                    queues.add_metric([queue.name], client.llen(queue.name))
                for field, count in client.hgetall(TASK_OUTCOMES_KEY).items():
                    task, _, outcome = field.decode().partition("|")
                    outcomes.add_metric([task, outcome], int(count))
            except redis.RedisError:
                pass
            yield queues
            yield outcomes
        cache = settings.CACHES["default"]
        if cache["BACKEND"].endswith("RedisCache"):
            hits = CounterMetricFamily(
                "shortscience_cache_lookups",
                "Cache lookups in Redis, hits and misses",
                labels=["result"],
            )
            try:
                stats = _redis(cache["LOCATION"]).info("stats")
                hits.add_metric(["hit"], stats.get("keyspace_hits", 0))
                hits.add_metric(["miss"], stats.get("keyspace_misses", 0))
            except redis.RedisError:
                pass
            yield hits


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    networks = getattr(settings, "METRICS_ALLOWED_NETWORKS", [])
    if networks:
        try:
            address = ipaddress.ip_address(client_ip(request))
        except ValueError:
            return False
        return any(
            address in ipaddress.ip_network(n, strict=False) for n in networks if n
        )
    return False


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format for the allowed; 404 for everybody else."""
    if not _allowed(request):
        raise Http404
    import os

    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
    )

    _request_metrics()
    registry: Any = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # gunicorn's workers each count in files; one scrape adds them up.
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    scrape = CollectorRegistry()
    scrape.register(ServiceCollector())
    body = generate_latest(registry) + generate_latest(scrape)
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
