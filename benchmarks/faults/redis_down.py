"""Stop Redis while users post: every save succeeds, every summary is rendered, every mail sent once.

    .venv/bin/python benchmarks/faults/redis_down.py [--outage-seconds 15] [--posters 8]

Runs gunicorn (production settings, Redis cache and broker, mail to files) and a Celery
worker on a throwaway Postgres database. Signed-in users publish summaries and comment on
other writers' summaries (each comment mails the summary's writer) while an anonymous reader
opens paper pages. Redis is stopped for `--outage-seconds` (with `redis-cli shutdown
nosave`, so it comes back empty) and started again, always, even on failure. Just before,
the worker is paused for `--worker-behind` seconds, so tasks are waiting in Redis when it
goes: those are lost with it.

With the broker down the site falls back to rendering and mailing in the web process; once
Redis is back the worker takes over again, and beat's catch-up jobs (run by the script
instead of waiting for their schedule) render what was left stale and mail the
notifications whose task was lost. Prints the per-second timeline and fails unless
every post was answered with a redirect, every acknowledged summary and comment ends up
rendered and every notification is mailed exactly once.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import (  # noqa: E402
    collect_static,
    django_setup,
    flush_redis_db,
    log,
    mail_text,
    percentile,
    read_mails,
    redis_stopped,
    redis_up,
    request,
    require_services,
    server_env,
    signed_in_users,
    start_gunicorn,
    start_worker,
    throwaway_database,
    wait_until,
    workdir,
)

REDIS_DB = 8  # broker; the cache uses the next one
SECONDS_BETWEEN_POSTS = 2.0  # per user: keeps each under the per-user write limits


class Timeline:
    """What every request got, by second since the start."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.lock = threading.Lock()
        self.rows: list[tuple[float, str, int | str, float, bool]] = []
        self.events: list[tuple[float, str]] = []

    def add(self, kind: str, status: int | str, elapsed: float) -> None:
        with self.lock:
            self.rows.append(
                (time.monotonic() - self.start, kind, status, elapsed, redis_up())
            )

    def event(self, text: str) -> None:
        self.events.append((time.monotonic() - self.start, text))
        log(text)

    def print(self) -> None:
        buckets: dict[int, list] = defaultdict(list)
        for row in self.rows:
            buckets[int(row[0])].append(row)
        events = defaultdict(list)
        for at, text in self.events:
            events[int(at)].append(text)
        print(
            "  s  redis  requests (kind:status x count)                          max ms"
        )
        for second in range(0, max(buckets, default=0) + 1):
            rows = buckets.get(second, [])
            counts = Counter(f"{kind}:{status}" for _, kind, status, _, _ in rows)
            up = "up" if all(r[4] for r in rows) else ("down" if rows else "")
            slowest = max((r[3] for r in rows), default=0) * 1000
            text = "  ".join(f"{k}x{n}" for k, n in sorted(counts.items()))
            note = ("  <- " + "; ".join(events[second])) if second in events else ""
            print(f"{second:3d}  {up:<5}  {text:<58} {slowest:6.0f}{note}")


def poster(
    index, user, browser, base, papers, summaries, stop, timeline, acked, errors
):
    """Publish a summary of a new paper, then comment on someone's summary; repeat."""
    n = 0
    while not stop.is_set():
        n += 1
        token = f"p{index}n{n}"
        paper = papers[(index * 1000 + n) % len(papers)]
        actions = (
            (
                "save",
                f"/papers/{paper}/write/",
                {
                    "body": f"Summary {token}. The loss is $\\sum_i \\ell(x_i)$.",
                    "action": "publish",
                },
            ),
            (
                "comment",
                f"/summaries/{summaries[(index + n) % len(summaries)]}/comments/",
                {
                    "body": f"Comment {token}: why $\\sqrt{{n}}$?",
                    "parent": "",
                    "website": "",
                },
            ),
        )
        for kind, path, fields in actions:
            started = time.monotonic()
            try:
                response = request(
                    "POST", base, path,
                    form={"csrfmiddlewaretoken": browser.csrf_token, **fields},
                    cookies=browser.cookies, timeout=20,
                )  # fmt: skip
                status: int | str = response.status
            except OSError as exc:
                status = type(exc).__name__
            timeline.add(kind, status, time.monotonic() - started)
            if status == 302:
                acked[kind].append(token)
            else:
                errors.append(f"{kind} {token}: {status}")
        stop.wait(SECONDS_BETWEEN_POSTS)


def reader(base, papers, stop, timeline, errors):
    i = 0
    while not stop.is_set():
        i += 1
        started = time.monotonic()
        try:
            status: int | str = request(
                "GET", base, f"/papers/{papers[i % len(papers)]}/"
            ).status
        except OSError as exc:
            status = type(exc).__name__
        timeline.add("read", status, time.monotonic() - started)
        if status != 200:
            errors.append(f"read: {status}")
        stop.wait(0.25)


def pending(acked) -> str:
    """Say what is not yet rendered or mailed; empty when all is done."""
    from comments.models import Comment
    from community.models import Notification
    from shortscience import markup
    from summaries.models import Summary

    version = markup.RENDERER_VERSION
    summaries = Summary.objects.filter(body__startswith="Summary p").exclude(
        rendered_by=version
    )
    comments = Comment.objects.filter(body__startswith="Comment p").exclude(
        rendered_by=version
    )
    notified = Notification.objects.filter(comment__body__startswith="Comment p")
    missing = len(acked["comment"]) - notified.count()
    unmailed = notified.filter(emailed_at__isnull=True).count()
    if summaries.exists() or comments.exists() or missing > 0 or unmailed:
        return (
            f"{summaries.count()} summaries and {comments.count()} comments unrendered, "
            f"{missing} comments without a notification, {unmailed} notifications unmailed"
        )
    return ""


def check(acked, mail_dir: Path) -> list[str]:
    from comments.models import Comment
    from community.models import Notification
    from shortscience import markup
    from summaries.models import Summary

    problems = []
    version = markup.RENDERER_VERSION
    token = re.compile(r"(?:Summary|Comment) (p\d+n\d+)[.:]")
    for kind, model in (("save", Summary), ("comment", Comment)):
        prefix = "Summary p" if kind == "save" else "Comment p"
        rows = model.objects.filter(body__startswith=prefix).values_list(
            "body", "rendered_by", "body_html"
        )
        stored = Counter()
        for body, rendered_by, html in rows:
            t = token.match(body).group(1)
            stored[t] += 1
            if rendered_by != version or t not in html:
                problems.append(f"{kind} {t} not rendered")
        lost = [t for t in acked[kind] if not stored[t]]
        doubled = [t for t, n in stored.items() if n > 1]
        if lost:
            problems.append(f"{len(lost)} acknowledged {kind}s lost: {lost[:5]}")
        if doubled:
            problems.append(f"{len(doubled)} {kind}s stored twice: {doubled[:5]}")
    expected = Counter(
        token.match(body).group(1)
        for body in Notification.objects.filter(
            comment__body__startswith="Comment p"
        ).values_list("comment__body", flat=True)
    )
    mailed = Counter()
    for message in read_mails(mail_dir):
        match = re.search(r"Comment (p\d+n\d+):", mail_text(message))
        if match:
            mailed[match.group(1)] += 1
    if set(expected) != set(acked["comment"]):
        problems.append(
            f"{len(set(acked['comment']) - set(expected))} comments have no notification"
        )
    if mailed != expected:
        problems.append(
            f"{sum((expected - mailed).values())} notifications not mailed, "
            f"{sum((mailed - expected).values())} mailed more than once"
        )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage-seconds", type=float, default=15)
    parser.add_argument("--before-seconds", type=float, default=6)
    parser.add_argument("--after-seconds", type=float, default=8)
    parser.add_argument("--posters", type=int, default=8)
    parser.add_argument("--catch-up", type=float, default=60, help="seconds allowed")
    parser.add_argument(
        "--worker-behind", type=float, default=3, metavar="SECONDS",
        help="pause the worker this long before Redis stops, so tasks are queued in it",
    )  # fmt: skip
    args = parser.parse_args()

    require_services()
    with workdir("redis-down") as tmp:
        mail_dir = tmp / "mail"
        mail_dir.mkdir()
        db_name = f"shortscience_fault_redis_{os.getpid()}"
        env = server_env(
            db_name, redis_db=REDIS_DB, static_root=tmp / "static", mail_dir=mail_dir
        )
        django_setup(env)
        import dataset

        with throwaway_database(db_name):
            data = dataset.load(papers=300, progress=None)
            users = signed_in_users(args.posters, prefix="poster")
            collect_static(env)
            flush_redis_db(REDIS_DB)
            services = []
            try:
                services.append(start_worker(env, tmp, "worker", concurrency=2))
                server, base = start_gunicorn(env, tmp, workers=3)
                services.append(server)
                return run(args, data, users, base, mail_dir, services)
            finally:
                for service in reversed(services):
                    service.stop()
                if redis_up():
                    flush_redis_db(REDIS_DB)
                    flush_redis_db(REDIS_DB + 1)


def run(args, data, users, base, mail_dir, services) -> int:
    for _, browser in users:
        editor = request(
            "GET", base, f"/papers/{data.paper_ids[0]}/write/", cookies=browser.cookies
        )
        assert editor.status == 200, f"editor: HTTP {editor.status}"
        browser.remember_form(editor)
    summaries = [
        s for p in data.summarised_paper_ids for s in data.summaries_by_paper[p]
    ]
    stop = threading.Event()
    timeline = Timeline()
    acked: dict[str, list[str]] = {"save": [], "comment": []}
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=poster,
            args=(
                i,
                user,
                browser,
                base,
                data.paper_ids,
                summaries,
                stop,
                timeline,
                acked,
                errors,
            ),
        )
        for i, (user, browser) in enumerate(users)
    ]
    threads.append(
        threading.Thread(
            target=reader,
            args=(base, data.summarised_paper_ids, stop, timeline, errors),
        )
    )
    outage: list[float] = []
    try:
        for thread in threads:
            thread.start()
        time.sleep(args.before_seconds)
        if args.worker_behind:
            # The worker falls behind: tasks wait in the Redis queue when Redis goes.
            os.killpg(services[0].pid, signal.SIGSTOP)
            timeline.event("worker paused (SIGSTOP)")
            time.sleep(args.worker_behind)
        with redis_stopped():
            timeline.event("Redis stopped")
            down_at = time.monotonic()
            time.sleep(args.outage_seconds)
            timeline.event("starting Redis")
        outage.append(time.monotonic() - down_at)
        timeline.event("Redis answers again")
        if args.worker_behind:
            os.killpg(services[0].pid, signal.SIGCONT)
            timeline.event("worker resumed")
        time.sleep(args.after_seconds)
    finally:
        if args.worker_behind:
            os.killpg(services[0].pid, signal.SIGCONT)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    timeline.event("posting stopped")
    left = pending(acked)
    log(
        f"pending when posting stopped (the queue Redis lost included): {left or 'nothing'}"
    )
    # What was queued in Redis when it stopped is gone (it keeps nothing on disk). Beat's
    # periodic jobs pick such work up; run them now instead of waiting for their schedule.
    from community.tasks import send_pending_notifications
    from shortscience.tasks import rerender_stale

    rerender_stale.delay("summaries.Summary")
    rerender_stale.delay("comments.Comment")
    send_pending_notifications.delay(settle_seconds=0)
    timeline.event(
        "beat's catch-up jobs queued (re-render stale, send pending notifications)"
    )
    status = [""]

    def done() -> bool:
        status[0] = pending(acked)
        return not status[0]

    started = time.monotonic()
    caught = wait_until(done, args.catch_up, 1.0)
    waited = time.monotonic() - started
    problems = list(errors[:10])
    if not caught:
        problems.append(f"not caught up after {args.catch_up:.0f} s: {status[0]}")
    problems += check(acked, mail_dir)

    print()
    timeline.print()
    during = [r[3] * 1000 for r in timeline.rows if not r[4] and r[1] != "read"]
    normal = [r[3] * 1000 for r in timeline.rows if r[4] and r[1] != "read"]
    print()
    print(f"Redis was down {outage[0] if outage else 0:.1f} s")
    print(
        f"posts: {len(acked['save'])} summaries and {len(acked['comment'])} comments "
        f"acknowledged, {len(errors)} failed requests"
    )
    print(
        f"post latency with Redis up: p50 {percentile(normal, 50):.0f} ms, "
        f"p95 {percentile(normal, 95):.0f} ms; down (work done in-process): "
        f"p50 {percentile(during, 50):.0f} ms, p95 {percentile(during, 95):.0f} ms"
    )
    print(
        f"pending when posting stopped (the queue Redis lost included): {left or 'nothing'}"
    )
    print(
        f"rendering and mail caught up {waited:.1f} s after posting stopped"
        if caught
        else "not caught up"
    )
    worker_log = services[0].log_text()
    renders = len(re.findall(r"render_summary\[[^\]]+\] succeeded", worker_log))
    mails = len(re.findall(r"notify_comment\[[^\]]+\] succeeded", worker_log))
    print(f"the worker ran {renders} summary renders and {mails} notification tasks")
    for service in services:
        if not service.alive():
            problems.append(f"{service.name} died:\n{service.tail()}")
    if problems:
        print("FAILED:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(
        "OK: every post succeeded; every summary and comment rendered; every notification mailed once"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
