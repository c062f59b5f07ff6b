"""Plumbing shared by benchmarks/load.py and the fault scripts.

- the local services: is Postgres/Redis up, stop and start them (always started again);
- a throwaway database and the environment of the production settings pointing at it;
- gunicorn and Celery workers as subprocesses, each in its own process group, stopped by id;
- a small HTTP/1.1 client (blocking and asyncio) that talks to 127.0.0.1 only.

Every loop here is bounded by a deadline.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "load-and-fault-scripts-only-not-a-secret"  # noqa: S105 (throwaway)
HOST = "127.0.0.1"
PG_URL = f"postgres://postgres@{HOST}:5432"
REDIS_PORT = 6379
REDIS_START = [
    "redis-server",
    "--daemonize", "yes",
    "--bind", "127.0.0.1", "-::1",
    "--port", str(REDIS_PORT),
    "--save", "",
    "--appendonly", "no",
    "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_until(
    predicate: Callable[[], bool], timeout: float, interval: float = 0.2
) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


# Services -------------------------------------------------------------------------------


def postgres_up() -> bool:
    result = subprocess.run(
        ["pg_isready", "-h", HOST, "-p", "5432", "-q"], check=False, timeout=10
    )
    return result.returncode == 0


def redis_up() -> bool:
    try:
        with socket.create_connection((HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def missing_services() -> list[str]:
    return [
        name
        for name, up in (
            ("Postgres on 127.0.0.1:5432", postgres_up),
            ("Redis on 127.0.0.1:6379", redis_up),
        )
        if not up()
    ]


def require_services() -> None:
    """Exit unless Postgres and Redis answer; make SIGTERM run the clean-up blocks."""
    missing = missing_services()
    if missing:
        sys.exit(f"needs {' and '.join(missing)}; start them first (see .ci/run)")

    def terminate(signum, frame):
        # Python's default for SIGTERM skips `finally`; a stopped service must come back.
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, terminate)


def _pg_cluster() -> list[str]:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def start_redis() -> None:
    if not redis_up():
        subprocess.run(REDIS_START, check=False, timeout=30)
    if not wait_until(redis_up, 30):
        raise RuntimeError("Redis did not come back within 30 s")


def stop_redis() -> None:
    subprocess.run(
        ["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"],
        check=False,
        timeout=30,
        capture_output=True,
    )
    if not wait_until(lambda: not redis_up(), 15):
        raise RuntimeError("Redis did not stop")


@contextmanager
def redis_stopped() -> Iterator[None]:
    """Stop Redis for the duration of the block; it is always started again."""
    try:
        stop_redis()
        yield
    finally:
        start_redis()


def restart_postgres() -> float:
    """Restart Postgres (fast shutdown: sessions are cut); return the seconds it took."""
    start = time.monotonic()
    try:
        subprocess.run(
            [*_pg_cluster(), "restart"],  # fast shutdown mode: open sessions are cut
            check=False,
            timeout=120,
            capture_output=True,
        )
    finally:
        ensure_postgres()
    return time.monotonic() - start


def ensure_postgres() -> None:
    if not postgres_up():
        subprocess.run(
            [*_pg_cluster(), "start"], check=False, timeout=120, capture_output=True
        )
    if not wait_until(postgres_up, 60, 0.5):
        raise RuntimeError("Postgres did not come back within 60 s")


# Django in this process, on a throwaway database ---------------------------------------


def server_env(
    db_name: str,
    *,
    redis_db: int,
    static_root: Path | None = None,
    mail_dir: Path | None = None,
    **extra: str,
) -> dict[str, str]:
    """Return the environment of the production settings on these services."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="shortscience.settings.prod",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_DEBUG="false",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ALLOWED_HOSTS=HOST,
        SITE_URL=f"http://{HOST}:8000",
        DATABASE_URL=f"{PG_URL}/{db_name}",
        CELERY_BROKER_URL=f"redis://{HOST}:{REDIS_PORT}/{redis_db}",
        CACHE_URL=f"redis://{HOST}:{REDIS_PORT}/{redis_db + 1}",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # One client drives every page here: the per-client read limits would answer 429.
        READ_RATE_LIMIT_SEARCH="100000/m",
        READ_RATE_LIMIT_FEEDS="100000/m",
        READ_RATE_LIMIT_LISTS="100000/m",
        READ_RATE_LIMIT_QUERIES="100000/m",
    )
    if static_root is not None:
        env["STATIC_ROOT"] = str(static_root)
    if mail_dir is not None:
        env["EMAIL_URL"] = f"filemail:///{mail_dir}"  # four slashes: an absolute path
    env.update(extra)
    return env


def django_setup(env: dict[str, str]) -> None:
    """Configure Django in this process with `env` (the servers' own settings)."""
    for key in ("DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DJANGO_DEBUG",
                "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL",
                "CELERY_BROKER_URL", "CACHE_URL", "EMAIL_URL", "STATIC_ROOT",
                "ARXIV_API_URL", "ARXIV_MIN_INTERVAL", "CELERY_VISIBILITY_TIMEOUT",
                "IMPORT_RETRY_BASE_SECONDS", "HTTP_TIMEOUT"):  # fmt: skip
        if key in env:
            os.environ[key] = env[key]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def throwaway_database(name: str) -> Iterator[str]:
    """Create and migrate database `name` for this run; drop it afterwards."""
    from django.db import connection, connections

    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    old_name = connection.settings_dict["NAME"]
    created = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False
    )
    try:
        yield created
    finally:
        connections.close_all()
        ensure_postgres()
        with connection._nodb_cursor() as cursor:
            # Only our own subprocesses can still be connected to this run's database.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [created],
            )
        connection.creation.destroy_test_db(old_name, verbosity=0)


def collect_static(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )


def flush_redis_db(db: int) -> None:
    import redis

    redis.Redis(host=HOST, port=REDIS_PORT, db=db).flushdb()


def queue_length(db: int, queue: str = "celery") -> int:
    import redis

    return redis.Redis(host=HOST, port=REDIS_PORT, db=db, socket_timeout=2).llen(queue)


def signed_in_session(user) -> str:
    """Create a session signed in as `user` on the server side; return its key."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def signed_in_users(count: int, *, prefix: str, password: str = "x") -> list:  # noqa: S107
    """Create `count` month-old accounts with confirmed addresses, each signed in.

    Return (user, Browser holding its session cookie) pairs. The password is hashed once
    and shared: hashing is what makes creating many accounts slow.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from users.models import User

    hashed = make_password(password)
    joined = timezone.now() - timezone.timedelta(days=30)
    users = User.objects.bulk_create(
        User(
            username=f"{prefix}{i}",
            email=f"{prefix}{i}@example.org",
            password=hashed,
            date_joined=joined,
        )
        for i in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    return [(u, Browser(cookies={"sessionid": signed_in_session(u)})) for u in users]


# Subprocesses ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Service:
    """A subprocess in its own process group, logging to a file; stopped by its group id."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def _signal_group(self, sig: int) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole group at once: no clean-up, no acknowledgements."""
        self._signal_group(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(timeout=30)
        else:
            self._signal_group(signal.SIGKILL)  # leftover children of a dead leader
        self._log.close()


def start_gunicorn(
    env: dict[str, str],
    log_dir: Path,
    *,
    workers: int,
    threads: int = 1,
    name: str = "gunicorn",
) -> tuple[Service, str]:
    port = free_port()
    cmd = [
        str(BIN / "gunicorn"),
        "shortscience.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--backlog", "2048",
        "--timeout", "30",
        "--graceful-timeout", "5",
    ]  # fmt: skip
    if threads > 1:
        cmd += ["--threads", str(threads)]
    service = Service(name, cmd, env, log_dir)
    base = f"http://{HOST}:{port}"

    def answers() -> bool:
        if not service.alive():
            raise RuntimeError(f"gunicorn exited:\n{service.tail()}")
        try:
            return request("GET", base, "/ping", timeout=2).status == 200
        except OSError:
            return False

    if not wait_until(answers, 60, 0.3):
        service.stop()
        raise RuntimeError(
            f"gunicorn did not answer /ping within 60 s:\n{service.tail()}"
        )
    return service, base


def start_worker(
    env: dict[str, str],
    log_dir: Path,
    name: str,
    *,
    concurrency: int = 2,
    queues: str = "",
) -> Service:
    """Start a Celery worker; `queues` (comma-separated) limits it to those queues."""
    cmd = [
        str(BIN / "celery"), "-A", "shortscience", "worker",
        "-n", f"{name}@%h",
        "--concurrency", str(concurrency),
        "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    if queues:
        cmd += ["-Q", queues]
    service = Service(name, cmd, env, log_dir)

    def ready() -> bool:
        if not service.alive():
            raise RuntimeError(f"worker {name} exited:\n{service.tail()}")
        return " ready." in service.log_text()

    if not wait_until(ready, 60, 0.3):
        service.stop()
        raise RuntimeError(f"worker {name} not ready within 60 s:\n{service.tail()}")
    return service


@contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=f"shortscience-{prefix}-") as path:
        yield Path(path)


# HTTP client ----------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes
    elapsed: float

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def cookies(self) -> dict[str, str]:
        found = {}
        for value in self.headers.get("set-cookie", []):
            pair = value.split(";", 1)[0]
            name, _, cookie = pair.partition("=")
            found[name.strip()] = cookie.strip().strip('"')
        return found

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """One visitor's cookies and CSRF token."""

    cookies: dict[str, str] = field(default_factory=dict)
    # The masked token of the last form seen; the cookie's value works as well.
    form_token: str = ""

    def remember(self, response: Response) -> None:
        self.cookies.update(response.cookies)

    def remember_form(self, response: Response) -> None:
        self.remember(response)
        match = CSRF_INPUT.search(response.body)
        if match:
            self.form_token = match.group(1).decode()

    @property
    def csrf_token(self) -> str:
        return self.form_token or self.cookies.get("csrftoken", "")


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _encode(method, base, path, headers, form, cookies) -> bytes:
    host = base.split("://", 1)[1]
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}",
        "Connection: close",
        "User-Agent: shortscience-load",
    ]
    body = b""
    if form is not None:
        body = urlencode(form).encode()
        lines += [
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
        ]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _decode(raw: bytes, elapsed: float) -> Response:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ConnectionError(f"incomplete response ({len(raw)} bytes)")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers.setdefault(key.strip().lower(), []).append(value.strip())
    if "chunked" in (headers.get("transfer-encoding") or [""])[0]:
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2 :]
        body = out
    return Response(status, headers, body, elapsed)


def _target(base: str) -> tuple[str, int]:
    host, _, port = base.split("://", 1)[1].partition(":")
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        raise ValueError("the load and fault scripts talk to this machine only")
    return host, int(port or 80)


def request(
    method: str,
    base: str,
    path: str,
    *,
    form: dict | None = None,
    cookies: dict | None = None,
    headers: dict | None = None,
    timeout: float = 10,
) -> Response:
    """Send one request on a new connection and read the whole answer (blocking)."""
    start = time.perf_counter()
    with socket.create_connection(_target(base), timeout=timeout) as sock:
        sock.sendall(_encode(method, base, path, headers, form, cookies))
        chunks = []
        while True:
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"no complete answer within {timeout} s")
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return _decode(b"".join(chunks), time.perf_counter() - start)


async def arequest(
    method: str,
    base: str,
    path: str,
    *,
    form: dict | None = None,
    cookies: dict | None = None,
    headers: dict | None = None,
    timeout: float = 30,
) -> Response:
    """Send one request on a new connection and read the whole answer (asyncio)."""
    start = time.perf_counter()

    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection(*_target(base))
        try:
            writer.write(_encode(method, base, path, headers, form, cookies))
            return await reader.read(-1)
        finally:
            writer.close()

    raw = await asyncio.wait_for(exchange(), timeout)
    return _decode(raw, time.perf_counter() - start)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# Mail written by the file backend ---------------------------------------------------------


def read_mails(mail_dir: Path) -> list[email.message.EmailMessage]:
    """Return every message Django's file backend wrote into `mail_dir`."""
    messages = []
    separator = b"\n" + b"-" * 79 + b"\n"
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(separator):
            if chunk.strip():
                messages.append(
                    email.message_from_bytes(chunk, policy=email.policy.default)
                )
    return messages


def mail_text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""
