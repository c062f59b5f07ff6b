from django.core.exceptions import ValidationError
from django.db import transaction

from shortscience import markup
from shortscience.queue import enqueue
from summaries.models import Summary
from users.models import User

from .models import Comment


def comment_render(*, comment_id: int) -> bool:
    """Render a comment's Markdown and store the HTML, unless the text changed meanwhile."""
    row = Comment.objects.filter(pk=comment_id).values_list("body", flat=True).first()
    if row is None:
        return False
    html = markup.render(row)
    updated = Comment.objects.filter(pk=comment_id, body=row).update(
        body_html=html, rendered_by=markup.RENDERER_VERSION
    )
    return bool(updated)


def _queue_render(comment: Comment) -> None:
    from .tasks import render_comment

    enqueue(render_comment, comment.pk)


@transaction.atomic
def comment_create(
    *, summary: Summary, writer: User, body: str, parent: Comment | None = None
) -> Comment:
    """Save a comment (or a reply, at most three levels deep) and queue its rendering."""
    depth = 0
    if parent is not None:
        if parent.summary_id != summary.pk:
            raise ValidationError("a reply must be on the same summary as its parent")
        depth = min(parent.depth + 1, Comment.MAX_DEPTH - 1)
        if parent.depth >= Comment.MAX_DEPTH - 1:
            # Replies past the last level attach to the deepest allowed comment's parent.
            parent = parent.parent
    comment = Comment(
        summary=summary, writer=writer, body=body, parent=parent, depth=depth
    )
    comment.full_clean()
    comment.save()
    _queue_render(comment)
    return comment


def comment_save_from_admin(*, comment: Comment) -> Comment:
    with transaction.atomic():
        comment.save()
        _queue_render(comment)
    return comment
