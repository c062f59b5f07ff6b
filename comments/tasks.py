from celery import shared_task

from shortscience import markup

from . import services
from .models import Comment


@shared_task
def render_comment(comment_id: int) -> None:
    """Render one comment's Markdown into its stored HTML."""
    services.comment_render(comment_id=comment_id)


@shared_task
def rerender_stale_comments() -> int:
    """Re-render every comment whose HTML came from another renderer version."""
    ids = Comment.objects.stale(markup.RENDERER_VERSION).values_list("pk", flat=True)
    count = 0
    for comment_id in ids.iterator():
        count += services.comment_render(comment_id=comment_id)
    return count
