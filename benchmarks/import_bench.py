"""Import 1,000 arXiv ids from a local replay server and print what it cost.

    .venv/bin/python benchmarks/import_bench.py [--papers 1000] [--interval 3]

Runs on the database DATABASE_URL names (SQLite by default), in a fresh throwaway test
database. The replay server answers any id_list with arXiv-format entries (8 authors,
a real-length abstract). Prints the HTTP requests made (goal: at most 10), papers per
second excluding the politeness delay between requests (goal: 200 or more), and peak
memory.
"""

import argparse
import os
import resource
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.test")

ABSTRACT = (
    "We study a model of learning in which a learner observes samples and must output "
    "a hypothesis with small error. "
) * 8


def entry(arxiv_id: str) -> str:
    n = int(arxiv_id.split(".")[1])
    authors = "".join(
        f"<author><name>Author {n}-{i} Surname</name></author>" for i in range(8)
    )
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v2</id>"
        f"<updated>2021-03-01T10:00:00Z</updated><published>2021-01-15T10:00:00Z</published>"
        f"<title>Synthetic paper number {n}:\n  a study of\n  learning</title>"
        f"<summary>{ABSTRACT}</summary>{authors}"
        f'<link href="https://arxiv.org/abs/{arxiv_id}v2" rel="alternate" type="text/html"/>'
        f'<link title="pdf" href="https://arxiv.org/pdf/{arxiv_id}v2" rel="related" type="application/pdf"/>'
        f'<arxiv:primary_category term="cs.LG"/><category term="cs.LG"/><category term="stat.ML"/>'
        f"</entry>"
    )


class Replay(BaseHTTPRequestHandler):
    requests = 0

    def do_GET(self):  # noqa: N802 - http.server's naming
        Replay.requests += 1
        ids = parse_qs(urlparse(self.path).query).get("id_list", [""])[0].split(",")
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">'
            f"<opensearch:totalResults>{len(ids)}</opensearch:totalResults>"
            + "".join(entry(i) for i in ids if i)
            + "</feed>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument(
        "--interval", type=float, default=3.0, help="politeness delay (s)"
    )
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["ARXIV_API_URL"] = f"http://127.0.0.1:{server.server_port}/api/query"

    import django
    from django.conf import settings

    settings.ARXIV_API_URL = os.environ["ARXIV_API_URL"]
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from papers import services
    from papers.models import Paper, PaperImport
    from papers.sources.clients import arxiv_client
    from papers.sources.ratelimit import LocalRateLimiter
    from shortscience.identifiers import classify

    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        waited = 0.0
        limiter = LocalRateLimiter(args.interval)

        class TimedLimiter:
            def wait(self):
                nonlocal waited
                start = time.perf_counter()
                limiter.wait()
                waited += time.perf_counter() - start

        client = arxiv_client(
            base_url=settings.ARXIV_API_URL, rate_limiter=TimedLimiter()
        )
        ids = [f"2101.{n:05d}" for n in range(1, args.papers + 1)]

        start = time.perf_counter()
        imports = services.import_create_many([classify(i) for i in ids])
        services.import_arxiv_batch(imports, client=client)
        elapsed = time.perf_counter() - start

        done = PaperImport.objects.filter(status="done").count()
        assert Paper.objects.count() == args.papers == done, "every id must be imported"
        work = elapsed - waited
        print(f"database:                 {connection.vendor} ({db_name})")
        print(f"papers imported:          {done}")
        print(
            f"HTTP requests:            {Replay.requests}  (goal: <= {-(-args.papers // 100)})"
        )
        print(
            f"politeness delay:         {waited:.2f} s  ({args.interval} s between requests)"
        )
        print(f"wall time:                {elapsed:.2f} s")
        print(f"papers/s excluding delay: {args.papers / work:.0f}  (goal: >= 200)")
        print(
            f"peak RSS of the process:  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)
        server.shutdown()


if __name__ == "__main__":
    main()
