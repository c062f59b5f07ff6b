from celery import shared_task

from shortscience.tasks import render_row
from shortscience.tasks import rerender_stale as rerender_stale_task

from . import services
from .models import Summary
from .signals import summary_changed


# render_summary and rerender_stale keep their names because messages already queued
# (and summaries.services, which queues render_summary) refer to them; both hand over
# to the shared tasks in shortscience/tasks.py.
@shared_task
def render_summary(summary_id: int) -> None:
    """Render one summary's Markdown into its stored HTML, excerpt and plain text.

    A new plain text changes what search indexes and quotes, so listeners hear of it
    (the render may finish after the search index took the text of the save).
    """
    if render_row("summaries.Summary", summary_id):
        summary = Summary.objects.filter(pk=summary_id).first()
        if summary is not None:
            summary_changed.send(sender=Summary, summary=summary)


@shared_task
def rerender_stale() -> int:
    """Re-render every summary whose HTML came from another renderer version."""
    return rerender_stale_task("summaries.Summary")


@shared_task
def purge_deleted_summaries() -> int:
    """Remove for good the summaries deleted more than 30 days ago."""
    return services.summaries_purge_deleted()
