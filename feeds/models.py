from django.conf import settings
from django.db import models

from shortscience.models import TimeStampedModel


class DigestSubscription(TimeStampedModel):
    """A user's choice about the weekly e-mail digest; no row means not subscribed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digest_subscription",
    )
    subscribed = models.BooleanField(default=False)

    def __str__(self):
        state = "subscribed" if self.subscribed else "unsubscribed"
        return f"{self.user} ({state})"


class DigestDelivery(models.Model):
    """One digest e-mail to one user for one week.

    The row is written in the same transaction as the sending, and the unique
    (user, week) pair makes a second run of the weekly job skip the user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digest_deliveries",
    )
    # Monday of the ISO week the digest covers.
    week = models.DateField()
    summary_count = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "digest deliveries"
        ordering = ["-week", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week"], name="digest_delivery_once_per_week"
            )
        ]

    def __str__(self):
        return f"Digest for {self.user}, week of {self.week}"
