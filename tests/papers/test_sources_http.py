import socket
import time
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from papers.sources.http import (
    ConfigurationError,
    HttpClient,
    NotFound,
    PermanentSourceError,
    TransientSourceError,
    parse_retry_after,
    raise_for_status,
)

NOW = datetime(2025, 6, 2, 8, 0, 0, tzinfo=UTC)


@pytest.fixture
def threaded_httpserver():
    # The shared `httpserver` answers one request at a time, so a handler that stalls
    # past the client timeout would also stall the retry behind it.
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def make_client(sleeps, **kwargs):
    options = {
        "service": "Example",
        "user_agent": "shortscience-tests/1.0",
        "timeout": 2.0,
        "sleep": sleeps.append,
    }
    options.update(kwargs)
    return HttpClient(**options)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Mon, 02 Jun 2025 08:00:30 GMT", 30.0),
        ("Mon, 02 Jun 2025 07:59:00 GMT", 0.0),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header, now=NOW) == expected


def test_sends_the_user_agent(httpserver):
    httpserver.expect_request(
        "/thing", headers={"User-Agent": "shortscience-tests/1.0"}
    ).respond_with_data("ok")

    response = make_client([]).get(httpserver.url_for("/thing"))

    assert response.text == "ok"


def test_retries_a_500_with_exponential_backoff(httpserver):
    httpserver.expect_ordered_request("/thing").respond_with_data("down", status=500)
    httpserver.expect_ordered_request("/thing").respond_with_data("down", status=502)
    httpserver.expect_ordered_request("/thing").respond_with_data("ok")
    sleeps = []

    response = make_client(sleeps, backoff=0.5).get(httpserver.url_for("/thing"))

    assert response.text == "ok"
    assert sleeps == [0.5, 1.0]


def test_honours_retry_after_on_503(httpserver):
    httpserver.expect_ordered_request("/thing").respond_with_data(
        "busy", status=503, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request("/thing").respond_with_data("ok")
    sleeps = []

    response = make_client(sleeps).get(httpserver.url_for("/thing"))

    assert response.text == "ok"
    assert sleeps == [7.0]


def test_gives_up_after_max_attempts_with_a_transient_error(httpserver):
    httpserver.expect_request("/thing").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "2"}
    )
    sleeps = []

    with pytest.raises(TransientSourceError) as excinfo:
        make_client(sleeps, max_attempts=3).get(httpserver.url_for("/thing"))

    assert sleeps == [2.0, 2.0]
    assert excinfo.value.status == 429
    assert excinfo.value.retry_after == 2.0
    assert len(httpserver.log) == 3


def test_does_not_sleep_past_the_budget(httpserver):
    httpserver.expect_request("/thing").respond_with_data(
        "busy", status=503, headers={"Retry-After": "3600"}
    )
    sleeps = []

    with pytest.raises(TransientSourceError) as excinfo:
        make_client(sleeps, max_total_sleep=30.0).get(httpserver.url_for("/thing"))

    assert sleeps == []
    assert excinfo.value.retry_after == 3600.0
    assert len(httpserver.log) == 1


def test_returns_4xx_without_retrying(httpserver):
    httpserver.expect_request("/thing").respond_with_data("no", status=400)
    sleeps = []

    response = make_client(sleeps).get(httpserver.url_for("/thing"))

    assert response.status_code == 400
    assert sleeps == []


def test_retries_a_timeout_then_succeeds(threaded_httpserver):
    def stall(request):
        time.sleep(0.6)
        return Response("late")

    threaded_httpserver.expect_ordered_request("/thing").respond_with_handler(stall)
    threaded_httpserver.expect_ordered_request("/thing").respond_with_data("ok")
    sleeps = []

    client = make_client(sleeps, timeout=0.2)
    response = client.get(threaded_httpserver.url_for("/thing"))

    assert response.text == "ok"
    assert sleeps == [1.0]


def test_timeouts_exhaust_into_a_transient_error(threaded_httpserver):
    def stall(request):
        time.sleep(0.6)
        return Response("late")

    threaded_httpserver.expect_request("/thing").respond_with_handler(stall)
    sleeps = []

    with pytest.raises(TransientSourceError, match="Timeout"):
        make_client(sleeps, timeout=0.2, max_attempts=2).get(
            threaded_httpserver.url_for("/thing")
        )

    assert sleeps == [1.0]


def test_connection_refused_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = []

    with pytest.raises(TransientSourceError, match="ConnectionError"):
        make_client(sleeps).get(f"http://127.0.0.1:{port}/closed")

    assert sleeps == [1.0, 2.0, 4.0]


def test_an_unusable_url_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        make_client([]).get("not-a-url")


def test_throttle_runs_before_every_attempt(httpserver):
    httpserver.expect_ordered_request("/thing").respond_with_data("down", status=500)
    httpserver.expect_ordered_request("/thing").respond_with_data("ok")
    throttled = []

    make_client([], throttle=lambda: throttled.append(1)).get(
        httpserver.url_for("/thing")
    )

    assert len(throttled) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, NotFound),
        (410, NotFound),
        (400, PermanentSourceError),
        (422, PermanentSourceError),
        (500, TransientSourceError),
    ],
)
def test_raise_for_status_maps_statuses(httpserver, status, error):
    httpserver.expect_request("/thing").respond_with_data("body", status=status)
    response = make_client([], max_attempts=1).session.get(httpserver.url_for("/thing"))

    with pytest.raises(error):
        raise_for_status(response, service="Example", what="thing 1")
