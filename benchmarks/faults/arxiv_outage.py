"""arXiv answers 503 for a while: imports wait, retry with backoff, and all finish, once each.

    .venv/bin/python benchmarks/faults/arxiv_outage.py [--outage-seconds 20]
    .venv/bin/python benchmarks/faults/arxiv_outage.py --outage-seconds 600   # the real run

Runs a Celery worker (production settings, Redis broker) on a throwaway Postgres database
against a local arXiv replay server that answers every request with 503 for
`--outage-seconds` and then in the real Atom format. The script asks for `--imports`
imports of distinct arXiv ids, plus a second request for one of them, at the start of
the outage.

Retries are the production ones: each task run tries arXiv 4 times over 7 s, then the task
is retried after IMPORT_RETRY_BASE_SECONDS x 2^n (at most 60 times that). The base is
scaled to the outage: `--outage-seconds / 60` by default, which is the production value
(10 s) for the real 10-minute run. Fails unless every import ends done with its paper,
with exactly one paper per arXiv id.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import (  # noqa: E402
    django_setup,
    flush_redis_db,
    log,
    require_services,
    server_env,
    start_worker,
    throwaway_database,
    workdir,
)
from worker_kill import Replay  # noqa: E402

REDIS_DB = 2


class OutageReplay(Replay):
    """arXiv that answers 503 until `until` (a monotonic time), then normally."""

    until = 0.0
    answers: Counter = Counter()

    def do_GET(self):  # noqa: N802 - http.server's naming
        if time.monotonic() < self.until:
            self.answers[503] += 1
            body = b"Service Unavailable"
            self.send_response(503)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.answers[200] += 1
        super().do_GET()


def counts() -> dict[str, int]:
    from papers.models import PaperImport

    found = Counter(PaperImport.objects.values_list("status", flat=True))
    return {s: found.get(s, 0) for s in ("queued", "running", "done", "failed")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage-seconds", type=float, default=20)
    parser.add_argument("--imports", type=int, default=6)
    parser.add_argument(
        "--retry-base", type=float, default=None,
        help="IMPORT_RETRY_BASE_SECONDS for the worker (default: outage / 60)",
    )  # fmt: skip
    parser.add_argument("--concurrency", type=int, default=4, help="worker processes")
    args = parser.parse_args()
    base = args.retry_base if args.retry_base is not None else args.outage_seconds / 60
    # The longest wait between two tries, the 7 s a try spends on arXiv, and a margin.
    timeout = args.outage_seconds + 60 * base + 7 + 60

    require_services()
    OutageReplay.hold = 0.0
    replay = ThreadingHTTPServer(("127.0.0.1", 0), OutageReplay)
    replay.daemon_threads = True
    threading.Thread(target=replay.serve_forever, daemon=True).start()
    try:
        with workdir("arxiv-outage") as tmp:
            db_name = f"shortscience_fault_arxiv_{os.getpid()}"
            env = server_env(
                db_name,
                redis_db=REDIS_DB,
                ARXIV_API_URL=f"http://127.0.0.1:{replay.server_port}/api/query",
                ARXIV_MIN_INTERVAL="0",
                HTTP_TIMEOUT="10",
                IMPORT_RETRY_BASE_SECONDS=str(base),
            )
            django_setup(env)
            with throwaway_database(db_name):
                flush_redis_db(REDIS_DB)
                worker = start_worker(env, tmp, "worker", concurrency=args.concurrency)
                try:
                    return run(args, base, timeout, worker)
                finally:
                    worker.stop()
                    flush_redis_db(REDIS_DB)
    finally:
        replay.shutdown()


def run(args, base: float, timeout: float, worker) -> int:
    from papers import services
    from papers.models import Paper, PaperImport
    from shortscience.identifiers import classify

    ids = [f"2102.{n:05d}" for n in range(1, args.imports + 1)]
    OutageReplay.until = time.monotonic() + args.outage_seconds
    start = time.monotonic()
    log(
        f"arXiv answers 503 for {args.outage_seconds:.0f} s; {len(ids)} imports and a "
        f"second request for {ids[0]}; retry base {base:g} s"
    )
    imports = [services.import_create(identifier=classify(i)) for i in [*ids, ids[0]]]
    deadline = start + timeout
    next_report = start
    while time.monotonic() < deadline:
        now_counts = counts()
        if time.monotonic() >= next_report:
            log(
                f"t={time.monotonic() - start:5.0f} s  imports {now_counts}  arXiv answered "
                f"{dict(OutageReplay.answers)}"
            )
            next_report += max(5.0, args.outage_seconds / 20)
        if now_counts["done"] + now_counts["failed"] == len(imports):
            break
        time.sleep(0.5)
    took = time.monotonic() - start
    final = counts()
    log(
        f"t={took:5.0f} s  imports {final}  arXiv answered {dict(OutageReplay.answers)}"
    )

    problems = []
    rows = list(
        PaperImport.objects.filter(pk__in=[i.pk for i in imports]).values_list(
            "identifier", "status", "attempts", "paper__arxiv_id", "last_error"
        )
    )
    for identifier, status, attempts, paper_arxiv_id, last_error in rows:
        if status != PaperImport.Status.DONE or paper_arxiv_id != identifier:
            problems.append(
                f"import of {identifier}: {status} after {attempts} attempts ({last_error})"
            )
    papers = Counter(
        Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", flat=True)
    )
    for arxiv_id in ids:
        if papers[arxiv_id] != 1:
            problems.append(f"{arxiv_id}: {papers[arxiv_id]} papers")
    attempts = sorted(r[2] for r in rows)
    print()
    print(f"outage {args.outage_seconds:.0f} s; all imports settled after {took:.0f} s")
    print(f"imports: {final}; attempts per import: {attempts}")
    print(f"papers: {sum(papers.values())} for {len(ids)} arXiv ids")
    print(f"arXiv answered: {dict(OutageReplay.answers)}")
    if not worker.alive():
        problems.append(f"the worker died:\n{worker.tail()}")
    if problems:
        print("FAILED:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print("OK: every import waited out the outage and finished; one paper per id")
    return 0


if __name__ == "__main__":
    sys.exit(main())
