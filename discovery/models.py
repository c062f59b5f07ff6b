from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least

from papers.models import Keyword, Paper, Venue
from shortscience.models import TimeStampedModel

# Activity on a paper's summaries, saturating: one summary or a few votes help a little,
# hundreds of votes never more than half again.
_ACTIVITY = F("summary_count") + Greatest(F("summary_score"), Value(0))
_SCORE_BOOST = Value(1.0) + Value(0.5) * _ACTIVITY / (_ACTIVITY + Value(5.0))
# Newer papers rank a little higher: +1% a year from 2000, at most +25%.
_RECENCY_BOOST = Value(1.0) + Value(0.25) * Greatest(
    Value(0.0),
    Least(Value(1.0), (Coalesce(F("year"), Value(2000)) - Value(2000)) / Value(25.0)),
)


class PaperIndex(models.Model):
    """One row per paper: what search and the discovery lists read instead of the joins.

    Database triggers (installed by this app's migrations, on Postgres and SQLite alike)
    keep the paper part current on every write to papers, authors and keywords, bulk
    imports included. The summary part (text, count, score) follows
    `Summary.objects.public()` and is written by `services.index_summaries`, which the
    summary signals and a periodic job call.
    """

    paper = models.OneToOneField(
        Paper, primary_key=True, on_delete=models.CASCADE, related_name="index"
    )
    title = models.TextField(blank=True)
    authors = models.TextField(blank=True, help_text="Names in order, comma-separated.")
    venue = models.ForeignKey(
        Venue,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # Postgres: title (A), authors (B), keywords and abstract (C), public summaries (D).
    # The triggers rewrite the A-C part and keep the D part; index_summaries does the
    # reverse (ts_filter splits them by weight). SQLite keeps its text in discovery_fts.
    document = SearchVectorField(db_default="", editable=False)
    summary_count = models.PositiveIntegerField(default=0)
    summary_score = models.IntegerField(default=0)
    last_summary_at = models.DateTimeField(null=True, blank=True)
    request_count = models.PositiveIntegerField(default=0)
    # Multiplies text relevance, and orders the candidates of very broad queries.
    boost = models.GeneratedField(
        expression=_SCORE_BOOST * _RECENCY_BOOST,
        output_field=models.FloatField(),
        db_persist=True,
    )

    class Meta:
        verbose_name_plural = "paper index"
        indexes = [
            models.Index(F("boost").desc(), F("paper").desc(), name="disc_idx_boost"),
            models.Index(
                F("boost").desc(),
                F("paper").desc(),
                name="disc_idx_boost_summarised",
                condition=Q(summary_count__gt=0),
            ),
            # A broad search within a venue or a year walks its papers in boost order.
            models.Index(
                F("venue"),
                F("boost").desc(),
                F("paper").desc(),
                name="disc_idx_venue_boost",
            ),
            models.Index(
                F("year"),
                F("boost").desc(),
                F("paper").desc(),
                name="disc_idx_year_boost",
            ),
            models.Index(fields=["venue", "year"], name="disc_idx_venue_year"),
            models.Index(fields=["year"], name="disc_idx_year"),
            models.Index(
                F("request_count").desc(),
                F("paper").desc(),
                name="disc_idx_wanted",
                condition=Q(request_count__gt=0),
            ),
            models.Index(
                F("venue"),
                F("year"),
                F("request_count").desc(),
                F("paper").desc(),
                name="disc_idx_wanted_venue",
                condition=Q(request_count__gt=0),
            ),
        ]

    def __str__(self):
        return f"Index of paper {self.paper_id}"


class SummaryRequest(TimeStampedModel):
    """A reader's wish for a summary of a paper; one per reader and paper."""

    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="summary_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="summary_requests",
    )
    # Set once the requester has been told about the first summary; never mailed twice.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "user"], name="summary_request_one_per_user"
            )
        ]
        indexes = [
            models.Index(
                fields=["paper"],
                name="disc_request_unnotified",
                condition=Q(notified_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.user} wants a summary of paper {self.paper_id}"


class Follow(TimeStampedModel):
    """A reader following exactly one venue, keyword or writer."""

    class Kind(models.TextChoices):
        VENUE = "venue", "Venue"
        KEYWORD = "keyword", "Keyword"
        WRITER = "writer", "Writer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    keyword = models.ForeignKey(
        Keyword, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(venue__isnull=False, keyword__isnull=True, writer__isnull=True)
                    | Q(venue__isnull=True, keyword__isnull=False, writer__isnull=True)
                    | Q(venue__isnull=True, keyword__isnull=True, writer__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "venue"],
                condition=Q(venue__isnull=False),
                name="follow_unique_venue",
            ),
            models.UniqueConstraint(
                fields=["user", "keyword"],
                condition=Q(keyword__isnull=False),
                name="follow_unique_keyword",
            ),
            models.UniqueConstraint(
                fields=["user", "writer"],
                condition=Q(writer__isnull=False),
                name="follow_unique_writer",
            ),
        ]

    def __str__(self):
        return f"{self.user} follows {self.target}"

    @property
    def kind(self) -> str:
        if self.venue_id:
            return self.Kind.VENUE
        if self.keyword_id:
            return self.Kind.KEYWORD
        return self.Kind.WRITER

    @property
    def kind_label(self) -> str:
        return self.Kind(self.kind).label

    @property
    def target(self):
        return self.venue or self.keyword or self.writer


class SearchTerm(models.Model):
    """A word of some paper's title or author names: what typos are corrected against.

    Postgres only: the index triggers add the words, and a pg_trgm index finds the
    closest ones. Words are never removed; a stale one only costs a wasted suggestion.
    """

    word = models.CharField(max_length=100, primary_key=True)

    def __str__(self):
        return self.word
