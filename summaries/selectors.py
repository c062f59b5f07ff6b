from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from authors.models import AuthorClaim
from authors.selectors import claimed_authors_by_paper
from papers.models import Authorship

from .models import AuthorResponse, Citation, Endorsement, Summary


def _endorsement_count() -> Coalesce:
    counts = (
        Endorsement.objects.filter(summary=OuterRef("pk"))
        .order_by()
        .values("summary")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def _response_count() -> Coalesce:
    counts = (
        AuthorResponse.objects.filter(summary=OuterRef("pk"))
        .order_by()
        .values("summary")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def _with_paper(qs: QuerySet) -> QuerySet:
    """Add paper, venue, authors, writer and `endorsement_count` (summary cards)."""
    qs = qs.annotate(endorsement_count=_endorsement_count())
    return qs.select_related("writer", "paper", "paper__venue").prefetch_related(
        Prefetch(
            "paper__authorships",
            queryset=Authorship.objects.select_related("author").order_by("position"),
        )
    )


def summary_list_latest() -> QuerySet[Summary]:
    """Return public summaries, newest first, with paper, venue, authors and writer."""
    return _with_paper(Summary.objects.public()).order_by("-published_at", "-pk")


def summary_list_top() -> QuerySet[Summary]:
    """Return public summaries, highest score first."""
    return _with_paper(Summary.objects.public()).order_by(
        "-score", "-published_at", "-pk"
    )


def summary_list_for_writer(*, writer, include_anonymous: bool) -> QuerySet[Summary]:
    qs = Summary.objects.public().filter(writer=writer)
    if not include_anonymous:
        qs = qs.filter(is_anonymous=False)
    return _with_paper(qs).order_by("-published_at", "-pk")


def my_votes(user, summary_ids) -> dict[int, int]:
    """Return {summary id: 1 or -1} for the user's votes among these summaries."""
    from .models import Vote

    return dict(
        Vote.objects.filter(user=user, summary_id__in=summary_ids).values_list(
            "summary_id", "value"
        )
    )


def attach_my_votes(summaries, user, *, authored: set[int] | None = None) -> None:
    """Set `my_vote` (1, -1 or 0) on each summary for the viewing user, and
    `viewer_is_author` (the viewer is a claimed author of its paper: their vote is
    recorded but not counted), in two queries, or one when `authored` (the ids of the
    papers the viewer is a claimed author of, among these) is known."""
    votes = {}
    if user.is_authenticated and summaries:
        votes = my_votes(user, [s.pk for s in summaries])
        if authored is None:
            authored = set(
                AuthorClaim.objects.approved()
                .filter(user=user, paper_id__in={s.paper_id for s in summaries})
                .values_list("paper_id", flat=True)
            )
    authored = authored or set()
    for summary in summaries:
        summary.my_vote = votes.get(summary.pk, 0)
        summary.viewer_is_author = summary.paper_id in authored
        if summary.viewer_is_author:
            # From the prefetched rows on full summaries (with_authors_voice).
            summary.my_endorsed = any(
                e.author_id == user.pk for e in summary.endorsements.all()
            )
            summary.my_response = next(
                (r for r in summary.author_responses.all() if r.writer_id == user.pk),
                None,
            )


def with_authors_voice(qs: QuerySet[Summary]) -> QuerySet[Summary]:
    """Add the endorsements and author responses a full summary shows."""
    return qs.prefetch_related(
        Prefetch("endorsements", queryset=Endorsement.objects.select_related("author")),
        Prefetch(
            "author_responses",
            queryset=AuthorResponse.objects.select_related("writer"),
        ),
    )


def with_authors_voice_counts(qs: QuerySet[Summary]) -> QuerySet[Summary]:
    """Count each summary's endorsements and author responses in the same query, for
    attach_authors_voice."""
    return qs.annotate(
        endorsement_count=_endorsement_count(), response_count=_response_count()
    )


def _no_rows(queryset: QuerySet) -> QuerySet:
    """An empty queryset already evaluated, as a prefetch leaves one: reading it builds
    no SQL (a bare .none() compiles its query on each first read)."""
    empty = queryset.none()
    empty._result_cache = []
    empty._prefetch_done = True  # type: ignore[attr-defined]
    return empty


def attach_authors_voice(summaries) -> None:
    """Load the endorsements and author responses of the summaries that have any.

    The summaries come from with_authors_voice_counts: those without any get empty
    lists at no query, so a page whose summaries nobody endorsed or answered pays
    nothing for them.
    """
    wanted = {
        "endorsements": (
            [s for s in summaries if s.endorsement_count],
            Endorsement.objects.select_related("author"),
        ),
        "author_responses": (
            [s for s in summaries if s.response_count],
            AuthorResponse.objects.select_related("writer"),
        ),
    }
    for name, (some, queryset) in wanted.items():
        if some:
            prefetch_related_objects(some, Prefetch(name, queryset=queryset))
        for summary in summaries:
            cache = summary.__dict__.setdefault("_prefetched_objects_cache", {})
            if name not in cache:
                cache[name] = _no_rows(queryset)


def attach_author_marks(summaries, *, known: dict[int, set[int]] | None = None) -> None:
    """Mark the summaries and comments written by their paper's claimed authors.

    Sets `by_paper_author` on each summary (never on anonymous ones: the badge would
    say who wrote it) and on each comment of `threaded_comments`, in one query, or
    none when `known` ({paper id: claimed author ids}) is given.
    """
    authors = (
        known
        if known is not None
        else claimed_authors_by_paper(paper_ids=[s.paper_id for s in summaries])
    )
    for summary in summaries:
        ids = authors.get(summary.paper_id, set())
        summary.paper_author_ids = ids
        summary.by_paper_author = not summary.is_anonymous and summary.writer_id in ids
        for comment in getattr(summary, "threaded_comments", ()):
            comment.by_paper_author = comment.writer_id in ids


def summary_list_citing(*, paper) -> QuerySet[Summary]:
    """Return public summaries that cite a paper (by arXiv id, DOI or a link to its page),
    with the writer's name and the cited-from paper's title (a line each on its page)."""
    keys = Q(kind="paper", value=str(paper.pk))
    if paper.arxiv_id:
        keys |= Q(kind="arxiv", value=paper.arxiv_id)
    if paper.doi:
        keys |= Q(kind="doi", value=paper.doi)
    # A summary citing the paper twice is listed once, without a DISTINCT over its rows.
    citing = Citation.objects.filter(keys).values("summary_id")
    return (
        Summary.objects.public()
        .filter(pk__in=citing)
        .exclude(paper=paper)
        .select_related("writer", "paper")
        .only(
            "pk",
            "paper",
            "writer",
            "is_anonymous",
            "score",
            "published_at",
            "paper__title",
            "writer__username",
            "writer__display_name",
        )
        .order_by("-score", "-published_at")
    )


# What a summary's row holds beyond what a list of it or a link to it shows.
SUMMARY_TEXT = ("body", "body_html", "excerpt_html", "plain_text", "pending_body")


def summary_for(*, paper, writer, text: bool = True) -> Summary | None:
    """Return the writer's summary of the paper (one per writer and paper), if any.

    `text=False`: without its text (SUMMARY_TEXT), for a link to it.
    """
    found = Summary.objects.filter(paper=paper, writer=writer, deleted_at__isnull=True)
    return (found if text else found.defer(*SUMMARY_TEXT)).first()
