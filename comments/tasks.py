from celery import shared_task

from shortscience.tasks import render_row, rerender_stale


# render_comment and rerender_stale_comments keep their names because messages already
# queued (and comments.services, which queues render_comment) refer to them; both hand
# over to the shared tasks in shortscience/tasks.py.
@shared_task
def render_comment(comment_id: int) -> None:
    """Render one comment's Markdown into its stored HTML."""
    render_row("comments.Comment", comment_id)


@shared_task
def rerender_stale_comments() -> int:
    """Re-render every comment whose HTML came from another renderer version."""
    return rerender_stale("comments.Comment")
