"""Actions on comments: post, reply, edit (with history), delete softly, hide."""

from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shortscience.cache import cache_touch
from shortscience.queue import enqueue
from shortscience.rendering import render_stored
from summaries.models import Summary
from users.models import User
from users.policy import Action, ensure_can_write, recent_since
from users.probation import probation_check, probation_hold

from .models import Comment, CommentRevision
from .signals import comment_posted

MAX_BODY = 10_000


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


def _ensure_can_comment(user: User) -> None:
    """Apply the write policy, with the new-account limit counted on comments."""
    ensure_can_write(
        user,
        action=Action.COMMENT,
        recent=lambda: Comment.objects.filter(
            writer=user, created_at__gt=recent_since()
        ).count(),
    )


def _posts_by(writer: User) -> int:
    """Count the writer's posts so far: published summaries and comments."""
    return (
        Comment.objects.filter(writer=writer).count()
        + Summary.objects.filter(writer=writer, status=Summary.Status.PUBLISHED).count()
    )


@transaction.atomic
def comment_create(
    *, summary: Summary, writer: User, body: str, parent: Comment | None = None
) -> Comment:
    """Save a comment (or a reply, at most three levels deep) and queue its rendering.

    A reply to a comment on the last level joins that level, next to it, but still
    records the comment it answers so that its writer hears of it.
    """
    _ensure_can_comment(writer)
    body = _validate_body(body)
    if not summary.is_public and summary.writer_id != writer.pk:
        raise PermissionDenied("This summary cannot be commented on.")
    depth = 0
    reply_to = parent
    if parent is not None:
        if parent.summary_id != summary.pk:
            raise ValidationError("A reply must be on the same summary as its parent.")
        if parent.depth >= Comment.MAX_DEPTH - 1:
            # Replies past the last level join the deepest allowed level.
            parent = cast(Comment, parent.parent)
        depth = parent.depth + 1
    held = probation_check(writer, body=body, prior_posts=lambda: _posts_by(writer))
    comment = Comment(
        summary=summary,
        writer=writer,
        body=body,
        parent=parent,
        reply_to=reply_to,
        depth=depth,
        is_hidden=bool(held),
    )
    comment.save()
    if held:
        probation_hold(comment=comment, reason=held)
    _queue_render(comment)
    cache_touch("thread", summary.pk)  # its comment tree (and count) changed
    transaction.on_commit(lambda: comment_posted.send(sender=Comment, comment=comment))
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, by: User, body: str) -> Comment:
    """Change a comment's text, keeping the old text in its history."""
    if comment.writer_id != by.pk:
        raise PermissionDenied("Only the writer of a comment can edit it.")
    if comment.is_gone:
        raise ValidationError("A deleted comment cannot be edited.")
    _ensure_can_comment(by)
    body = _validate_body(body)
    if body == comment.body:
        return comment
    CommentRevision.objects.create(comment=comment, body=comment.body)
    comment.body = body
    comment.edited_at = timezone.now()
    comment.rendered_by = ""
    comment.save(update_fields=["body", "edited_at", "rendered_by", "updated_at"])
    _queue_render(comment)
    cache_touch("comment", comment.pk)
    return comment


def comment_delete(*, comment: Comment, by: User) -> Comment:
    """Delete softly: the thread keeps its place and shows "[deleted]"."""
    if comment.writer_id != by.pk and not by.is_staff:
        raise PermissionDenied("Only the writer of a comment can delete it.")
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at", "updated_at"])
    cache_touch("comment", comment.pk)
    cache_touch("thread", comment.summary_id)  # counts of comments shown
    return comment


def comment_set_hidden(*, comment: Comment, hidden: bool) -> Comment:
    """Hide a comment from readers (moderation) or show it again; the text is kept."""
    comment.is_hidden = hidden
    comment.save(update_fields=["is_hidden", "updated_at"])
    cache_touch("comment", comment.pk)
    cache_touch("thread", comment.summary_id)
    return comment


def comment_save_from_admin(*, comment: Comment) -> Comment:
    with transaction.atomic():
        comment.save()
        _queue_render(comment)
        cache_touch("thread", comment.summary_id)
    return comment
