"""The Celery app, wired per Celery's "First steps with Django" recipe.

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os
import sys
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.dev")

app = Celery("shortscience")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_to_start_unless_configured(**kwargs: object) -> None:
    """A worker or beat in production starts only with every service configured."""
    from django.core.exceptions import ImproperlyConfigured

    from .checks import refuse_to_start_unless_configured

    try:
        refuse_to_start_unless_configured()
    except ImproperlyConfigured as exc:
        # Celery logs and swallows a handler's exceptions; SystemExit stops the process.
        print(exc, file=sys.stderr)
        raise SystemExit(1) from exc


@signals.beat_init.connect
def _hold_the_beat_lock(sender: object = None, **kwargs: object) -> None:
    """Only one beat at a time: wait for the lock, keep it while running."""
    from .beatlock import beat_lock_hold

    beat_lock_hold()


# --- Seeing it run (shortscience/observability.py) ----------------------------------------
# The id of the request that queued a task travels in the message headers; the worker puts
# it back in place for the task's log lines. Each task's outcome is counted for /metrics.
REQUEST_ID_TASK_HEADER = "shortscience_request_id"


@signals.before_task_publish.connect
def _send_the_request_id(headers: dict | None = None, **kwargs: object) -> None:
    from .observability import current_request_id

    rid = current_request_id()
    if rid and headers is not None:
        headers[REQUEST_ID_TASK_HEADER] = rid


@signals.task_prerun.connect
def _take_the_request_id(task: Any = None, **kwargs: object) -> None:
    from .observability import request_id_set

    rid = getattr(task.request, REQUEST_ID_TASK_HEADER, None) if task else None
    if rid:
        task.request._shortscience_token = request_id_set(str(rid))


@signals.task_postrun.connect
def _drop_the_request_id(task: Any = None, **kwargs: object) -> None:
    from .observability import request_id_reset

    token = getattr(task.request, "_shortscience_token", None) if task else None
    if token is not None:
        request_id_reset(token)
        task.request._shortscience_token = None


@signals.task_success.connect
def _count_success(sender: Any = None, **kwargs: object) -> None:
    _count(sender, "success")


@signals.task_failure.connect
def _count_failure(sender: Any = None, **kwargs: object) -> None:
    _count(sender, "failure")


@signals.task_retry.connect
def _count_retry(sender: Any = None, **kwargs: object) -> None:
    _count(getattr(kwargs.get("request"), "task", None) or sender, "retry")


def _count(task: Any, outcome: str) -> None:
    from .observability import task_outcome_record

    name = task if isinstance(task, str) else getattr(task, "name", "unknown")
    task_outcome_record(task_name=name, outcome=outcome)
