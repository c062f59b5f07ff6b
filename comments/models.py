from django.conf import settings
from django.db import models

from shortscience.models import TimeStampedModel
from summaries.models import Summary


class CommentQuerySet(models.QuerySet):
    def stale(self, version: str):
        return self.exclude(rendered_by=version)

    def visible(self):
        """Not deleted and not hidden by a moderator: what readers may see."""
        return self.filter(deleted_at__isnull=True, is_hidden=False)


class Comment(TimeStampedModel):
    """A comment on a summary, or a reply to another comment. Deleting keeps the thread."""

    MAX_DEPTH = 3

    summary = models.ForeignKey(
        Summary, on_delete=models.CASCADE, related_name="comments"
    )
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The comment this one answers. Usually the parent; a reply to a comment on the last
    # level joins that level, so its parent is one level up while reply_to is the answered
    # comment, whose writer is notified.
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(max_length=10_000)
    body_html = models.TextField(blank=True)
    rendered_by = models.CharField(max_length=50, blank=True, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a moderator: kept, but shown to nobody but moderators.
    is_hidden = models.BooleanField(default=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Comment {self.pk} by {self.writer} on summary {self.summary_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_gone(self) -> bool:
        """Deleted or hidden: the thread keeps its place, the text is not shown."""
        return self.deleted_at is not None or self.is_hidden

    def get_absolute_url(self):
        return f"{self.summary.get_absolute_url()}#comment-{self.pk}"


class CommentRevision(models.Model):
    """The text a comment had before an edit."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Earlier text of comment {self.comment_id}"
