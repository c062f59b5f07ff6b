"""Restart Postgres under load: requests fail fast with the friendly 503, then recover by themselves.

    .venv/bin/python benchmarks/faults/postgres_restart.py [--clients 6] [--after-seconds 12]

Runs gunicorn (production settings, persistent connections with health checks, Redis
cache) on a throwaway database while `--clients` threads request, in turn, the health
check, a paper page signed in (never cached), a search and an anonymous paper page
(cached, warmed up first, so it needs no database). Postgres is restarted (`pg_ctlcluster
... restart`, fast shutdown, so open sessions are cut) and is always running again when
the script ends. Before that it waits up to `--wait-quiet` seconds for queries running in
other databases (other people's work on a shared machine) to finish.

Prints the status codes per half second around the restart. Fails on any 500 or other
unexpected status, on any request slower than `--max-seconds`, on a 503 without
Retry-After, on a cached page not served during the restart, and unless every request
succeeds again within `--recover-seconds` of Postgres accepting connections.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import (  # noqa: E402
    collect_static,
    django_setup,
    flush_redis_db,
    log,
    postgres_up,
    request,
    require_services,
    restart_postgres,
    server_env,
    signed_in_users,
    start_gunicorn,
    throwaway_database,
    wait_until,
    workdir,
)

REDIS_DB = 14


def others_busy(own_db: str) -> list[str]:
    """Name the other databases with a query running now (other people's work)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname, now() - query_start FROM pg_stat_activity"
            " WHERE state = 'active' AND pid <> pg_backend_pid()"
            " AND datname IS NOT NULL AND datname <> %s",
            [own_db],
        )
        return [
            f"{name} ({age.total_seconds():.0f} s)" for name, age in cursor.fetchall()
        ]


def hammer(index, base, pages, stop, rows, lock, timeout):
    i = index
    while not stop.is_set():
        kind, path, cookies = pages[i % len(pages)]
        i += 1
        started = time.monotonic()
        retry_after = None
        try:
            response = request("GET", base, path, cookies=cookies, timeout=timeout)
            status: int | str = response.status
            retry_after = response.header("Retry-After")
        except OSError as exc:
            status = type(exc).__name__
        with lock:
            rows.append(
                (started, kind, status, time.monotonic() - started, retry_after)
            )
        if status != 200:
            stop.wait(0.05)  # as a browser would not hammer an error page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--before-seconds", type=float, default=5)
    parser.add_argument("--after-seconds", type=float, default=12)
    parser.add_argument(
        "--max-seconds", type=float, default=5, help="slowest answer allowed"
    )
    parser.add_argument("--recover-seconds", type=float, default=5)
    parser.add_argument(
        "--wait-quiet", type=float, default=60,
        help="wait up to this long for other databases' running queries to finish first",
    )  # fmt: skip
    args = parser.parse_args()

    require_services()
    with workdir("postgres-restart") as tmp:
        db_name = f"shortscience_fault_pg_{os.getpid()}"
        env = server_env(db_name, redis_db=REDIS_DB, static_root=tmp / "static")
        django_setup(env)
        import dataset

        with throwaway_database(db_name):
            data = dataset.load(papers=300, progress=None)
            ((_, browser),) = signed_in_users(1, prefix="reader")
            collect_static(env)
            flush_redis_db(REDIS_DB + 1)
            server, base = start_gunicorn(env, tmp, workers=3)
            try:
                return run(args, data, browser, base, server, db_name)
            finally:
                server.stop()
                flush_redis_db(REDIS_DB + 1)


def run(args, data, browser, base, server, db_name) -> int:
    from django.db import connections

    papers = data.summarised_paper_ids
    pages = []
    for n, paper in enumerate(papers[: args.clients * 4]):
        pages += [
            ("healthz", "/healthz", None),
            ("paper, signed in", f"/papers/{paper}/", browser.cookies),
            (
                "search",
                f"/search/?q={quote(data.search_terms[n % len(data.search_terms)])}",
                None,
            ),
            ("paper, anonymous", f"/papers/{papers[n % 20]}/", None),
        ]
    busy = others_busy(db_name)
    if busy and not wait_until(lambda: not others_busy(db_name), args.wait_quiet, 2):
        log(
            f"other databases still busy after {args.wait_quiet:.0f} s: {', '.join(others_busy(db_name))}"
        )
    connections.close_all()

    for _, path, cookies in pages:
        if cookies is None and path.startswith("/papers/"):
            request("GET", base, path)  # popular pages are in the cache already

    rows: list[tuple] = []
    lock = threading.Lock()
    stop = threading.Event()
    seen: dict[str, float] = {}  # when Postgres was first seen down, then up again

    def watch_postgres():
        while not stop.is_set():
            up = postgres_up()
            now = time.monotonic()
            if not up and "down" not in seen:
                seen["down"] = now
            if up and "down" in seen and "up" not in seen:
                seen["up"] = now
            stop.wait(0.1)

    threads_watch = threading.Thread(target=watch_postgres)
    threads = [
        threading.Thread(
            target=hammer, args=(i, base, pages, stop, rows, lock, args.max_seconds + 5)
        )
        for i in range(args.clients)
    ]
    t0 = time.monotonic()
    try:
        threads_watch.start()
        for thread in threads:
            thread.start()
        time.sleep(args.before_seconds)
        log("restarting Postgres")
        restart_at = time.monotonic()
        took = restart_postgres()
        log(f"pg_ctlcluster restart returned after {took:.1f} s")
        time.sleep(args.after_seconds)
    finally:
        stop.set()
        for thread in [*threads, threads_watch]:
            thread.join(timeout=args.max_seconds + 10)
        if not postgres_up():
            restart_postgres()
    down_at = seen.get("down", restart_at)
    up_at = seen.get("up", restart_at + took)

    print()
    print("   t (s)  status codes per half second (kind:status x count)")
    buckets = defaultdict(Counter)
    for started, _, status, _, _ in rows:
        buckets[int((started - t0) * 2)][str(status)] += 1
    marks = defaultdict(list)
    for at, text in (
        (restart_at, "restart begins"),
        (down_at, "Postgres refuses connections"),
        (up_at, "Postgres accepts connections"),
    ):
        marks[int((at - t0) * 2)].append(text)
    for bucket in range(0, max(buckets, default=0) + 1):
        t = bucket / 2
        mark = f"  <- {'; '.join(marks[bucket])}" if bucket in marks else ""
        counts = "  ".join(f"{s}x{n}" for s, n in sorted(buckets[bucket].items()))
        print(f"  {t:6.1f}  {counts}{mark}")

    statuses = Counter(str(r[2]) for r in rows)
    by_kind = defaultdict(Counter)
    for _, kind, status, _, _ in rows:
        by_kind[kind][str(status)] += 1
    slowest = max(rows, key=lambda r: r[3])
    failures = [r for r in rows if r[2] != 200]
    last_failure = max((r[0] + r[3] for r in failures), default=restart_at)
    recovered_after = max(0.0, last_failure - up_at)
    print()
    print(
        f"Postgres refused connections for {up_at - down_at:.1f} s "
        f"(pg_ctlcluster restart took {took:.1f} s); {len(rows)} requests: {dict(statuses)}"
    )
    for kind, counts in sorted(by_kind.items()):
        print(f"  {kind:<17} {dict(counts)}")
    print(f"slowest answer: {slowest[3]:.2f} s ({slowest[1]}, {slowest[2]})")
    print(
        f"last failed request ended {recovered_after:.1f} s after Postgres accepted "
        "connections; every request after it succeeded"
    )

    problems = []
    unexpected = {s: n for s, n in statuses.items() if s not in ("200", "503")}
    if unexpected:
        problems.append(f"unexpected answers (500s, connection errors): {unexpected}")
    if slowest[3] > args.max_seconds:
        problems.append(
            f"a request took {slowest[3]:.1f} s (limit {args.max_seconds:.0f} s)"
        )
    if any(r[2] == 503 and not r[4] for r in rows):
        problems.append("a 503 came without Retry-After")
    if by_kind["paper, anonymous"].get("200", 0) != by_kind["paper, anonymous"].total():
        problems.append(
            "cached anonymous pages were not served while Postgres was away"
        )
    if recovered_after > args.recover_seconds:
        problems.append(
            f"requests still failed {recovered_after:.1f} s after Postgres was back "
            f"(limit {args.recover_seconds:.0f} s)"
        )
    tail = [r for r in rows if r[0] > up_at + args.recover_seconds]
    if not tail or any(r[2] != 200 for r in tail):
        problems.append("the site did not serve normally at the end")
    if not server.alive():
        problems.append(f"gunicorn died:\n{server.tail()}")
    if problems:
        print("FAILED:")
        for problem in problems:
            print(f"  {problem}")
        print(server.tail(40))
        return 1
    print(
        "OK: no 500s, no hangs; 503 with Retry-After during the restart; recovered by itself"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
