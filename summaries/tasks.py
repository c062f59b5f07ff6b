from celery import shared_task

from shortscience import markup

from . import services
from .models import Summary


@shared_task
def render_summary(summary_id: int) -> None:
    """Render one summary's Markdown into its stored HTML."""
    services.summary_render(summary_id=summary_id)


@shared_task
def rerender_stale() -> int:
    """Re-render every summary whose HTML came from another renderer version."""
    ids = Summary.objects.stale(markup.RENDERER_VERSION).values_list("pk", flat=True)
    count = 0
    for summary_id in ids.iterator():
        count += services.summary_render(summary_id=summary_id)
    return count


@shared_task
def purge_deleted_summaries() -> int:
    """Remove for good the summaries deleted more than 30 days ago."""
    return services.summaries_purge_deleted()
