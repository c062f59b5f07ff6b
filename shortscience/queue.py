"""Queue Celery tasks after commit, falling back to running them here when the broker is down.

A user's input is already saved when a task is queued, so a broker outage must never turn a
save into an error: the work then runs in the web process instead.
"""

import logging
import threading

from django import db
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    """Queue `task(*args)` once the current transaction commits."""

    def send():
        try:
            task.apply_async(args=args, retry=False)
        except (OperationalError, ConnectionError, OSError) as exc:
            logger.warning(
                "broker unreachable (%s); running %s in-process", exc, task.name
            )
            task.apply(args=args)

    transaction.on_commit(send)


def enqueue_in_background(task, *args) -> None:
    """Queue `task(*args)` after commit; without a broker, run it in a thread.

    For work a person waits for on a page that updates itself (imports, title
    searches): with no broker, Celery runs tasks in-process, and running them in the
    request would hold the page until outside services answered. The setting
    TASKS_EAGER_IN_THREAD (off in tests, so they stay deterministic) turns the thread on.
    """
    if not (settings.CELERY_TASK_ALWAYS_EAGER and settings.TASKS_EAGER_IN_THREAD):
        enqueue(task, *args)
        return

    def run() -> None:
        try:
            task.apply(args=args)
        finally:
            db.connections.close_all()

    def start() -> None:
        threading.Thread(target=run, name=f"task-{task.name}", daemon=True).start()

    transaction.on_commit(start)
