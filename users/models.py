from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


class User(AbstractUser):
    """A reader or writer of summaries. Sign-in is by e-mail or username (allauth)."""

    display_name = models.CharField(max_length=100, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    affiliation = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
    orcid = models.CharField("ORCID iD", max_length=19, blank=True)
    # Net score of the user's non-anonymous published summaries; kept current by the vote
    # service so that the users directory can sort on it.
    reputation = models.IntegerField(default=0, db_index=True)

    def __str__(self):
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("user-detail", kwargs={"username": self.username})
