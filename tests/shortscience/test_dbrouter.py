"""The database router against a second Postgres server standing in for a replica.

A throwaway cluster (initdb + pg_ctl in a temporary folder, on a free loopback port) is
started for this module. A row that only the "replica" holds shows where a read went.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from glob import glob
from pathlib import Path

import pytest
from django.contrib.sites.models import Site
from django.db import connections
from django.test import RequestFactory

from shortscience import dbrouter

ALIAS = "replica1"
DOWN = "replica_down"


def _bin(name: str) -> str | None:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    return found[-1] if found and found[-1] else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@pytest.fixture(scope="module")
def second_postgres():
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not (initdb and pg_ctl):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("initdb and pg_ctl are needed for the replica router tests")
        pytest.skip("initdb/pg_ctl not found (install postgresql) for a second server")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the primary must be Postgres (DATABASE_URL) for the router tests")
    folder = Path(tempfile.mkdtemp(prefix="shortscience-replica-"))
    data, port = folder / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres(
            [
                pg_ctl,
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield port
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def replica_alias(second_postgres, django_db_setup, django_db_blocker):
    # After the test databases exist: this one is used as it is, never created.
    primary = connections.databases["default"]
    connections.databases[ALIAS] = {
        **primary,
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(second_postgres),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 2},
        "TEST": {**primary["TEST"], "MIRROR": None},
    }
    # A replica that is down: nothing listens on its port.
    connections.databases[DOWN] = {
        **connections.databases[ALIAS],
        "PORT": str(_free_port()),
    }
    with django_db_blocker.unblock():
        with connections[ALIAS].schema_editor() as editor:
            editor.create_model(Site)
        Site.objects.using(ALIAS).create(domain="replica.example", name="only here")
    yield ALIAS
    with django_db_blocker.unblock():
        connections[ALIAS].close()
        connections[DOWN].close()
    del connections.databases[ALIAS], connections.databases[DOWN]


@pytest.fixture
def replicas(settings, replica_alias):
    settings.DATABASE_REPLICAS = [replica_alias]
    settings.REPLICA_MAX_LAG_SECONDS = 5.0
    settings.REPLICA_CHECK_SECONDS = 0.0
    settings.READ_YOUR_WRITES_SECONDS = 15
    dbrouter._health.clear()
    yield replica_alias
    dbrouter._health.clear()


def read_site(method: str = "GET", cookies: dict | None = None):
    """Run a request through ReplicaMiddleware; its view reports what it read."""
    seen: dict = {}

    def view(request):
        from django.http import HttpResponse

        seen["replica_row"] = Site.objects.filter(domain="replica.example").exists()
        seen["alias"] = Site.objects.all().db
        return HttpResponse("ok")

    request = getattr(RequestFactory(), method.lower())("/")
    request.COOKIES.update(cookies or {})
    response = dbrouter.ReplicaMiddleware(view)(request)
    return seen, response


pytestmark = pytest.mark.django_db(databases=["default", ALIAS])


@pytest.fixture
def down_replica_reachable(monkeypatch):
    """Let the router try the down replica (the test case wraps only reachable ones)."""
    from django.test.testcases import _DatabaseFailure

    connection = connections[DOWN]
    for name in ("connect", "temporary_connection", "cursor", "chunked_cursor"):
        method = getattr(connection, name)
        if isinstance(method, _DatabaseFailure):
            monkeypatch.setattr(connection, name, method.wrapped)
    # A connection whose alias is not configured counts as made on the fly, which the
    # test case allows; the handler keeps handing out the one made here.
    monkeypatch.delitem(connections.databases, DOWN)
    return DOWN


def test_safe_reads_go_to_the_replica(replicas):
    seen, _ = read_site()
    assert seen == {"replica_row": True, "alias": ALIAS}


def test_writes_and_their_reads_use_the_primary(replicas):
    seen, response = read_site("POST")
    assert seen == {"replica_row": False, "alias": "default"}
    pin = response.cookies[dbrouter.PIN_COOKIE]
    assert pin["max-age"] == 15


def test_after_a_write_the_writer_reads_from_the_primary(replicas):
    _, response = read_site("POST")
    cookie = {dbrouter.PIN_COOKIE: response.cookies[dbrouter.PIN_COOKIE].value}
    seen, _ = read_site(cookies=cookie)
    assert seen == {"replica_row": False, "alias": "default"}


def test_reads_outside_requests_use_the_primary(replicas):
    # Tasks and commands: a task queued after a write must find the row.
    assert not Site.objects.filter(domain="replica.example").exists()
    assert dbrouter.PrimaryReplicaRouter().db_for_write(Site) == "default"


def test_a_lagging_replica_is_left_out(replicas, settings):
    settings.REPLICA_MAX_LAG_SECONDS = -1  # every replica is "too far behind"
    seen, _ = read_site()
    assert seen == {"replica_row": False, "alias": "default"}


def test_a_replica_that_is_down_is_left_out_without_an_error(
    replicas, settings, down_replica_reachable
):
    settings.DATABASE_REPLICAS = [DOWN, ALIAS]
    for _ in range(5):
        seen, response = read_site()
        assert response.status_code == 200
        assert seen == {"replica_row": True, "alias": ALIAS}
    assert dbrouter._health[DOWN][0] is False
    settings.DATABASE_REPLICAS = [DOWN]
    seen, response = read_site()
    assert response.status_code == 200
    assert seen == {"replica_row": False, "alias": "default"}


def test_a_replica_failing_mid_request_is_answered_from_the_primary(replicas):
    calls: list[str] = []

    def view(request):
        from django.db import OperationalError
        from django.http import HttpResponse

        alias = Site.objects.all().db
        calls.append(alias)
        if alias == ALIAS:
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse(alias)

    request = RequestFactory().get("/")
    request.resolver_match = type(
        "Match", (), {"func": staticmethod(view), "args": (), "kwargs": {}}
    )()
    middleware = dbrouter.ReplicaMiddleware(view)
    token, used = dbrouter._replica_reads.set(True), dbrouter._used.set("")
    try:
        try:
            view(request)
        except Exception as exc:
            response = middleware.process_exception(request, exc)
    finally:
        dbrouter._replica_reads.reset(token)
        dbrouter._used.reset(used)
    assert calls == [ALIAS, "default"]
    assert response.content == b"default"
    assert dbrouter._health[ALIAS][0] is False


def test_the_lag_of_a_server_not_in_recovery_is_zero(replicas):
    assert dbrouter.replica_lag_seconds(ALIAS) == 0.0


def test_a_replica_failing_in_a_middleware_is_answered_from_the_primary(
    replicas, settings
):
    # The replica's server drops this connection after the health check, as a replica
    # stopped mid-run (or pgbouncer giving up on it) does; the first read of the request
    # is a middleware's (loading the session or the user), before any view runs.
    import time

    import psycopg2
    from django.core.handlers.exception import convert_exception_to_response
    from django.http import HttpResponse

    settings.REPLICA_CHECK_SECONDS = 60.0
    replica = connections[ALIAS]
    replica.ensure_connection()
    backend = replica.connection.get_backend_pid()
    admin = psycopg2.connect(
        host="127.0.0.1", port=replica.settings_dict["PORT"], user="postgres",
        dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    admin.close()
    dbrouter._health[ALIAS] = (True, time.monotonic())

    def middleware(request):
        seen = Site.objects.filter(domain="replica.example").exists()
        return HttpResponse(f"{Site.objects.all().db} {seen}")

    try:
        response = dbrouter.ReplicaMiddleware(
            convert_exception_to_response(middleware)
        )(RequestFactory().get("/"))
    finally:
        replica.close()
    assert response.status_code == 200
    assert response.content == b"default False"
    assert dbrouter._health[ALIAS][0] is False


@pytest.fixture
def content_position():
    from django.core.cache import cache

    dbrouter._replayed.clear()
    yield cache
    cache.delete(dbrouter.POSITION_KEY)
    dbrouter._replayed.clear()


def test_a_replica_behind_the_last_content_change_is_not_read(
    replicas, content_position
):
    # The stand-in replica is far behind a position this large, as a lagging replica is
    # behind a change the cache versions already announce: its page would be stale.
    content_position.set(dbrouter.POSITION_KEY, 2**62)
    seen, response = read_site()
    assert seen == {"replica_row": False, "alias": "default"}
    assert response.status_code == 200
    content_position.set(dbrouter.POSITION_KEY, 0)
    seen, _ = read_site()
    assert seen == {"replica_row": True, "alias": ALIAS}


def test_a_committed_content_change_records_the_primarys_position(
    replicas, content_position, django_capture_on_commit_callbacks
):
    from django.db import connection

    from shortscience.cache import cache_touch

    with django_capture_on_commit_callbacks(execute=True):
        cache_touch("paper", 1)
    noted = content_position.get(dbrouter.POSITION_KEY)
    with connection.cursor() as cursor:
        cursor.execute(dbrouter.POSITION_SQL)
        now = int(cursor.fetchone()[0])
    assert 0 < noted <= now
    content_position.set(dbrouter.POSITION_KEY, 2**62)
    with django_capture_on_commit_callbacks(execute=True):
        cache_touch("paper", 1)
    assert content_position.get(dbrouter.POSITION_KEY) == 2**62  # never moves back


def test_search_reads_the_replica_within_a_read_only_request(replicas):
    # A search index row that only the replica holds shows where the search read. The
    # table stays until the throwaway server goes: dropping it would wait for this test's
    # own open transaction.
    import psycopg2

    from discovery.fulltext import Filters, PostgresEngine
    from discovery.query import parse

    admin = psycopg2.connect(
        host="127.0.0.1", port=connections[ALIAS].settings_dict["PORT"],
        user="postgres", dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS discovery_paperindex (paper_id bigint PRIMARY"
            " KEY, boost float8 NOT NULL, document tsvector NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO discovery_paperindex VALUES"
            " (424242, 1, to_tsvector('english', 'replicaonlyword')) ON CONFLICT DO NOTHING"
        )
    admin.close()
    query, engine = parse("replicaonlyword"), PostgresEngine()
    token, used = dbrouter._replica_reads.set(True), dbrouter._used.set("")
    try:
        on_replica = engine.rank(query, Filters(), None, 10)
    finally:
        dbrouter._replica_reads.reset(token)
        dbrouter._used.reset(used)
    assert [pk for pk, _ in on_replica] == [424242]
    assert engine.rank(query, Filters(), None, 10) == []  # outside a request: primary
