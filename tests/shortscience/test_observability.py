"""Request ids in logs and tasks, JSON logs, the metrics endpoint, Sentry on demand."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from shortscience import observability
from shortscience.celery import REQUEST_ID_TASK_HEADER, _send_the_request_id, app
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_response_names_its_request(client):
    first = client.get("/ping")["X-Request-ID"]
    second = client.get("/ping")["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_when_sane(client):
    kept = client.get("/ping", HTTP_X_REQUEST_ID="edge-0a1b2c3d4e")
    assert kept["X-Request-ID"] == "edge-0a1b2c3d4e"
    replaced = client.get("/ping", HTTP_X_REQUEST_ID="<script>bad</script>")
    assert replaced["X-Request-ID"] != "<script>bad</script>"
    assert len(replaced["X-Request-ID"]) == 32


def test_log_lines_are_json_with_the_request_id():
    record = logging.LogRecord(
        "papers", logging.WARNING, __file__, 1, "slow %s", ("x",), None
    )
    token = observability.request_id_set("req-1234abcd")
    try:
        observability.RequestIdFilter().filter(record)
    finally:
        observability.request_id_reset(token)
    line = json.loads(observability.JsonFormatter().format(record))
    assert line["request_id"] == "req-1234abcd"
    assert line["message"] == "slow x"
    assert line["level"] == "WARNING"
    assert line["logger"] == "papers"
    assert line["time"].endswith("Z")


def test_a_queued_task_carries_the_request_id_in_its_headers():
    headers: dict = {}
    token = observability.request_id_set("req-5678efgh")
    try:
        _send_the_request_id(headers=headers)
    finally:
        observability.request_id_reset(token)
    assert headers == {REQUEST_ID_TASK_HEADER: "req-5678efgh"}
    outside: dict = {}
    _send_the_request_id(headers=outside)
    assert outside == {}


SEEN: list[str] = []


@app.task(name="tests.observability.remember_request_id")
def remember_request_id() -> None:
    SEEN.append(observability.current_request_id())


@pytest.mark.worker
def test_the_worker_logs_under_the_request_id_that_queued_the_task(redis_worker):
    SEEN.clear()
    token = observability.request_id_set("req-worker-42")
    try:
        remember_request_id.apply_async()
    finally:
        observability.request_id_reset(token)
    assert wait_for(lambda: SEEN)
    assert SEEN == ["req-worker-42"]


@pytest.mark.django_db
def test_metrics_are_closed_to_the_public(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 404
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 404


@pytest.mark.django_db
def test_metrics_count_requests_for_a_token_bearer(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    client.get("/ping")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'shortscience_http_requests_total{method="GET",status="2xx"}' in body
    assert "shortscience_http_request_duration_seconds_bucket" in body
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_metrics_open_to_an_allowed_network(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.2.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404


@pytest.fixture
def redis_url():
    url = os.environ.get("CACHE_URL", "")
    if not url.startswith("redis://"):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("CACHE_URL must point at Redis for the metrics tests")
        pytest.skip("set CACHE_URL=redis://... to count tasks and queues in Redis")
    redis.Redis.from_url(url).delete(observability.TASK_OUTCOMES_KEY)
    yield url
    redis.Redis.from_url(url).delete(observability.TASK_OUTCOMES_KEY)


@pytest.mark.django_db
def test_metrics_show_task_outcomes_queue_lengths_and_cache_hits(
    client, settings, redis_url
):
    settings.METRICS_TOKEN = "s3cret-token"
    settings.CELERY_BROKER_URL = redis_url
    observability.task_outcome_record(
        task_name="papers.tasks.run_import", outcome="success"
    )
    observability.task_outcome_record(
        task_name="papers.tasks.run_import", outcome="success"
    )
    observability.task_outcome_record(
        task_name="papers.tasks.run_import", outcome="failure"
    )
    body = client.get(
        "/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token"
    ).content.decode()
    assert (
        'shortscience_tasks_total{outcome="success",task="papers.tasks.run_import"} 2.0'
        in body
    )
    assert (
        'shortscience_tasks_total{outcome="failure",task="papers.tasks.run_import"} 1.0'
        in body
    )
    for queue in ("celery", "imports", "rendering", "mail"):
        assert f'shortscience_queue_length{{queue="{queue}"}}' in body
    assert 'shortscience_cache_lookups_total{result="hit"}' in body


def sentry_active(**env) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    environ.update(env)
    code = (
        "import django, sentry_sdk; django.setup(); "
        "print(sentry_sdk.get_client().is_active())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environ, "DJANGO_SETTINGS_MODULE": "shortscience.settings.dev"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sentry_reports_only_when_a_dsn_is_set():
    assert sentry_active() == "False"
    # A loopback address: nothing is sent while the settings load.
    assert sentry_active(SENTRY_DSN="http://key@127.0.0.1:9/1") == "True"
