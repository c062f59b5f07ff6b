"""Rehearse the scale-out shape on one machine, from Debian's packages and this project.

    .venv/bin/python benchmarks/scaleout.py [--papers 3000] [--users 16] [--duration 40]

Everything listens on 127.0.0.1 only, on free ports, in a temporary folder that is removed
at the end (also on failure or Ctrl-C); the machine's own Postgres and Redis are not used:

    client (this script, asyncio)
        |
      nginx  (proxy_cache by the app's Cache-Control / ETag; deploy/nginx.conf)
       /   \\
    web-1  web-2   (gunicorn, shortscience.settings.prod)     redis-server (cache, broker)
       \\   /                                                  |
      pgbouncer (transaction pooling; deploy/pgbouncer.ini)  workers: celery, imports,
       /        \\                                                      rendering, mail, images
    primary --streaming--> replica (pg_basebackup -R)

1. a Postgres cluster of its own (initdb; `runuser -u postgres` when run as root), the
   schema migrated and `--papers` papers loaded (benchmarks/dataset.py), and a streaming
   replica of it on another port made by `pg_basebackup -R`;
2. pgbouncer in transaction mode in front of both, two gunicorn nodes on the production
   settings reading through it (DATABASE_URL to the primary, DATABASE_REPLICA_URLS to the
   replica, DATABASE_PGBOUNCER=true), nginx in front of them with the proxy cache of
   deploy/nginx.conf, a private redis-server, and one Celery worker per queue;
3. a mixed load of `--users` clients for `--duration` seconds through nginx: anonymous
   reads of a small hot set (some conditional, with the ETag they were given), signed-in
   reads, and signed-in votes, comments and summary saves, each comment and save read back
   at once by its writer; halfway through, the replica is stopped;
4. the replica started again and its replay paused while four comments are posted, each
   opened at once by an anonymous reader on both nodes, and again once it caught up;
5. checks, each printed with what was counted: reads served by the replica (statements on
   each server, pg_stat_statements, and pgbouncer's counts per database), writers seeing
   their own writes, 0 errors across the replica's stop, nginx's cache hits and 304s (its
   access log's $upstream_cache_status), fresh pages while the replica lags (none kept
   stale in the cache), and nothing lost (every acknowledged write in the
   primary, rendered, each notification mailed once, every queue drained).

Exits non-zero when a check fails. Needs Debian's postgresql-15 (and postgresql-client-15),
pgbouncer, nginx and redis-server packages; it names the one that is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faults.harness import (  # noqa: E402
    HOST,
    ROOT,
    SECRET_KEY,
    Service,
    collect_static,
    django_setup,
    free_port,
    log,
    request,
    signed_in_users,
    start_gunicorn,
    start_worker,
    wait_until,
    workdir,
)
from load import (  # noqa: E402
    Account,
    Ledger,
    Phase,
    caught_up,
    fetch_csrf,
    make_accounts,
    per_kind,
    report,
    run_phase,
    verify,
)
from load import call as load_call  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# program -> the Debian package that installs it
PROGRAMS = {
    PG_BIN / "initdb": "postgresql-15",
    PG_BIN / "pg_ctl": "postgresql-15",
    PG_BIN / "postgres": "postgresql-15",
    PG_BIN / "pg_basebackup": "postgresql-client-15",
    Path("/usr/share/postgresql/15/extension/pg_stat_statements.control"): (
        "postgresql-15"
    ),
    Path("/usr/sbin/pgbouncer"): "pgbouncer",
    Path("/usr/sbin/nginx"): "nginx",
    Path("/usr/bin/redis-server"): "redis-server",
}
DB = "shortscience"
WRITERS_PER_USER = 4  # spreads each client's writes under the per-user rate limits
HOT_PAPERS = 40
LAG_COMMENTS = 4
REPLICA_CHECK_SECONDS = 2
CACHE_FIELD = "cache="  # in the access-log format below


def require_packages() -> None:
    missing = sorted({pkg for path, pkg in PROGRAMS.items() if not path.exists()})
    if missing:
        sys.exit(
            f"missing Debian package(s): {', '.join(missing)} "
            f"(apt-get install {' '.join(missing)})"
        )


def as_postgres(cmd: list[str]) -> list[str]:
    """Postgres and pgbouncer refuse to run as root: run them as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")
    return result


# Postgres ---------------------------------------------------------------------------------


class Cluster:
    """A Postgres cluster in a folder of its own, run by pg_ctl on a loopback port."""

    def __init__(self, name: str, folder: Path, port: int):
        self.name, self.data, self.port = name, folder / name, port
        self.log, self.sockets = folder / f"{name}.log", folder
        self.running = False

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses={HOST}"
        run(
            as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                 "-l", str(self.log), "-w", "-t", "60", "start"]
            )
        )  # fmt: skip
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            subprocess.run(
                as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode,
                             "-w", "stop"]),
                capture_output=True, timeout=120, check=False,
            )  # fmt: skip
            self.running = False

    def url(self, db: str = DB) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{db}"

    def query(self, sql: str, params=(), db: str = DB) -> list[tuple]:
        import psycopg2

        conn = psycopg2.connect(
            host=HOST, port=self.port, user="postgres", dbname=db, connect_timeout=5
        )
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            conn.close()


PRIMARY_CONF = """
# the rehearsal's primary (the replica copies this file)
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 200
shared_buffers = 128MB
timezone = 'UTC'
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
"""


def make_primary(folder: Path) -> Cluster:
    primary = Cluster("primary", folder, free_port())
    run(
        as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(primary.data), "-U", "postgres",
             "-A", "trust", "-E", "UTF8", "--locale", "C.UTF-8"]
        )
    )  # fmt: skip
    with (primary.data / "postgresql.conf").open("a") as conf:
        conf.write(PRIMARY_CONF)
    primary.start()
    primary.query(f"CREATE DATABASE {DB}", db="postgres")
    primary.query(f"ALTER DATABASE {DB} SET timezone TO 'UTC'", db="postgres")
    primary.query("CREATE EXTENSION pg_stat_statements")
    return primary


def make_replica(folder: Path, primary: Cluster) -> Cluster:
    replica = Cluster("replica", folder, free_port())
    run(
        as_postgres(
            [str(PG_BIN / "pg_basebackup"), "-h", HOST, "-p", str(primary.port),
             "-U", "postgres", "-D", str(replica.data), "-R", "-X", "stream",
             "-c", "fast"]
        )
    )  # fmt: skip
    replica.start()
    return replica


def wait_for_replay(primary: Cluster, replica: Cluster, timeout: float = 120) -> None:
    lsn = primary.query("SELECT pg_current_wal_lsn()::text")[0][0]

    def replayed() -> bool:
        return replica.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,))[
            0
        ][0]

    if not wait_until(replayed, timeout, 0.5):
        raise RuntimeError(f"the replica did not replay up to {lsn} in {timeout} s")


READS_SQL = r"""
SELECT coalesce(sum(calls) FILTER (WHERE query ~* '^\s*select'
                                    AND query !~* 'pg_(is_in_recovery|last_|current_)'), 0),
       coalesce(sum(calls) FILTER (WHERE query ~* '^\s*(insert|update|delete)'), 0)
FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
WHERE d.datname = %s
"""


def statements(cluster: Cluster) -> tuple[int, int]:
    """(SELECTs, INSERT/UPDATE/DELETEs) the app ran on this server so far."""
    reads, writes = cluster.query(READS_SQL, (DB,))[0]
    return int(reads), int(writes)


# pgbouncer, redis, nginx ------------------------------------------------------------------


def swap(text: str, swaps: list[tuple[str, str]], source: str) -> str:
    """Apply each (pattern, replacement) once; fail loudly when the base file moved on."""
    for pattern, replacement in swaps:
        text, found = re.subn(pattern, replacement, text)
        if found != 1:
            raise RuntimeError(f"{source} no longer has {pattern!r}")
    return text


def pgbouncer_config(port: int, primary: Cluster, replica: Cluster, base: Path) -> str:
    """deploy/pgbouncer.ini with this run's servers and port (the clusters trust loopback)."""
    config = swap(
        (ROOT / "deploy" / "pgbouncer.ini").read_text(),
        [
            (r"host=db port=5432", f"host={HOST} port={primary.port}"),
            (r"host=db-replica port=5432", f"host={HOST} port={replica.port}"),
            (r"listen_addr = \S+", f"listen_addr = {HOST}"),
            (r"listen_port = \d+", f"listen_port = {port}"),
            (r"auth_type = \S+", "auth_type = trust"),
            (r"auth_file = \S+", f"auth_file = {base / 'userlist.txt'}"),
        ],
        "deploy/pgbouncer.ini",
    )
    return config + (
        f"unix_socket_dir =\nadmin_users = postgres\n"
        f"logfile = {base / 'pgbouncer.log'}\n"
    )


def start_pgbouncer(
    folder: Path, primary: Cluster, replica: Cluster
) -> tuple[Service, int]:
    port = free_port()
    base = folder / "pgbouncer"
    base.mkdir()
    (base / "userlist.txt").write_text('"postgres" ""\n')
    (base / "pgbouncer.ini").write_text(pgbouncer_config(port, primary, replica, base))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    service = Service(
        "pgbouncer",
        as_postgres(["/usr/sbin/pgbouncer", str(base / "pgbouncer.ini")]),
        os.environ.copy(),
        folder,
    )

    def answers() -> bool:
        if not service.alive():
            raise RuntimeError(f"pgbouncer exited:\n{service.tail()}")
        return bool(pgbouncer_stats(port) is not None)

    if not wait_until(answers, 30, 0.3):
        raise RuntimeError(f"pgbouncer did not answer:\n{service.tail()}")
    return service, port


def pgbouncer_stats(port: int) -> dict[str, tuple[int, int]] | None:
    """{database: (transactions, queries)} from pgbouncer's SHOW STATS."""
    import psycopg2

    try:
        conn = psycopg2.connect(
            host=HOST, port=port, user="postgres", dbname="pgbouncer", connect_timeout=2
        )
    except psycopg2.OperationalError:
        return None
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SHOW STATS")
            names = [c.name for c in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        conn.close()
    return {
        r["database"]: (int(r["total_xact_count"]), int(r["total_query_count"]))
        for r in rows
    }


def start_redis(folder: Path) -> tuple[Service, int]:
    port = free_port()
    service = Service(
        "redis",
        ["/usr/bin/redis-server", "--port", str(port), "--bind", HOST,
         "--save", "", "--appendonly", "no", "--dir", str(folder)],
        os.environ.copy(),
        folder,
    )  # fmt: skip
    import redis

    def answers() -> bool:
        if not service.alive():
            raise RuntimeError(f"redis-server exited:\n{service.tail()}")
        try:
            return bool(redis.Redis(host=HOST, port=port).ping())
        except redis.RedisError:
            return False

    if not wait_until(answers, 30, 0.2):
        raise RuntimeError(f"redis-server did not answer:\n{service.tail()}")
    return service, port


def nginx_site(port: int, upstreams: list[str], cache_dir: Path) -> str:
    """deploy/nginx.conf with this run's port, upstream nodes and cache folder."""
    servers = "".join(f"server {u};\n    " for u in upstreams).strip()
    return swap(
        (ROOT / "deploy" / "nginx.conf").read_text(),
        [
            (r"proxy_cache_path \S+", f"proxy_cache_path {cache_dir}"),
            (r"server web:8000;\s*server web-2:8000;", servers),
            (r"listen 80;", f"listen {HOST}:{port};"),
        ],
        "deploy/nginx.conf",
    )


def start_nginx(folder: Path, upstreams: list[str]) -> tuple[Service, str, Path]:
    port = free_port()
    base = folder / "nginx"
    for sub in ("cache", "temp"):
        (base / sub).mkdir(parents=True)
    (base / "site.conf").write_text(nginx_site(port, upstreams, base / "cache"))
    access_log = base / "access.log"
    temp = base / "temp"
    (base / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {base / "nginx.pid"};
error_log {base / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    log_format rehearsal '$status {CACHE_FIELD}$upstream_cache_status '
                         'node=$upstream_addr "$request"';
    access_log {access_log} rehearsal;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {base / "site.conf"};
}}
"""
    )
    if os.geteuid() == 0:
        for path in (base, *base.rglob("*")):
            shutil.chown(path, "postgres", "postgres")
    cmd = as_postgres(
        ["/usr/sbin/nginx", "-p", str(base), "-c", str(base / "nginx.conf"),
         "-e", str(base / "error.log")]
    )  # fmt: skip
    service = Service("nginx", cmd, os.environ.copy(), folder)
    url = f"http://{HOST}:{port}"

    def answers() -> bool:
        if not service.alive():
            raise RuntimeError(f"nginx exited:\n{service.tail()}\n{base / 'error.log'}")
        try:
            return request("GET", url, "/ping", timeout=2).status == 200
        except OSError:
            return False

    if not wait_until(answers, 30, 0.3):
        raise RuntimeError(f"nginx did not answer:\n{service.tail()}")
    return service, url, access_log


def nginx_counts(access_log: Path) -> tuple[Counter, Counter, Counter]:
    """(cache status, cache status of 304s, upstream node) of anonymous GETs."""
    statuses, not_modified, nodes = Counter(), Counter(), Counter()
    for line in access_log.read_text(errors="replace").splitlines():
        if '"GET ' not in line:
            continue
        status, cache, node = line.split(" ", 3)[:3]
        cache = cache.removeprefix(CACHE_FIELD) or "-"
        statuses[cache] += 1
        if status == "304":
            not_modified[cache] += 1
        node = node.removeprefix("node=")
        if node != "-":
            nodes[node] += 1
    return statuses, not_modified, nodes


# The load ---------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.own_writes = Counter()  # seen / missed
        self.nginx = Counter()  # X-Cache-Status of anonymous reads
        self.conditional = Counter()  # status of conditional anonymous reads
        self.errors_after_stop = 0
        self.requests_after_stop = 0
        self.replica_stopped_at: float | None = None
        self.commented: dict[str, set[str]] = {}  # summary page -> comment tokens


async def mix(args, data, base, writers, readers, ledger, tally, stop_replica) -> Phase:
    rng = random.Random(5)
    hot = data.summarised_paper_ids[:HOT_PAPERS]
    hot_summaries = [(p, s) for p in hot for s in data.summaries_by_paper.get(p, [])]
    pages = (
        ["/", "/?tab=recent", "/?tab=top"]
        + [f"/papers/{p}/" for p in hot]
        + [f"/venues/{slug}/{year}/" for slug, year in data.venue_years[:10]]
    )
    etags: dict[str, str] = {}
    turn = [0] * args.users
    counter = [0]

    async def call(phase: Phase, kind: str, *args, **kw):
        """load.call, counting the requests sent after the replica was stopped."""
        after_stop = tally.replica_stopped_at is not None
        response = await load_call(phase, kind, *args, **kw)
        if after_stop:
            tally.requests_after_stop += 1
            tally.errors_after_stop += response is None
        return response

    async def read_anonymously(phase: Phase) -> None:
        path = rng.choice(pages)
        headers = {"Accept-Encoding": "gzip"}
        conditional = path in etags and rng.random() < 0.3
        if conditional:
            headers["If-None-Match"] = etags[path]
        response = await call(
            phase, "anonymous", "GET", base, path, {200, 304} if conditional else {200},
            headers=headers,
        )  # fmt: skip
        if response is None:
            return
        tally.nginx[response.header("X-Cache-Status") or "-"] += 1
        if conditional:
            tally.conditional[response.status] += 1
        if response.header("ETag"):
            etags[path] = response.header("ETag")

    async def read_signed_in(i: int, phase: Phase) -> None:
        reader = readers[i % len(readers)]
        pid = rng.choice(data.summarised_paper_ids[:2000])
        await call(
            phase, "signed-in", "GET", base, f"/papers/{pid}/", {200},
            cookies=reader.browser.cookies,
        )  # fmt: skip

    async def read_back(phase: Phase, account: Account, location: str, token: str):
        path = location.split("#", 1)[0]
        response = await call(
            phase, "read-back", "GET", base, path, {200},
            cookies=account.browser.cookies,
        )  # fmt: skip
        seen = response is not None and token in response.text
        tally.own_writes["seen" if seen else "missed"] += 1

    async def write(i: int, phase: Phase, r: float) -> None:
        group = writers[i * WRITERS_PER_USER : (i + 1) * WRITERS_PER_USER]
        turn[i] += 1
        account = group[turn[i] % len(group)]
        counter[0] += 1
        token = f"load{counter[0]}x{i}"
        form = {"csrfmiddlewaretoken": account.browser.csrf_token}
        if r < 0.84:
            _, sid = rng.choice(hot_summaries)
            value = rng.choice([1, 1, -1])
            response = await call(
                phase, "vote", "POST", base, f"/summaries/{sid}/vote/", {302},
                form={**form, "value": value}, cookies=account.browser.cookies,
            )  # fmt: skip
            if response:
                account.browser.remember(response)
                ledger.votes[(account.user_id, sid)] = value
        elif r < 0.92:
            _, sid = rng.choice(hot_summaries)
            response = await call(
                phase, "comment", "POST", base, f"/summaries/{sid}/comments/", {302},
                form={**form, "body": f"Comment {token}: does $k$ matter?",
                      "parent": "", "website": ""},
                cookies=account.browser.cookies,
            )  # fmt: skip
            if response:
                account.browser.remember(response)
                ledger.comments[token] = (account.user_id, sid)
                location = response.header("Location")
                tally.commented.setdefault(location.split("#")[0], set()).add(token)
                await read_back(phase, account, location, token)
        else:
            pid = rng.choice(account.papers)
            response = await call(
                phase, "save", "POST", base, f"/papers/{pid}/write/", {302},
                form={**form, "action": "publish",
                      "body": f"Summary {token}.\n\nThe loss is $\\ell(x)$, **bold**."},
                cookies=account.browser.cookies,
            )  # fmt: skip
            if response:
                account.browser.remember(response)
                ledger.saves[(account.user_id, pid)] = token
                await read_back(phase, account, response.header("Location"), token)

    async def action(i: int, phase: Phase) -> None:
        r = rng.random()
        if r < 0.55:
            await read_anonymously(phase)
        elif r < 0.76:
            await read_signed_in(i, phase)
        else:
            await write(i, phase, r)

    async def stopper() -> None:
        await asyncio.sleep(args.duration / 2)
        await asyncio.to_thread(stop_replica)
        tally.replica_stopped_at = time.monotonic()

    phase = Phase("mix", args.users)
    await asyncio.gather(run_phase(phase, args.duration, action), stopper())
    return phase


def lag_phase(primary, replica, nodes, writers, data, ledger) -> dict:
    """The replica back, then its replay paused while writers comment.

    Right after each comment an anonymous reader opens the summary page on each node
    (the replica is only a moment behind, well within REPLICA_MAX_LAG_SECONDS); once the
    replica has caught up again, the pages are opened once more: a page rendered from the
    replica before it had the comment must not have been kept in the cache.
    """
    replica.start()
    wait_for_replay(primary, replica)
    time.sleep(REPLICA_CHECK_SECONDS + 1)  # every process looks at the replica again
    before = statements(replica)[0]
    # A fresh transaction to replay, so the replica's lag reads as about 0 s when paused.
    primary.query("CREATE TABLE rehearsal_tick AS SELECT 1 AS tick")
    wait_for_replay(primary, replica)
    replica.query("SELECT pg_wal_replay_pause()")
    hot = data.summarised_paper_ids[-LAG_COMMENTS:]
    seen, pages = Counter(), {}
    try:
        for n, pid in enumerate(hot):
            account, sid = writers[n], data.summaries_by_paper[pid][0]
            token = f"load{900000 + n}x0"
            response = request(
                "POST", nodes[0], f"/summaries/{sid}/comments/",
                form={"csrfmiddlewaretoken": account.browser.csrf_token,
                      "body": f"Comment {token}: and with the replica behind?",
                      "parent": "", "website": ""},
                cookies=account.browser.cookies, timeout=30,
            )  # fmt: skip
            if response.status != 302:
                raise RuntimeError(f"comment answered HTTP {response.status}")
            ledger.comments[token] = (account.user_id, sid)
            pages[response.header("Location").split("#")[0]] = token
            for node in nodes:
                page = request("GET", node, response.header("Location"), timeout=30)
                seen["at once" if token in page.text else "stale"] += 1
    finally:
        replica.query("SELECT pg_wal_replay_resume()")
    wait_for_replay(primary, replica)
    for path, token in pages.items():
        for node in nodes:
            page = request("GET", node, path, timeout=30)
            seen["kept stale" if token not in page.text else "later"] += 1
    return {
        "seen": seen,
        "replica reads after its restart": statements(replica)[0] - before,
    }


def stale_pages(node: str, commented: dict[str, set[str]]) -> list[str]:
    """Summary pages whose anonymous view (cached or not) lacks one of their comments."""
    stale = []
    for path, tokens in sorted(commented.items()):
        page = request("GET", node, path, timeout=30).text
        if any(token not in page for token in tokens):
            stale.append(path)
    return stale


# Main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--users", type=int, default=16, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=40, help="seconds of load")
    parser.add_argument("--web-workers", type=int, default=2, help="per gunicorn node")
    parser.add_argument("--catch-up", type=float, default=120, help="seconds allowed")
    parser.add_argument(
        "--logs", type=Path, help="copy every service's log here at the end"
    )
    args = parser.parse_args()
    require_packages()

    def terminate(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")  # runs the clean-up below

    signal.signal(signal.SIGTERM, terminate)
    with workdir("scaleout") as tmp, ExitStack() as stack:
        if os.geteuid() == 0:
            shutil.chown(tmp, "postgres", "postgres")
        if args.logs:
            stack.callback(keep_logs, tmp, args.logs)
        return rehearse(args, tmp, stack)


def keep_logs(tmp: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in tmp.rglob("*.log"):
        shutil.copy(path, target / f"{path.parent.name}-{path.name}")


def rehearse(args, tmp: Path, stack: ExitStack) -> int:
    started = time.monotonic()
    services: list[Service] = []
    log("primary: initdb, start")
    primary = make_primary(tmp)
    stack.callback(primary.stop, "immediate")
    log(f"primary on {HOST}:{primary.port}; replica: pg_basebackup -R")
    replica = make_replica(tmp, primary)
    stack.callback(replica.stop, "immediate")
    in_recovery = replica.query("SELECT pg_is_in_recovery()")[0][0]
    log(f"replica on {HOST}:{replica.port} (in recovery: {in_recovery})")
    # Last in, first out: the services stop before the clusters they use.
    stack.callback(lambda: [s.stop() for s in reversed(services)])

    redis_service, redis_port = start_redis(tmp)
    services.append(redis_service)
    bouncer, bouncer_port = start_pgbouncer(tmp, primary, replica)
    services.append(bouncer)
    mail_dir = tmp / "mail"
    mail_dir.mkdir()
    through = f"postgres://postgres@{HOST}:{bouncer_port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shortscience.settings.prod",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}",
        "DATABASE_URL": f"{through}/{DB}",
        "DATABASE_REPLICA_URLS": f"{through}/{DB}_replica",
        "DATABASE_PGBOUNCER": "true",
        "REPLICA_CHECK_SECONDS": str(REPLICA_CHECK_SECONDS),
        "CACHE_URL": f"redis://{HOST}:{redis_port}/1",
        "CELERY_BROKER_URL": f"redis://{HOST}:{redis_port}/0",
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "STATIC_ROOT": str(tmp / "static"),
        "TRUSTED_PROXY_NETWORKS": f"{HOST}/32",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # A few clients drive every page here: the per-client read limits would answer 429.
        "READ_RATE_LIMIT_SEARCH": "100000/m",
        "READ_RATE_LIMIT_FEEDS": "100000/m",
        "READ_RATE_LIMIT_LISTS": "100000/m",
        "READ_RATE_LIMIT_QUERIES": "100000/m",
    }
    # This process loads the data straight into the primary (COPY, triggers off).
    os.environ.pop("DATABASE_REPLICA_URLS", None)
    django_setup({**env, "DATABASE_URL": primary.url()})
    import dataset
    from django.conf import settings
    from django.core.management import call_command

    log("migrate")
    call_command("migrate", verbosity=0)
    log(f"loading {args.papers:,} papers into the primary")
    data = dataset.load(papers=args.papers, progress=lambda message: None)
    writers = make_accounts(
        args.users * WRITERS_PER_USER, data.summarised_paper_ids[:HOT_PAPERS]
    )
    readers = [
        Account(u.pk, u.username, browser, [])
        for u, browser in signed_in_users(args.users, prefix="reader")
    ]
    from django.db import connections

    connections.close_all()
    wait_for_replay(primary, replica)
    counts = {
        name: cluster.query("SELECT count(*) FROM papers_paper")[0][0]
        for name, cluster in (("primary", primary), ("replica", replica))
    }
    log(f"streamed: papers on the primary {counts['primary']:,}, on the replica "
        f"{counts['replica']:,}")  # fmt: skip
    collect_static(env)

    queues = [q.name for q in settings.CELERY_TASK_QUEUES]  # a worker for each
    for queue in queues:
        services.append(
            start_worker(env, tmp, f"worker-{queue}", concurrency=1, queues=queue)
        )
    nodes = []
    for n in (1, 2):
        node, node_url = start_gunicorn(
            env, tmp, workers=args.web_workers, name=f"web-{n}"
        )
        services.append(node)
        nodes.append(node_url)
    proxy, base, access_log = start_nginx(tmp, [u.split("://")[1] for u in nodes])
    services.append(proxy)
    log(f"nginx on {base} -> {', '.join(nodes)}; pgbouncer on {HOST}:{bouncer_port}; "
        f"{len(queues)} workers; ready after {time.monotonic() - started:.0f} s")  # fmt: skip

    asyncio.run(fetch_csrf(base, writers, 10))
    access_log.write_text("")  # count the mix only (nginx appends; truncating is safe)
    before = {"primary": statements(primary), "replica": statements(replica)}
    bouncer_before = pgbouncer_stats(bouncer_port) or {}
    replica_at_stop: dict[str, tuple[int, int]] = {}

    def stop_replica() -> None:
        replica_at_stop["replica"] = statements(replica)
        log("stopping the replica (pg_ctl stop -m fast)")
        replica.stop("fast")

    ledger, tally = Ledger(), Tally()
    log(f"mix: {args.users} clients for {args.duration:.0f} s through nginx")
    phase = asyncio.run(
        mix(args, data, base, writers, readers, ledger, tally, stop_replica)
    )
    after_primary = statements(primary)
    bouncer_after = pgbouncer_stats(bouncer_port) or {}
    log(f"mix done: {len(ledger.comments)} comments, {len(ledger.votes)} votes, "
        f"{len(ledger.saves)} saves acknowledged")  # fmt: skip
    log("replica started again; its replay paused while writers comment")
    lag = lag_phase(primary, replica, nodes, writers, data, ledger)
    log("waiting for the workers")

    status = [""]

    def done() -> bool:
        ok, status[0] = caught_up(ledger)
        return ok

    caught = wait_until(done, args.catch_up, 1.0)
    import redis as redis_lib

    broker = redis_lib.Redis(host=HOST, port=redis_port, db=0)
    waiting = {q: broker.llen(q) for q in queues}
    problems = (
        [] if caught else [f"not caught up in {args.catch_up:.0f} s: {status[0]}"]
    )
    problems += verify(ledger, mail_dir)
    tasks = {
        q: next(s for s in services if s.name == f"worker-{q}")
        .log_text()
        .count(" succeeded in ")
        for q in queues
    }
    statuses, not_modified, by_node = nginx_counts(access_log)
    stale = stale_pages(nodes[0], tally.commented)

    reads = {
        "primary": after_primary[0] - before["primary"][0],
        "replica": replica_at_stop["replica"][0] - before["replica"][0],
    }
    writes_primary = after_primary[1] - before["primary"][1]
    bouncer_delta = {
        db: tuple(a - b for a, b in zip(v, bouncer_before.get(db, (0, 0)), strict=True))
        for db, v in bouncer_after.items()
        if db != "pgbouncer"
    }

    print()
    print(
        f"shape: nginx -> 2 gunicorn nodes x {args.web_workers} workers -> pgbouncer "
        f"(transaction) -> primary + streaming replica; redis-server; workers "
        f"{', '.join(queues)}; {data.counts['papers']:,} papers, "
        f"{data.counts['summaries']:,} summaries; {os.cpu_count()} cores shared"
    )
    phase.cache.clear()  # the app's X-Cache, stored with nginx's copies: misleading here
    report(phase)
    per_kind(phase)
    print(f"reads (SELECT statements, pg_stat_statements): primary {reads['primary']:,}, "
          f"replica {reads['replica']:,} (until it was stopped); "
          f"writes on the primary {writes_primary:,}")  # fmt: skip
    print(
        "pgbouncer (transactions, queries) per database: "
        + ", ".join(f"{db} {v}" for db, v in sorted(bouncer_delta.items()))
    )
    print(f"read-your-writes: {tally.own_writes['seen']} of "
          f"{sum(tally.own_writes.values())} comments and saves read back at once by "
          "their writer")  # fmt: skip
    print(f"replica stopped at {args.duration / 2:.0f} s: {tally.requests_after_stop} "
          f"requests after it, {tally.errors_after_stop} errors")  # fmt: skip
    print(f"nginx, anonymous reads (X-Cache-Status): {dict(tally.nginx)}; "
          f"conditional requests: {dict(tally.conditional)}")  # fmt: skip
    print(f"nginx access log, GETs by $upstream_cache_status: {dict(statuses)}; "
          f"304s: {dict(not_modified)}; to the nodes: {dict(by_node)}")  # fmt: skip
    print(f"tasks done per queue: {tasks}; left in the queues: {waiting}")
    print(f"anonymous summary pages (from a node) missing an acknowledged comment: "
          f"{len(stale)} of {len(tally.commented)}")  # fmt: skip
    print(f"replica back, then its replay paused during {LAG_COMMENTS} comments: "
          f"anonymous summary pages on both nodes {dict(lag['seen'])}; replica reads "
          f"after its restart {lag['replica reads after its restart']:,}")  # fmt: skip
    print(f"rehearsal took {time.monotonic() - started:.0f} s")

    checks = {
        "reads served by the replica": reads["replica"] > 0,
        "writers see their own writes at once": tally.own_writes["missed"] == 0
        and tally.own_writes["seen"] > 0,
        "replica stopped mid-run costs 0 errors": tally.errors_after_stop == 0
        and tally.requests_after_stop > 0
        and not phase.errors,
        "nginx answers repeats from its cache (hits and 304s)": statuses["HIT"] > 0
        and sum(not_modified.values()) > 0,
        "pages fresh while the replica lags, none kept stale": not (
            lag["seen"]["stale"] or lag["seen"]["kept stale"]
        )
        and lag["replica reads after its restart"] > 0,
        "nothing lost (writes stored, tasks done, queues empty)": not problems
        and not any(waiting.values())
        and not stale
        and tasks["rendering"] > 0
        and tasks["mail"] > 0,
    }
    print()
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    for problem in problems:
        print(f"       {problem}")
    dead = [s for s in services if not s.alive()]
    for service in dead:
        print(f"{service.name} died:\n{service.tail()}")
    return 0 if all(checks.values()) and not dead else 1


if __name__ == "__main__":
    sys.exit(main())
