"""Time and profile single pages in this process, through the whole middleware chain.

    .venv/bin/python benchmarks/page_profile.py [--papers 5000] [--requests 300] [--profile]

Loads `--papers` papers (benchmarks/dataset.py) into a throwaway Postgres database, then
calls the production WSGI application directly (no HTTP, no gunicorn: what remains is the
site's own cost) for: a bare view with no middleware (the floor), /ping, a cached
anonymous paper page (a hit), an anonymous paper page with the page cache (shared and in-process) emptied before
each request but its fragments kept (a miss), the same with everything emptied (a cold
miss), a signed-in reader's paper page, and venue-year pages (signed in, and anonymous misses). Prints CPU milliseconds a request (median
and p95 of `--requests`), queries a request and, with `--profile`, the top functions of
each by cumulative time. Needs Postgres and Redis on 127.0.0.1, as CI has them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faults.harness import (  # noqa: E402
    HOST,
    collect_static,
    django_setup,
    flush_redis_db,
    log,
    percentile,
    require_services,
    server_env,
    signed_in_session,
    throwaway_database,
)

REDIS_DB = 14  # the cache uses the next one


def environ(path: str, cookie: str = "") -> dict:
    from io import BytesIO

    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "8000",
        "HTTP_HOST": HOST,
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


def call(app, path: str, cookie: str = "") -> tuple[int, int]:
    status = []

    def start_response(s, headers, exc_info=None):
        status.append(int(s.split()[0]))

    body = b"".join(app(environ(path, cookie), start_response))
    return status[0], len(body)


def measure(
    name,
    app,
    paths,
    cookie="",
    before=None,
    requests=300,
    profile=False,
    sort="cumulative",
):
    from django.db import connection, reset_queries

    cpu = []
    queries = []
    profiler = cProfile.Profile() if profile else None
    connection.force_debug_cursor = True
    for i in range(requests):
        path = paths[i % len(paths)]
        if before:
            before()
        reset_queries()
        t = time.process_time()
        if profiler:
            profiler.enable()
        status, size = call(app, path, cookie)
        if profiler:
            profiler.disable()
        cpu.append((time.process_time() - t) * 1000)
        queries.append(len(connection.queries))
        if status != 200:
            raise SystemExit(f"{name}: {path} answered {status}")
    connection.force_debug_cursor = False
    slowest = sorted(connection.queries, key=lambda q: -float(q["time"]))[:3]
    print(
        f"{name:<28} CPU p50 {percentile(cpu, 50):6.2f} ms  p95 {percentile(cpu, 95):6.2f} ms"
        f"  queries p50 {percentile(queries, 50):4.0f}  ({size:,} bytes)"
    )
    if os.environ.get("PAGE_PROFILE_QUERIES"):
        slowest = connection.queries
    for q in slowest:
        print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(sort)
        stats.print_stats(35)
        if os.environ.get("PAGE_PROFILE_CALLEES"):
            stats.print_callees(os.environ["PAGE_PROFILE_CALLEES"])
        print(out.getvalue())
    return percentile(cpu, 50)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="print cProfile tops")
    parser.add_argument("--only", help="comma-separated page kinds to time")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    args = parser.parse_args()
    require_services()
    static_root = Path(tempfile.mkdtemp(prefix="page-profile-"))
    env = server_env("shortscience_profile", redis_db=REDIS_DB, static_root=static_root)
    collect_static(env)
    os.environ["LOG_LEVEL"] = "ERROR"
    django_setup(env)
    import dataset
    from django.conf import settings
    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpResponse

    from shortscience.cache import LOCAL_PAGES
    from users.models import User

    # The per-reader read limits would answer most requests with 429: this measures
    # the pages, not the limiter (which still runs).
    settings.READ_RATE_LIMITS = dict.fromkeys(settings.READ_RATE_LIMITS, "1000000/m")
    with throwaway_database("shortscience_profile"):
        flush_redis_db(REDIS_DB + 1)
        data = dataset.load(papers=args.papers, progress=lambda m: None)
        log(f"loaded {args.papers:,} papers")
        app = WSGIHandler()
        rng = random.Random(3)
        hot = data.summarised_paper_ids[:50]
        paths = [f"/papers/{pid}/" for pid in hot]
        cold = [f"/papers/{pid}/" for pid in rng.sample(data.paper_ids, args.requests)]
        reader = User.objects.create_user("profile-reader", "reader@example.org", "x")
        cookie = f"sessionid={signed_in_session(reader)}"
        for path in paths:  # warm the page and fragment caches
            call(app, path)
            call(app, path, cookie)

        page = b"x" * 100_000

        def bare(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/html")])
            return [HttpResponse(page).content]

        venue_paths = [
            f"/venues/{slug}/{year}/" for slug, year in data.venue_years[:20]
        ]
        for path in venue_paths:
            call(app, path)
            call(app, path, cookie)

        def drop_pages():
            cache.delete_pattern("page:*")
            # And this process's own copies, which would otherwise still answer.
            LOCAL_PAGES.entries.clear()

        def drop_all():
            flush_redis_db(REDIS_DB + 1)

        kinds = {
            "floor": lambda: measure("floor (no Django)", bare, paths, requests=args.requests),
            "ping": lambda: measure("/ping", app, ["/ping"], requests=args.requests, profile=args.profile, sort=args.sort),
            "hit": lambda: measure("paper, anonymous hit", app, paths, requests=args.requests, profile=args.profile, sort=args.sort),
            "miss": lambda: measure("paper, miss (fragments kept)", app, paths, before=drop_pages, requests=args.requests, profile=args.profile, sort=args.sort),
            "cold": lambda: measure("paper, cold (nothing cached)", app, cold, before=drop_all, requests=args.requests, profile=args.profile, sort=args.sort),
            "signed-in": lambda: measure("paper, signed in", app, paths, cookie=cookie, requests=args.requests, profile=args.profile, sort=args.sort),
            "venue-year": lambda: measure("venue-year, signed in", app, venue_paths, cookie=cookie, requests=args.requests, profile=args.profile, sort=args.sort),
            "venue-year-miss": lambda: measure("venue-year, miss", app, venue_paths, before=drop_pages, requests=args.requests, profile=args.profile, sort=args.sort),
            "home": lambda: measure("home, miss", app, ["/"], before=drop_pages, requests=args.requests, profile=args.profile, sort=args.sort),
        }  # fmt: skip
        wanted = args.only.split(",") if args.only else list(kinds)
        for kind in wanted:
            kinds[kind]()
    shutil.rmtree(static_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
