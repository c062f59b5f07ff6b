from django.db.models import Prefetch, Q, QuerySet

from papers.models import Authorship

from .models import Summary


def _with_paper(qs: QuerySet) -> QuerySet:
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


def attach_my_votes(summaries, user) -> None:
    """Set `my_vote` (1, -1 or 0) on each summary for the viewing user, in one query."""
    from .models import Vote

    votes = {}
    if user.is_authenticated and summaries:
        votes = dict(
            Vote.objects.filter(user=user, summary__in=summaries).values_list(
                "summary_id", "value"
            )
        )
    for summary in summaries:
        summary.my_vote = votes.get(summary.pk, 0)


def summary_list_citing(*, paper) -> QuerySet[Summary]:
    """Return public summaries that cite a paper (by arXiv id, DOI or a link to its page)."""
    keys = Q(citations__kind="paper", citations__value=str(paper.pk))
    if paper.arxiv_id:
        keys |= Q(citations__kind="arxiv", citations__value=paper.arxiv_id)
    if paper.doi:
        keys |= Q(citations__kind="doi", citations__value=paper.doi)
    return (
        Summary.objects.public()
        .filter(keys)
        .exclude(paper=paper)
        .select_related("writer", "paper")
        .distinct()
        .order_by("-score", "-published_at")
    )


def summary_for(*, paper, writer) -> Summary | None:
    """Return the writer's summary of the paper (one per writer and paper), if any."""
    return Summary.objects.filter(
        paper=paper, writer=writer, deleted_at__isnull=True
    ).first()
