"""Time the renderer on pathological inputs at the summary size limit (100,000 characters).

    .venv/bin/python benchmarks/pathological_bench.py [--timeout 0.3]

For each input, prints the time of a full render (as a background re-render does) and of
a preview under the web path's time limit (`render(..., timeout=...)`, which gives up
with `RenderTimeout`), then the worst of each. Goal: every preview answers within the
limit plus a few milliseconds; the full renders show what the limit saves.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.test")

SIZE = 100_000

# Runs of the characters that make markdown-it's rules try, fail and backtrack.
PATTERNS = [
    "![",
    "[",
    "[a](",
    "![](",
    "*a",
    "_a ",
    "**a",
    "`",
    "<",
    "\\(",
    "$",
    "$ a",
    "> ",
    "- ",
    "1. ",
    "a:",
    "http://a.",
    "&#",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=0.3)
    args = parser.parse_args()

    import django

    django.setup()
    from shortscience import markup

    markup.render("$x$")  # load KaTeX once, as a running server has
    full_worst = (0.0, "")
    preview_worst = (0.0, "")
    print(f"{'input':<14} {'full render':>12} {'preview':>10}  outcome")
    for pattern in PATTERNS:
        source = (pattern * (SIZE // len(pattern) + 1))[:SIZE]
        start = time.perf_counter()
        markup.render(source)
        full = time.perf_counter() - start
        start = time.perf_counter()
        try:
            markup.render(source, timeout=args.timeout)
            outcome = "rendered"
        except markup.RenderTimeout:
            outcome = "too slow: message shown"
        preview = time.perf_counter() - start
        print(
            f"{pattern!r:<14} {full * 1000:>9.0f} ms {preview * 1000:>7.0f} ms  {outcome}"
        )
        full_worst = max(full_worst, (full, pattern))
        preview_worst = max(preview_worst, (preview, pattern))
    print(f"worst full render: {full_worst[0] * 1000:.0f} ms ({full_worst[1]!r})")
    print(
        f"worst preview: {preview_worst[0] * 1000:.0f} ms ({preview_worst[1]!r}),"
        f" limit {args.timeout * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
