"""Time the renderer on pathological inputs at the summary size limit (100,000 characters).

    .venv/bin/python benchmarks/pathological_bench.py [--timeout 0.3]

For each input, prints the time of a full render (as a background re-render does), of a
preview under the time limit (`render(..., timeout=...)`, which gives up with
`RenderTimeout`), and of a whole preview request, timed from the request's arrival at the
first middleware to the answer (the editor's POST, through every middleware and the
view), then the worst of each. Goal: every preview, the request included, answers within
the limit; the full renders show what the limit saves.
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

    # The request is made by a signed-in writer in a throwaway database.
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from shortscience import markup
    from users.models import User

    setup_test_environment()
    settings.PREVIEW_RENDER_TIMEOUT = args.timeout
    call_command("migrate", verbosity=0)
    client = Client()

    markup.render("$x$")  # load KaTeX once, as a running server has
    # and answer one ordinary preview (URLs, views and templates loaded).
    client.force_login(User.objects.create_user("warm"))
    client.post("/summaries/preview/", {"body": "Warm *up* with $x^2$."})
    full_worst = (0.0, "")
    preview_worst = (0.0, "")
    request_worst = (0.0, "")
    print(f"{'input':<14} {'full render':>12} {'preview':>10} {'request':>10}  outcome")
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
        # A writer of their own for each input: the allowance of slow previews
        # (summaries.views.SLOW_PREVIEW_RATE) would shorten later ones.
        client.force_login(User.objects.create_user(f"bench{len(pattern)}{pattern}"))
        start = time.perf_counter()
        response = client.post("/summaries/preview/", {"body": source})
        whole = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        print(
            f"{pattern!r:<14} {full * 1000:>9.0f} ms {preview * 1000:>7.0f} ms"
            f" {whole * 1000:>7.0f} ms  {outcome}"
        )
        full_worst = max(full_worst, (full, pattern))
        preview_worst = max(preview_worst, (preview, pattern))
        request_worst = max(request_worst, (whole, pattern))
    print(f"worst full render: {full_worst[0] * 1000:.0f} ms ({full_worst[1]!r})")
    print(
        f"worst preview: {preview_worst[0] * 1000:.0f} ms ({preview_worst[1]!r}),"
        f" limit {args.timeout * 1000:.0f} ms"
    )
    print(
        f"worst preview request: {request_worst[0] * 1000:.0f} ms"
        f" ({request_worst[1]!r}), limit {args.timeout * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
