"""Actions on comments: post, reply, edit (with history), delete softly."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shortscience.queue import enqueue
from shortscience.rendering import render_stored
from summaries.models import Summary
from users.models import User

from .models import Comment, CommentRevision
from .signals import comment_posted

MAX_BODY = 10_000
# A new account may post this many comments an hour during its first day.
NEW_ACCOUNT_AGE = timedelta(days=1)
NEW_ACCOUNT_POSTS_PER_HOUR = 5


def comment_render(*, comment_id: int) -> bool:
    """Render a comment's Markdown and store the HTML, unless the text changed meanwhile."""
    return render_stored(Comment, comment_id)


def _queue_render(comment: Comment) -> None:
    from .tasks import render_comment

    enqueue(render_comment, comment.pk)


def _validate_body(body: str) -> str:
    body = body.replace("\x00", "")  # invisible, and refused by Postgres text columns
    if not body.strip():
        raise ValidationError("A comment cannot be empty.")
    if len(body) > MAX_BODY:
        raise ValidationError(
            f"A comment can be at most {MAX_BODY:,} characters long; this one has {len(body):,}."
        )
    return body


def check_can_post(user: User) -> None:
    """Refuse banned users, and slow down brand-new accounts."""
    if getattr(user, "is_banned", False):
        raise PermissionDenied("Your account is banned from posting.")
    if user.date_joined > timezone.now() - NEW_ACCOUNT_AGE:
        recent = Comment.objects.filter(
            writer=user, created_at__gt=timezone.now() - timedelta(hours=1)
        ).count()
        if recent >= NEW_ACCOUNT_POSTS_PER_HOUR:
            raise ValidationError(
                "New accounts can post 5 comments an hour during their first day. "
                "Please wait a little."
            )


@transaction.atomic
def comment_create(
    *, summary: Summary, writer: User, body: str, parent: Comment | None = None
) -> Comment:
    """Save a comment (or a reply, at most three levels deep) and queue its rendering."""
    check_can_post(writer)
    body = _validate_body(body)
    if not summary.is_public and summary.writer_id != writer.pk:
        raise PermissionDenied("This summary cannot be commented on.")
    depth = 0
    if parent is not None:
        if parent.summary_id != summary.pk:
            raise ValidationError("A reply must be on the same summary as its parent.")
        if parent.depth >= Comment.MAX_DEPTH - 1:
            # Replies past the last level join the deepest allowed level.
            parent = parent.parent
        depth = parent.depth + 1
    comment = Comment(
        summary=summary, writer=writer, body=body, parent=parent, depth=depth
    )
    comment.save()
    _queue_render(comment)
    transaction.on_commit(lambda: comment_posted.send(sender=Comment, comment=comment))
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, by: User, body: str) -> Comment:
    """Change a comment's text, keeping the old text in its history."""
    if comment.writer_id != by.pk:
        raise PermissionDenied("Only the writer of a comment can edit it.")
    if comment.is_gone:
        raise ValidationError("A deleted comment cannot be edited.")
    check_can_post(by)
    body = _validate_body(body)
    if body == comment.body:
        return comment
    CommentRevision.objects.create(comment=comment, body=comment.body)
    comment.body = body
    comment.edited_at = timezone.now()
    comment.rendered_by = ""
    comment.save(update_fields=["body", "edited_at", "rendered_by", "updated_at"])
    _queue_render(comment)
    return comment


def comment_delete(*, comment: Comment, by: User) -> Comment:
    """Delete softly: the thread keeps its place and shows "[deleted]"."""
    if comment.writer_id != by.pk and not by.is_staff:
        raise PermissionDenied("Only the writer of a comment can delete it.")
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at", "updated_at"])
    return comment


def comment_save_from_admin(*, comment: Comment) -> Comment:
    with transaction.atomic():
        comment.save()
        _queue_render(comment)
    return comment
