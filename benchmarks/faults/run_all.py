"""Run every fault script with its short defaults, one after another; fail if any fails.

    .venv/bin/python benchmarks/faults/run_all.py [--only redis_down,postgres_restart]

Needs Postgres and Redis on 127.0.0.1. Takes about three minutes. The scripts that stop
Redis and restart Postgres run last; each starts the service again before it ends.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# (script, seconds allowed): the least disruptive first.
SCRIPTS = [
    ("arxiv_outage", 240),
    ("worker_kill", 240),
    ("redis_down", 300),
    ("postgres_restart", 300),
]


def run(name: str, limit: float) -> tuple[int, float]:
    """Run one script, its output streamed through; return its exit code and duration."""
    print(f"\n===== {name} =====", flush=True)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(HERE / f"{name}.py")])
    try:
        code = proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.terminate()  # its finally blocks restart any service it stopped
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        print(f"{name}: stopped after {limit:.0f} s", flush=True)
        code = 124
    return code, time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated script names")
    args = parser.parse_args()
    wanted = [n for n in args.only.split(",") if n]
    unknown = set(wanted) - {n for n, _ in SCRIPTS}
    if unknown:
        parser.error(f"unknown scripts: {', '.join(sorted(unknown))}")
    results = [
        (name, *run(name, limit))
        for name, limit in SCRIPTS
        if not wanted or name in wanted
    ]
    print("\n===== summary =====")
    for name, code, seconds in results:
        print(
            f"  {name:<18} {'ok' if code == 0 else f'FAILED ({code})':<12} {seconds:5.0f} s"
        )
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
