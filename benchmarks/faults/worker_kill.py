"""SIGKILL a Celery worker in the middle of an import: the import runs again and is written once.

    .venv/bin/python benchmarks/faults/worker_kill.py [--visibility-timeout 5] [--hold 20]

Runs Celery workers (production settings, Redis broker, CELERY_VISIBILITY_TIMEOUT short)
on a throwaway Postgres database against a local arXiv replay server that answers in the
real Atom format but holds the first request for each id for `--hold` seconds, so the kill
lands while the task is waiting on arXiv. Two cases:

1. the whole worker (main process and pool) is killed; the message, delivered but never
   acknowledged (acks_late), is taken back by a new worker started after the visibility
   timeout (a worker restores such messages when it starts, then every 100 s);
2. only the pool process running the task is killed; the worker rejects the task back to
   the queue (reject_on_worker_lost) and runs it again at once.

Fails unless each import ends done after two attempts, with one paper, and arXiv was asked
twice (once by the killed run, once by the run that finished).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

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
    wait_until,
    workdir,
)

REDIS_DB = 10


def arxiv_entry(arxiv_id: str) -> str:
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv_id}v1</id>"
        "<updated>2021-03-01T10:00:00Z</updated><published>2021-01-15T10:00:00Z</published>"
        f"<title>Fault-injected paper {arxiv_id}</title>"
        "<summary>An abstract long enough to look like one.</summary>"
        "<author><name>Ada Lovelace</name></author><author><name>Alan Turing</name></author>"
        f'<link href="https://arxiv.org/abs/{arxiv_id}v1" rel="alternate" type="text/html"/>'
        '<arxiv:primary_category term="cs.LG"/><category term="cs.LG"/>'
        "</entry>"
    )


def feed(ids: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"<opensearch:totalResults>{len(ids)}</opensearch:totalResults>"
        + "".join(arxiv_entry(i) for i in ids)
        + "</feed>"
    ).encode()


class Replay(BaseHTTPRequestHandler):
    """arXiv's /api/query; the first request for each id waits `hold` seconds."""

    hold = 20.0
    requests: Counter = Counter()
    lock = threading.Lock()

    def do_GET(self):  # noqa: N802 - http.server's naming
        query = parse_qs(urlparse(self.path).query)
        ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
        with self.lock:
            first = any(self.requests[i] == 0 for i in ids)
            for i in ids:
                self.requests[i] += 1
        if first:
            time.sleep(self.hold)
        body = feed(ids)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the worker that asked was killed meanwhile

    def log_message(self, *args):
        pass


def import_state(import_id: int):
    from papers.models import PaperImport

    return (
        PaperImport.objects.filter(pk=import_id)
        .values_list("status", "attempts", "paper__arxiv_id", "last_error")
        .get()
    )


def run_case(title: str, arxiv_id: str, kill, env, tmp, args) -> list[str]:
    """Import `arxiv_id`, call `kill(worker)` while arXiv holds the request, check the outcome."""
    from papers import services
    from papers.models import Paper, PaperImport
    from shortscience.identifiers import classify

    print(f"\n{title}")
    problems: list[str] = []
    workers = [start_worker(env, tmp, f"{arxiv_id.replace('.', '-')}-a", concurrency=1)]
    try:
        paper_import = services.import_create(identifier=classify(arxiv_id))
        started = time.monotonic()
        if not wait_until(lambda: Replay.requests[arxiv_id] >= 1, 30, 0.05):
            return [f"{arxiv_id}: the worker never asked arXiv"]
        status, attempts, *_ = import_state(paper_import.pk)
        log(f"arXiv is holding the request; import is {status}, attempt {attempts}")
        kill(workers, started)
        if not wait_until(
            lambda: import_state(paper_import.pk)[0] == PaperImport.Status.DONE,
            args.timeout,
            0.2,
        ):
            problems.append(
                f"{arxiv_id}: not done after {args.timeout:.0f} s: {import_state(paper_import.pk)}"
            )
        took = time.monotonic() - started
        status, attempts, paper_arxiv_id, last_error = import_state(paper_import.pk)
        papers = Paper.objects.filter(arxiv_id=arxiv_id).count()
        print(
            f"  import {status} after {attempts} attempts in {took:.1f} s; {papers} paper; "
            f"arXiv asked {Replay.requests[arxiv_id]} times"
        )
        if status != PaperImport.Status.DONE or paper_arxiv_id != arxiv_id:
            problems.append(f"{arxiv_id}: import {status} ({last_error})")
        if papers != 1:
            problems.append(f"{arxiv_id}: {papers} papers")
        if attempts != 2:
            problems.append(f"{arxiv_id}: {attempts} attempts counted, expected 2")
        if Replay.requests[arxiv_id] != 2:
            problems.append(
                f"{arxiv_id}: arXiv asked {Replay.requests[arxiv_id]} times, expected 2"
            )
    finally:
        for worker in workers:
            worker.stop()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visibility-timeout", type=int, default=5)
    parser.add_argument(
        "--hold", type=float, default=20, help="seconds arXiv holds a first request"
    )
    parser.add_argument(
        "--timeout", type=float, default=60, help="seconds allowed per case"
    )
    args = parser.parse_args()

    require_services()
    Replay.hold = args.hold
    replay = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    replay.daemon_threads = True
    threading.Thread(target=replay.serve_forever, daemon=True).start()
    try:
        with workdir("worker-kill") as tmp:
            db_name = f"shortscience_fault_worker_{os.getpid()}"
            env = server_env(
                db_name,
                redis_db=REDIS_DB,
                ARXIV_API_URL=f"http://127.0.0.1:{replay.server_port}/api/query",
                ARXIV_MIN_INTERVAL="0",
                HTTP_TIMEOUT=str(args.hold + 10),
                CELERY_VISIBILITY_TIMEOUT=str(args.visibility_timeout),
            )
            django_setup(env)
            with throwaway_database(db_name) as created:
                env["DATABASE_URL"] = (
                    env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{created}"
                )
                flush_redis_db(REDIS_DB)
                try:
                    problems = cases(env, tmp, args)
                finally:
                    flush_redis_db(REDIS_DB)
    finally:
        replay.shutdown()
    if problems:
        print("\nFAILED:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print("\nOK: each killed import ran again, finished, and made exactly one paper")
    return 0


def cases(env, tmp, args) -> list[str]:
    def kill_whole_worker(workers, started):
        worker = workers[0]
        worker.kill()
        log(
            f"SIGKILLed worker {worker.name} (pid {worker.pid} and its pool) mid-import"
        )
        # A worker restores unacknowledged messages older than the visibility timeout when
        # it starts, and then only every 100 s (kombu's unacked_restore_interval x
        # unacked_restore_throttle): the replacement comes up once the timeout has passed.
        time.sleep(max(0.0, started + args.visibility_timeout + 1 - time.monotonic()))
        workers.append(start_worker(env, tmp, f"{worker.name[:-2]}-b", concurrency=1))
        log(
            f"started worker {workers[-1].name} after the {args.visibility_timeout} s "
            "visibility timeout; it takes the unacknowledged message back"
        )

    def kill_pool_process(workers, started):
        worker = workers[0]
        children = worker.children()
        if not children:
            raise RuntimeError("the worker has no pool process")
        os.kill(children[0], signal.SIGKILL)
        log(f"SIGKILLed pool process {children[0]} of worker {worker.name} mid-import")

    problems = run_case(
        "1. whole worker killed; a new worker takes the task after the visibility timeout",
        "2101.00001",
        kill_whole_worker,
        env,
        tmp,
        args,
    )
    problems += run_case(
        "2. pool process killed; the worker puts the task back and runs it again",
        "2101.00002",
        kill_pool_process,
        env,
        tmp,
        args,
    )
    return problems


if __name__ == "__main__":
    sys.exit(main())
