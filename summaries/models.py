import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from papers.models import Paper
from shortscience.models import TimeStampedModel


def new_share_token() -> str:
    return secrets.token_urlsafe(24)


def public_q(prefix: str = "", *, private_ok: bool = False) -> Q:
    """Return the rule for a public summary as a Q; `prefix` reaches it across a relation.

    Published, not private, not deleted, not hidden by a moderator. `prefix` is the
    lookup path to the summary, such as "summaries__" from a paper. `private_ok` drops
    the privacy condition, for the holder of a share link.
    """
    rule = {
        f"{prefix}status": Summary.Status.PUBLISHED,
        f"{prefix}deleted_at__isnull": True,
        f"{prefix}is_hidden": False,
    }
    if not private_ok:
        rule[f"{prefix}is_private"] = False
    return Q(**rule)


class SummaryQuerySet(models.QuerySet):
    """Who may read which summary is decided here, and only here.

    - Anyone, signed in or not: public summaries (`public_q`).
    - The writer: also their own drafts, private and hidden summaries.
    - Moderators (staff and the moderators group): also published summaries that a
      moderator hid, so they can review them before restoring; pages mark them hidden.
      Other writers' drafts and private summaries stay their writer's own.
    - Deleted summaries: nobody, on any page, feed or API answer (staff restore them in
      the admin). The writer's own data download is the one exception: it is their data.
    - A share link's holder: that one private summary (`shared`).

    Lists, feeds, sitemaps, dumps, search and the digest show the same page to everyone
    and use `public()`, which is `visible_to(None)`.
    """

    def public(self):
        """Return what any reader may see (what an anonymous viewer sees)."""
        return self.filter(public_q())

    def visible_to(self, viewer):
        """Return the summaries `viewer` (a user, AnonymousUser or None) may read."""
        if viewer is None or not viewer.is_authenticated:
            return self.public()
        rule = public_q() | Q(writer=viewer, deleted_at__isnull=True)
        if viewer.may_moderate:
            rule |= Q(
                status=Summary.Status.PUBLISHED,
                is_private=False,
                deleted_at__isnull=True,
            )
        return self.filter(rule)

    def shared(self, token: str):
        """Return the summary a share link opens while the link is on.

        The link lets its holder read a private summary as if it were public: drafts,
        deleted and hidden summaries stay closed to it.
        """
        return self.filter(share_token=token, share_enabled=True).filter(
            public_q(private_ok=True)
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
    # Rendered with body_html (shortscience.rendering): what lists show, and the text
    # search indexes and quotes in snippets.
    excerpt_html = models.TextField(blank=True)
    plain_text = models.TextField(blank=True)
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
    # Hidden by a moderator: kept, but gone from every public page, feed and API answer.
    is_hidden = models.BooleanField(default=False)
    # Whether the private share link works; revoking turns it off and renewing mints a new one.
    share_enabled = models.BooleanField(default=True)
    # An edit of a published summary that was autosaved but not yet saved by its writer.
    pending_body = models.TextField(blank=True, max_length=100_000)
    pending_saved_at = models.DateTimeField(null=True, blank=True)

    objects = SummaryQuerySet.as_manager()

    # Set on instances by the selectors that build pages, not stored.
    my_vote: int  # the viewer's vote: 1, -1 or 0
    viewer_is_author: bool  # the viewer is a claimed author of the paper
    my_endorsed: bool  # the viewer, a claimed author, endorses it
    my_response: Any  # the viewer's author response, if any
    by_paper_author: bool  # written by a claimed author of the paper
    paper_author_ids: set[int]  # the paper's claimed authors
    popularity: float  # this week's votes, on the home page
    threaded_comments: list[Any]  # the comment tree in reading order

    class Meta:
        verbose_name_plural = "summaries"
        ordering = ["-score", "-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "writer"], name="summary_one_per_writer"
            )
        ]
        indexes = [
            models.Index(fields=["status", "is_private", "-published_at"]),
            # A paper's public summaries, from the index alone: whether a paper has any
            # (a venue's coverage counts probe it once per paper), how many, which.
            # The condition is public_q() (a test holds them equal); it cannot be
            # called here, before the class exists.
            models.Index(
                fields=["paper"],
                condition=Q(
                    status="published",
                    deleted_at__isnull=True,
                    is_hidden=False,
                    is_private=False,
                ),
                name="summary_public_by_paper",
            ),
        ]

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
            and not self.is_hidden
        )

    def is_visible_to(self, viewer) -> bool:
        """Say whether `viewer` may read this summary (the rule of `visible_to`)."""
        if self.is_public:
            return True
        return Summary.objects.visible_to(viewer).filter(pk=self.pk).exists()

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


class SummaryRevision(models.Model):
    """The text of a published summary as one save left it."""

    summary = models.ForeignKey(
        Summary, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    body = models.TextField()
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "number"], name="revision_unique_number"
            )
        ]

    def __str__(self):
        return f"Revision {self.number} of summary {self.summary_id}"


class Citation(models.Model):
    """A paper a summary cites: \\cite{arXiv:...}, \\cite{doi:...} or a link to a paper page."""

    class Kind(models.TextChoices):
        ARXIV = "arxiv", "arXiv"
        DOI = "doi", "DOI"
        PAPER = "paper", "Paper on this site"

    summary = models.ForeignKey(
        Summary, on_delete=models.CASCADE, related_name="citations"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "kind", "value"], name="citation_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self):
        return f"{self.summary_id} cites {self.kind}:{self.value}"


class UploadedImage(models.Model):
    """An image a writer uploaded from the editor, re-encoded without its metadata."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="images"
    )
    file = models.FileField(upload_to="images/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.file.name


class Endorsement(models.Model):
    """A claimed author's word that a summary of their paper is accurate."""

    summary = models.ForeignKey(
        Summary, on_delete=models.CASCADE, related_name="endorsements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "author"], name="endorsement_once_per_author"
            )
        ]

    def __str__(self):
        return f"{self.author} endorses summary {self.summary_id}"


class AuthorResponseQuerySet(models.QuerySet):
    def stale(self, version: str):
        return self.exclude(rendered_by=version)

    def visible(self):
        """Not hidden by a moderator: what readers may see."""
        return self.filter(is_hidden=False)


class AuthorResponse(TimeStampedModel):
    """A claimed author's answer to a summary of their paper: one per author and summary.

    Markdown is the truth and body_html its cache, rendered like comments.
    """

    MAX_BODY = 10_000

    summary = models.ForeignKey(
        Summary, on_delete=models.CASCADE, related_name="author_responses"
    )
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="author_responses",
    )
    body = models.TextField(max_length=MAX_BODY)
    body_html = models.TextField(blank=True)
    rendered_by = models.CharField(max_length=50, blank=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a moderator: kept, but shown to nobody but moderators and its writer.
    is_hidden = models.BooleanField(default=False)

    objects = AuthorResponseQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "writer"], name="author_response_one_per_author"
            )
        ]

    def __str__(self):
        return f"Author response by {self.writer} to summary {self.summary_id}"

    def get_absolute_url(self):
        return f"{self.summary.get_absolute_url()}#response-{self.pk}"
