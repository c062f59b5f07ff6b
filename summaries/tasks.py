from celery import shared_task

from shortscience.tasks import render_row
from shortscience.tasks import rerender_stale as rerender_stale_task

from . import services


# render_summary and rerender_stale keep their names because messages already queued
# (and summaries.services, which queues render_summary) refer to them; both hand over
# to the shared tasks in shortscience/tasks.py.
@shared_task
def render_summary(summary_id: int) -> None:
    """Render one summary's Markdown into its stored HTML."""
    render_row("summaries.Summary", summary_id)


@shared_task
def rerender_stale() -> int:
    """Re-render every summary whose HTML came from another renderer version."""
    return rerender_stale_task("summaries.Summary")


@shared_task
def purge_deleted_summaries() -> int:
    """Remove for good the summaries deleted more than 30 days ago."""
    return services.summaries_purge_deleted()
