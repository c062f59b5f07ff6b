from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base giving every row its creation and last-change times."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ProxiedImage(TimeStampedModel):
    """An image from another site that a summary or comment shows through the proxy.

    One row per address, keyed by its SHA-256 (`digest`); the image Pillow re-encoded is
    kept in the default storage under that digest, so it outlives its original host.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "not fetched yet"
        FETCHED = "fetched", "fetched and stored"
        FAILED = "failed", "fetch failed"

    url = models.TextField()
    digest = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(upload_to="proxied/", max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    fetched_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # No fetch is queued before this time: the backoff after a failure, or the lease of
    # a fetch already queued (a lost task is queued again once it passes).
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="fetched") | ~models.Q(file=""),
                name="proxiedimage_fetched_has_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.status})"
