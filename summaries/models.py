import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from papers.models import Paper
from shortscience.models import TimeStampedModel


def new_share_token() -> str:
    return secrets.token_urlsafe(24)


class SummaryQuerySet(models.QuerySet):
    def public(self):
        """Published, not private, not deleted: what any reader may see."""
        return self.filter(
            status=Summary.Status.PUBLISHED, is_private=False, deleted_at__isnull=True
        )

    def stale(self, version: str):
        return self.exclude(rendered_by=version)


class Summary(TimeStampedModel):
    """One writer's summary of one paper. Markdown is the truth; body_html is its cache."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="summaries")
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summaries"
    )
    body = models.TextField(max_length=100_000)
    body_html = models.TextField(blank=True)
    rendered_by = models.CharField(max_length=50, blank=True, db_index=True)
    is_anonymous = models.BooleanField("anonymous", default=False)
    is_private = models.BooleanField("private", default=False)
    share_token = models.CharField(max_length=64, unique=True, default=new_share_token)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The arXiv version that was current when the summary was written.
    arxiv_version = models.PositiveSmallIntegerField(null=True, blank=True)
    # Sum of the votes, kept by the vote service so lists can sort by it.
    score = models.IntegerField(default=0, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "summaries"
        ordering = ["-score", "-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "writer"], name="summary_one_per_writer"
            )
        ]
        indexes = [models.Index(fields=["status", "is_private", "-published_at"])]

    def __str__(self):
        return f"Summary of {self.paper} by {self.writer}"

    def get_absolute_url(self):
        return reverse("summary-detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and not self.is_private
            and self.deleted_at is None
        )

    @property
    def byline(self) -> str:
        """Name the writer as the public sees it."""
        return "Anonymous" if self.is_anonymous else self.writer.public_name


class Vote(TimeStampedModel):
    class Value(models.IntegerChoices):
        UP = 1, "Up"
        DOWN = -1, "Down"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=Value.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "summary"], name="vote_one_per_user"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[1, -1]), name="vote_value_plus_minus_one"
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.value:+d} on {self.summary_id}"
