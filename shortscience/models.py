from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base giving every row its creation and last-change times."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
