"""The Celery app, wired per Celery's "First steps with Django" recipe.

https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shortscience.settings.dev")

app = Celery("shortscience")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _refuse_to_start_unless_configured(**kwargs: object) -> None:
    """A worker or beat in production starts only with every service configured."""
    from .checks import refuse_to_start_unless_configured

    refuse_to_start_unless_configured()
