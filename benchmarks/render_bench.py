"""Time the Markdown+LaTeX renderer on the demo summaries and the live preview endpoint.

    .venv/bin/python benchmarks/render_bench.py [--rounds 50]

Prints the median render time per demo summary, the share of it spent in KaTeX, the
median for a typical 3 kB summary with math, and the p50/p95 of the preview endpoint
(through the full Django stack) for a 10 kB summary. Goals: a 3 kB summary in at most
2 ms (median); the preview endpoint's p95 at most 50 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.test")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from pages.demo import SUMMARIES
    from shortscience import markup

    bodies = [s["body"] for s in SUMMARIES]
    markup.render(bodies[0])  # load KaTeX once, as a running server has

    engine = markup._engine
    typeset = engine.typeset
    katex_time = 0.0

    def timed_typeset(items):
        nonlocal katex_time
        start = time.perf_counter()
        try:
            return typeset(items)
        finally:
            katex_time += time.perf_counter() - start

    engine.typeset = timed_typeset
    per_summary: list[float] = []
    total = 0.0
    for _ in range(args.rounds):
        for body in bodies:
            start = time.perf_counter()
            markup.render(body)
            elapsed = time.perf_counter() - start
            per_summary.append(elapsed)
            total += elapsed
    engine.typeset = typeset

    typical = min(bodies, key=lambda b: abs(len(b.encode()) - 3000))
    typical_times = []
    for _ in range(args.rounds * 4):
        start = time.perf_counter()
        markup.render(typical)
        typical_times.append(time.perf_counter() - start)

    big = ""
    while len(big.encode()) < 10_000:
        big += "\n\n".join(bodies) + "\n\n"
    big = big.encode()[:10_000].decode(errors="ignore")

    setup_test_environment()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from users.models import User

        user = User.objects.create_user("bench")
        client = Client()
        client.force_login(user)
        preview_times = []
        for i in range(args.rounds * 2):
            start = time.perf_counter()
            response = client.post(
                "/summaries/preview/", {"body": big + f"\n\nround {i}"}
            )
            preview_times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
            # The limiter would stop a person at 120 previews a minute; the benchmark
            # measures rendering, so it starts each minute's count afresh.
            from django.core.cache import cache

            cache.clear()
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)

    ms = 1000
    print(
        f"demo summaries:            {len(bodies)} (sizes {min(map(len, bodies))}-{max(map(len, bodies))} characters)"
    )
    print(f"median render per summary: {statistics.median(per_summary) * ms:.2f} ms")
    print(f"KaTeX share of the time:   {katex_time / total:.0%}")
    print(
        f"typical 3 kB summary:      {len(typical.encode())} bytes, median "
        f"{statistics.median(typical_times) * ms:.2f} ms (goal: <= 2 ms)"
    )
    print(
        f"preview endpoint, 10 kB:   p50 {percentile(preview_times, 50) * ms:.1f} ms, "
        f"p95 {percentile(preview_times, 95) * ms:.1f} ms (goal: p95 <= 50 ms)"
    )


if __name__ == "__main__":
    main()
