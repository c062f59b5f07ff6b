from django.conf import settings
from django.db import models
from django.db.models import Q

from papers.models import Author, Paper
from shortscience.models import TimeStampedModel


class AuthorClaimQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=AuthorClaim.Status.APPROVED)

    def active(self):
        """Pending or approved: what a user may have only one of per paper."""
        return self.filter(status__in=AuthorClaim.ACTIVE)


class AuthorClaim(TimeStampedModel):
    """A user's claim to be an author of a paper; approved, they are its claimed author.

    ORCID approves a claim on its own when the claimant is among the paper's listed
    authors and their verified ORCID record lists the paper (DOI or arXiv id); every
    other claim waits for a moderator.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a moderator"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Method(models.TextChoices):
        ORCID = "orcid", "The ORCID record lists this paper"
        MODERATOR = "moderator", "Checked by a moderator"

    ACTIVE = (Status.PENDING, Status.APPROVED)

    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="author_claims"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_claims"
    )
    # The listed author whose name matches the claimant's, if one does. An Author, not
    # an Authorship: metadata refreshes rewrite a paper's author list, its names stay.
    author = models.ForeignKey(
        Author,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claims",
    )
    # The verified ORCID iD the claim was made with.
    orcid = models.CharField("ORCID iD", max_length=19)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    note = models.TextField("note to the moderators", max_length=1000, blank=True)
    # When the ORCID record was read, and what it said ("" before).
    orcid_checked_at = models.DateTimeField(null=True, blank=True)
    orcid_result = models.CharField(max_length=300, blank=True)
    reason = models.TextField("moderator's reason", max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AuthorClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "user"],
                condition=Q(status__in=["pending", "approved"]),
                name="author_claim_one_active",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.user} claims {self.paper} ({self.status})"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
