import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from papers.models import Paper
from shortscience.models import TimeStampedModel


def new_share_key() -> str:
    return secrets.token_urlsafe(12)


class ReadingList(TimeStampedModel):
    """An ordered list of papers, with a note on each, kept by one user and its editors."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: listed on your profile, anyone can follow it"
        UNLISTED = "unlisted", "Unlisted: only people with the link can see it"
        PRIVATE = "private", "Private: only you and the list's editors"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_lists"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # The secret part of an unlisted list's link; a new key withdraws the old link.
    share_key = models.CharField(max_length=32, default=new_share_key)
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="edited_reading_lists",
        help_text="Members of a reading group who may add, annotate and reorder papers.",
    )
    papers = models.ManyToManyField(Paper, through="ListItem", related_name="+")

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lists:list-detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    def share_url(self) -> str:
        """Return the address that opens an unlisted list (the plain one otherwise)."""
        if self.visibility == self.Visibility.UNLISTED:
            return f"{self.get_absolute_url()}?key={self.share_key}"
        return self.get_absolute_url()


class ListItem(models.Model):
    """One paper on a list, where it stands and what the list's keepers note about it."""

    reading_list = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="items"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "paper"], name="list_item_unique_paper"
            )
        ]

    def __str__(self):
        return f"{self.paper} on {self.reading_list}"


class ListFollow(models.Model):
    """A reader following a public list (its new papers reach their Atom reader)."""

    reading_list = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "user"], name="list_follow_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} follows {self.reading_list}"
