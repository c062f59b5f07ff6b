from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property

from .orcid import validate_orcid

# The shared, inactive account that keeps the summaries and comments of deleted accounts
# whose writers chose to leave them up. Sign-up refuses this name and the "deleted-" prefix.
DELETED_USERNAME = "deleted-user"
DELETED_DISPLAY_NAME = "deleted user"
RESERVED_USERNAME_PREFIX = "deleted-"
# Members of this group moderate content, as staff do.
MODERATORS_GROUP = "moderators"


class User(AbstractUser):
    """A reader or writer of summaries. Sign-in is by e-mail or username (allauth)."""

    display_name = models.CharField(max_length=100, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    affiliation = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
    orcid = models.CharField(
        "ORCID iD",
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text="Like 0000-0002-1825-0097, or its https://orcid.org/ address.",
    )
    # Net score of the user's non-anonymous published summaries; kept current by the vote
    # service so that the users directory can sort on it.
    reputation = models.IntegerField(default=0, db_index=True)
    notify_on_comment = models.BooleanField(
        "E-mail me when someone comments on my summary", default=True
    )
    notify_on_reply = models.BooleanField(
        "E-mail me when someone replies to my comment", default=True
    )
    # Set by moderators; the posting services refuse banned users.
    is_banned = models.BooleanField(default=False)

    def __str__(self):
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @cached_property
    def may_moderate(self) -> bool:
        """Staff and the moderators group may hide, restore and review content.

        Kept for the life of this object (one request), as pages ask several times.
        """
        if not self.is_active:
            return False
        return self.is_staff or self.groups.filter(name=MODERATORS_GROUP).exists()

    @property
    def has_public_profile(self) -> bool:
        """Whether the account has a profile page to link to and follow.

        Inactive accounts have none: among them the "deleted user" placeholders that
        hold what deleted accounts left behind.
        """
        return self.is_active

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""

    @property
    def avatar_url(self) -> str:
        return reverse("users:user-avatar", kwargs={"username": self.username})

    def get_absolute_url(self):
        return reverse("user-detail", kwargs={"username": self.username})


# What a byline shows of a user: its name (public_name), the link to its profile
# (get_absolute_url) and whether there is one (has_public_profile).
BYLINE_FIELDS = frozenset({"id", "username", "display_name", "is_active"})


def byline_deferred(relation: str) -> list[str]:
    """The user columns no byline shows, reached through `relation` ("writer"), for
    QuerySet.defer(): pages naming many writers leave the rest in the table."""
    return [
        f"{relation}__{field.name}"
        for field in User._meta.concrete_fields
        if field.name not in BYLINE_FIELDS
    ]
