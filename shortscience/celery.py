"""The Celery app, wired per Celery's "First steps with Django" recipe.

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os
import sys

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
