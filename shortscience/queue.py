"""Queue Celery tasks after commit, falling back to running them here when the broker is down.

A user's input is already saved when a task is queued, so a broker outage must never turn a
save into an error: the work then runs in the web process instead.
"""

import logging

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
