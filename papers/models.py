import re
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import slugify

from shortscience.models import TimeStampedModel


class Venue(TimeStampedModel):
    """A conference, journal, workshop or preprint server that papers appear in."""

    class Kind(models.TextChoices):
        CONFERENCE = "conference", "Conference"
        JOURNAL = "journal", "Journal"
        WORKSHOP = "workshop", "Workshop"
        PREPRINT = "preprint", "Preprint server"

    short_name = models.CharField(max_length=50, help_text='Such as "ICLR".')
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.CONFERENCE
    )
    url = models.URLField(blank=True)
    # The venue's id on OpenReview, "{year}" standing for the year:
    # "ICLR.cc/{year}/Conference"; "" for venues that do not review there.
    openreview_id = models.CharField(
        "OpenReview id",
        max_length=200,
        blank=True,
        help_text='Such as "ICLR.cc/{year}/Conference" ({year} stands for the year) '
        'or "TMLR"; empty when the venue does not review on OpenReview.',
    )

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        return reverse("papers:venue-detail", kwargs={"slug": self.slug})

    def openreview_id_for(self, year: int) -> str:
        """The venue-year's OpenReview id ("ICLR.cc/2024/Conference"), "" if none."""
        return self.openreview_id.replace("{year}", str(year))


def normalise_alias(text: str) -> str:
    """Lower-case, keep letters, digits and slashes, collapse spaces: the alias lookup key."""
    text = re.sub(r"[^\w/ ]+", " ", text.lower())
    return " ".join(text.split())


class VenueAlias(models.Model):
    """A raw venue string or DBLP key prefix ("conf/nips") that names a venue."""

    alias = models.CharField(
        max_length=300, unique=True, help_text="Stored normalised."
    )
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name_plural = "venue aliases"
        ordering = ["alias"]

    def __str__(self):
        return f"{self.alias} -> {self.venue}"

    def save(self, *args, **kwargs):
        self.alias = normalise_alias(self.alias)
        super().save(*args, **kwargs)


class Keyword(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("papers:keyword-detail", kwargs={"slug": self.slug})


class Author(models.Model):
    name = models.CharField(max_length=300, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# Which summaries are public is summaries/' rule, and summaries/ sits above papers/: it
# registers the rule here when the apps load (SummariesConfig.ready), so papers/ can count
# public summaries without importing upward.
_public_summary_rule: Callable[[str], Q] | None = None


def public_summary_rule_register(rule: Callable[[str], Q]) -> None:
    global _public_summary_rule
    _public_summary_rule = rule


def public_summaries_q(prefix: str) -> Q:
    """Return the public-summary rule as a Q, reached through the lookup path `prefix`."""
    if _public_summary_rule is None:
        raise ImproperlyConfigured("the summaries app is not installed or not ready")
    return _public_summary_rule(prefix)


class PaperQuerySet(models.QuerySet):
    def with_public_summary_count(self):
        """Annotate `public_summary_count`, a subquery per paper row returned.

        A subquery rather than a join and GROUP BY: a page of a 3,000-paper list counts
        the summaries of its 50 papers only, after the sort and the limit.
        """
        summaries = self.model._meta.get_field("summaries").related_model
        counts = (
            summaries._default_manager.filter(
                public_summaries_q(""), paper=OuterRef("pk")
            )
            .order_by()
            .values("paper")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            public_summary_count=Coalesce(
                Subquery(counts, output_field=models.IntegerField()), 0
            )
        )


# How many authors a row or a card names before "et al." (includes/_authors_short.html).
AUTHORS_SHOWN = 5


class Paper(TimeStampedModel):
    """A paper. Its metadata comes from arXiv, BibSonomy or Crossref, never typed by hand."""

    class Source(models.TextChoices):
        ARXIV = "arxiv", "arXiv"
        BIBSONOMY = "bibsonomy", "BibSonomy"
        CROSSREF = "crossref", "Crossref"
        DBLP = "dblp", "dblp"
        MANUAL = "manual", "Manual"
        OPENREVIEW = "openreview", "OpenReview"

    class Decision(models.TextChoices):
        """What the venue decided, as OpenReview records it."""

        ORAL = "oral", "Oral"
        SPOTLIGHT = "spotlight", "Spotlight"
        POSTER = "poster", "Poster"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DESK_REJECTED = "desk_rejected", "Desk rejected"
        PENDING = "pending", "Under review"

    title = models.TextField()
    # normalise_title(title): finds the same paper arriving from another source.
    title_key = models.CharField(max_length=300, blank=True, db_index=True)
    abstract = models.TextField(blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    published_on = models.DateField("first published", null=True, blank=True)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="papers"
    )
    # Outside keys are stored without decoration ("" when unknown) and unique when set.
    arxiv_id = models.CharField("arXiv id", max_length=40, blank=True, db_index=True)
    arxiv_version = models.PositiveSmallIntegerField(null=True, blank=True)
    doi = models.CharField("DOI", max_length=255, blank=True, db_index=True)
    bibsonomy_interhash = models.CharField(max_length=32, blank=True)
    bibtex_key = models.CharField(max_length=255, blank=True)
    # The dblp record key ("conf/nips/VaswaniSPUJGKP17"): old ShortScience links use it.
    dblp_key = models.CharField("DBLP key", max_length=255, blank=True)
    # Electronic-edition links from dblp (publisher page, DOI, OpenReview forum, ...).
    links = models.JSONField(default=list, blank=True)
    # The paper's OpenReview forum ("rJ4km2R5t7" in openreview.net/forum?id=rJ4km2R5t7).
    openreview_id = models.CharField("OpenReview forum id", max_length=100, blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    url = models.URLField(max_length=500, blank=True)
    pdf_url = models.URLField("PDF url", max_length=500, blank=True)
    source = models.CharField(
        max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    journal_ref = models.CharField(max_length=500, blank=True)
    # The authors' free-text comment on arXiv ("15 pages. Code: https://github.com/..."),
    # as their latest version gives it.
    arxiv_comment = models.TextField("arXiv comment", blank=True)
    arxiv_checked_at = models.DateTimeField("arXiv last checked", null=True, blank=True)
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="papers")
    authors = models.ManyToManyField(
        Author, through="Authorship", related_name="papers"
    )

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["arxiv_id"],
                condition=~Q(arxiv_id=""),
                name="paper_unique_arxiv_id",
            ),
            models.UniqueConstraint(
                fields=["doi"], condition=~Q(doi=""), name="paper_unique_doi"
            ),
            models.UniqueConstraint(
                fields=["bibsonomy_interhash"],
                condition=~Q(bibsonomy_interhash=""),
                name="paper_unique_interhash",
            ),
            models.UniqueConstraint(
                fields=["bibtex_key"],
                condition=~Q(bibtex_key=""),
                name="paper_unique_bibtex_key",
            ),
            models.UniqueConstraint(
                fields=["dblp_key"],
                condition=~Q(dblp_key=""),
                name="paper_unique_dblp_key",
            ),
            models.UniqueConstraint(
                fields=["openreview_id"],
                condition=~Q(openreview_id=""),
                name="paper_unique_openreview_id",
            ),
        ]
        indexes = [
            # A venue-year's papers in title order: a page of a 3,000-paper year reads
            # its 50 rows from the index (title_key is the normalised title, short
            # enough for any title to fit in a B-tree entry).
            models.Index(
                fields=["venue", "year", "title_key", "id"],
                name="paper_venue_year_title",
            ),
            # A venue's coverage counts by year and decision (selectors.venue_years)
            # from the index alone, without visiting its papers' rows.
            models.Index(
                fields=["venue", "year", "decision"],
                include=["id"],
                name="paper_venue_year_decision",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("paper-detail", kwargs={"pk": self.pk})

    @property
    def author_names_short(self) -> tuple[list[str], bool]:
        """The first AUTHORS_SHOWN authors' names, first author first, and whether the
        paper has more ("et al."): from the names a page of rows attached
        (papers.selectors.attach_listed_authors), else the prefetched authorships."""
        names = self.__dict__.get("listed_author_names")
        if names is None:
            names = [authorship.author.name for authorship in self.authorships.all()]
        return names[:AUTHORS_SHOWN], len(names) > AUTHORS_SHOWN

    @property
    def arxiv_abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}" if self.arxiv_id else ""

    @property
    def arxiv_pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}" if self.arxiv_id else ""

    @property
    def openreview_url(self) -> str:
        """The paper's OpenReview forum: its own, or one its links (from dblp) name."""
        if self.openreview_id:
            return f"https://openreview.net/forum?id={self.openreview_id}"
        return next(
            (
                link
                for link in self.links or []
                if link.startswith("https://openreview.net/forum?id=")
            ),
            "",
        )

    @property
    def dblp_url(self) -> str:
        return f"https://dblp.org/rec/{self.dblp_key}" if self.dblp_key else ""

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def via(self) -> str:
        """Name the service the metadata came from, for "via arXiv" on the page."""
        return "" if self.source == self.Source.MANUAL else self.get_source_display()


class Authorship(models.Model):
    """An author's place in a paper's author list (position 0 is the first author)."""

    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="authorships"
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="authorships"
    )
    position = models.PositiveSmallIntegerField()
    affiliation = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "position"], name="authorship_unique_position"
            )
        ]

    def __str__(self):
        return f"{self.author} ({self.position + 1})"


class PaperImport(TimeStampedModel):
    """One request to import a paper, saved before any network call so it is never lost."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    identifier = models.CharField(max_length=500)
    source = models.CharField(max_length=20, choices=Paper.Source.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )
    requested_by = models.ForeignKey(
        "users.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Problem(models.TextChoices):
        """What went wrong last, in words a reader understands (last_error keeps detail)."""

        NONE = "", "None"
        UNAVAILABLE = "unavailable", "The source did not answer"
        NOT_FOUND = "not_found", "The source does not know the paper"
        UNREADABLE = "unreadable", "The source's answer could not be read"
        REFUSED = "refused", "The source refused the request"
        NOT_SET_UP = "not_set_up", "The source is not set up on this site"

    problem = models.CharField(
        max_length=12, choices=Problem.choices, default=Problem.NONE, blank=True
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_source_display()} {self.identifier} ({self.status})"

    @property
    def problem_text(self) -> str:
        """The last problem as a plain sentence, never an exception's text."""
        source = self.get_source_display()
        problem = self.Problem
        if self.problem == problem.UNAVAILABLE:
            return f"{source} did not answer"
        if self.problem == problem.NOT_FOUND:
            return f"No paper with that identifier on {source}"
        if self.problem == problem.UNREADABLE:
            return f"{source} sent an answer that could not be read"
        if self.problem == problem.REFUSED:
            return f"{source} refused the request"
        if self.problem == problem.NOT_SET_UP:
            return f"Importing from {source} is not set up on this site"
        return ""

    def get_absolute_url(self):
        return reverse("papers:import-detail", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ArxivHarvest(models.Model):
    """Where the OAI-PMH harvest of one arXiv set stands, saved after every page.

    A harvest that dies mid-list resumes from `resumption_token` (arXiv's tokens last
    long enough for a worker restart); once the list is complete, `harvested_until` moves
    on and the token is cleared, so the next run asks only for what is newer.
    """

    set_spec = models.CharField(max_length=50, unique=True)
    harvested_until = models.DateField(null=True, blank=True)
    # The run in progress: its date range and the token of its next page.
    from_date = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    resumption_token = models.CharField(max_length=500, blank=True)
    pages = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.set_spec} until {self.harvested_until}"


class VenueSync(models.Model):
    """What one import of a venue-year (from dblp or OpenReview) found and changed.

    Written by every import, by hand or by the daily sync, so the staff page shows what
    each run brought in.
    """

    class Source(models.TextChoices):
        DBLP = "dblp", "dblp"
        OPENREVIEW = "openreview", "OpenReview"

    ran_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    # What was read: a dblp key ("conf/nips") or an OpenReview id ("ICLR.cc/2024/Conference").
    key = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    periodic = models.BooleanField(
        default=False, help_text="Run by the daily sync rather than by hand."
    )
    found = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(
        default=0, help_text="Papers already here that gained the source's record."
    )
    linked = models.PositiveIntegerField(
        default=0, help_text="Papers newly linked to their arXiv version."
    )
    summary = models.TextField()
    errors = models.TextField(blank=True)

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self):
        return self.summary

    @property
    def changed(self) -> bool:
        return bool(self.created or self.matched or self.linked)


class VenueYearCount(models.Model):
    """A venue-year's coverage counts by decision, kept so that pages never count them.

    Counting a venue's papers and their summaries reads every paper of the venue (tens of
    thousands for a large one), so the counts are stored here: papers.services.coverage
    recounts a venue-year after each write that changes them (a summary published or
    taken down, an import, a merge, a staff edit), and recounts every venue each hour to
    take in what was written around the services.
    """

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="counts")
    year = models.PositiveSmallIntegerField()
    # "" for papers without an OpenReview decision.
    decision = models.CharField(max_length=20, blank=True)
    paper_count = models.PositiveIntegerField()
    summarised_count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "year", "decision"], name="venue_year_count_unique"
            )
        ]

    def __str__(self):
        return f"{self.venue_id} {self.year} {self.decision or '-'}: {self.paper_count}"
