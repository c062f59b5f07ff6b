from django.conf import settings
from django.db import models

from authors.models import AuthorClaim
from comments.models import Comment
from papers import links
from papers.models import Paper
from summaries.models import Summary


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user):
        """Return the user's notifications about summaries they may still read.

        A summary made private, hidden or deleted after the comment takes its
        notifications out of the list of whoever may no longer read it.
        """
        return self.filter(recipient=user).filter(
            models.Q(comment__isnull=True)
            | models.Q(
                comment__summary__in=Summary.objects.visible_to(user).values("pk")
            )
        )


class Notification(models.Model):
    """Something a user should know about: a comment on their summary, a reply to them,
    the decision on their authorship claim."""

    class Kind(models.TextChoices):
        COMMENT = "comment", "New comment on your summary"
        REPLY = "reply", "Reply to your comment"
        CLAIM_APPROVED = "claim-approved", "Your authorship claim is approved"
        CLAIM_REJECTED = "claim-rejected", "Your authorship claim is rejected"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What it is about: a comment, or an authorship claim.
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    claim = models.ForeignKey(
        AuthorClaim,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set in the same transaction as the mail is handed over, so a retried task never
    # sends twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "comment", "kind"], name="notification_once"
            ),
            models.UniqueConstraint(
                fields=["recipient", "claim", "kind"], name="notification_claim_once"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient}"


class Report(models.Model):
    """A reader's report of a summary or comment, waiting for a moderator."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports",
    )
    summary = models.ForeignKey(
        Summary, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.TextField(max_length=1000)
    # Marked as spam by the reporter; from a trusted reporter that hides the post at once.
    is_spam = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(summary__isnull=False, comment__isnull=True)
                | models.Q(summary__isnull=True, comment__isnull=False),
                name="report_names_one_target",
            )
        ]

    def __str__(self):
        return f"Report {self.pk} by {self.reporter}"

    @property
    def target(self):
        return self.summary or self.comment


class PaperLinkQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=PaperLink.Status.APPROVED)

    def pending(self):
        return self.filter(status=PaperLink.Status.PENDING)


class PaperLink(models.Model):
    """A code, project, data or video link a writer added to a paper.

    Shown on the paper page once a moderator approves it (a moderator's own link is
    approved as it is added). `url` is in papers.links' normal form and `url_key` is its
    key, so that one paper lists an address once however it was typed.
    """

    class Kind(models.TextChoices):
        CODE = links.CODE, links.KINDS[links.CODE]
        PROJECT = links.PROJECT, links.KINDS[links.PROJECT]
        DATA = links.DATA, links.KINDS[links.DATA]
        VIDEO = links.VIDEO, links.KINDS[links.VIDEO]

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a moderator"
        APPROVED = "approved", "Shown"
        REJECTED = "rejected", "Turned down"

    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="added_links"
    )
    url = models.URLField(max_length=links.MAX_URL)
    url_key = models.CharField(max_length=links.MAX_URL)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="paper_links",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = PaperLinkQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "url_key"], name="paper_link_once_per_paper"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.url} for paper {self.paper_id}"

    def as_found(self) -> links.FoundLink:
        return links.FoundLink(self.url, self.kind, links.WRITER)


class ModerationLog(models.Model):
    """Who did what to which content: the audit trail of moderation."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hid"
        RESTORE = "restore", "Restored"
        BAN = "ban", "Banned"
        UNBAN = "unban", "Unbanned"
        DISMISS = "dismiss", "Dismissed a report on"
        CLAIM = "claim", "Decided an authorship claim of"
        APPROVE_LINK = "approve-link", "Approved a link on"
        REJECT_LINK = "reject-link", "Turned down a link on"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    summary = models.ForeignKey(
        Summary, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paper_link = models.ForeignKey(
        PaperLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.actor} {self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"
