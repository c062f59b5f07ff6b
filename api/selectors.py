"""Reads behind the API: public summaries only, papers with their public summary counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from authors.models import AuthorClaim
from community.selectors import approved_links_prefetch
from papers import selectors as papers_selectors
from papers.models import Authorship, Paper, Venue
from summaries.models import Summary
from summaries.selectors import with_authors_voice
from users.models import User


def _public_summary_count() -> Coalesce:
    counts = (
        Summary.objects.public()
        .filter(paper=OuterRef("pk"))
        .order_by()
        .values("paper")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def paper_list(*, filters: Q | None = None) -> QuerySet[Paper]:
    """Return papers with venue, ordered authors, `summary_count` (public only) and
    their approved code and project links."""
    qs = Paper.objects.annotate(summary_count=_public_summary_count())
    if filters is not None:
        qs = qs.filter(filters)
    return qs.select_related("venue").prefetch_related(
        Prefetch(
            "authorships",
            queryset=Authorship.objects.select_related("author").order_by("position"),
        ),
        approved_links_prefetch(),
    )


class BadSearch(ValueError):
    pass


class BadSearchCursor(BadSearch):
    pass


def paper_search(
    *, query: str, limit: int, cursor: str | None
) -> tuple[list[Paper], str | None]:
    """Return one page of the site's full-text search and the next page's cursor.

    The ranking and its cursors are discovery's; the papers are loaded here, so each
    carries the same public summary count as everywhere else in the API.
    """
    from discovery import selectors as discovery_selectors
    from discovery.query import InvalidCursor, InvalidQuery

    try:
        found = discovery_selectors.search(query, limit=limit, cursor=cursor)
    except InvalidCursor as exc:
        raise BadSearchCursor(exc.message) from exc
    except InvalidQuery as exc:
        raise BadSearch(exc.message) from exc
    if found.mode == "paper" and found.paper is not None:
        ids = [found.paper.pk]
    else:
        ids = [hit.paper.pk for hit in found.hits]
    by_id = {paper.pk: paper for paper in paper_list(filters=Q(pk__in=ids))}
    papers = [by_id[pk] for pk in ids if pk in by_id]
    return papers, found.next_cursor


def summary_list(*, filters: Q | None = None) -> QuerySet[Summary]:
    """Return public summaries with writer and paper."""
    qs = with_authors_voice(Summary.objects.public().select_related("writer", "paper"))
    if filters is not None:
        qs = qs.filter(filters)
    return qs


def summary_list_for_writer(*, writer: User, viewer: User | None) -> QuerySet[Summary]:
    """Return a writer's public summaries; anonymous ones only to the writer."""
    qs = summary_list(filters=Q(writer=writer))
    if viewer is None or viewer.pk != writer.pk:
        qs = qs.filter(is_anonymous=False)
    return qs


def summary_get_visible(*, pk: int, viewer: User | None) -> Summary | None:
    """Return a summary the viewer may read (`Summary.objects.visible_to`), or None."""
    return (
        with_authors_voice(Summary.objects.visible_to(viewer))
        .select_related("writer", "paper")
        .filter(pk=pk)
        .first()
    )


def venue_list() -> QuerySet[Venue]:
    """Return venues with their paper counts, by short name."""
    return Venue.objects.annotate(paper_count=Count("papers")).order_by(
        "short_name", "pk"
    )


def venue_years(*, venue: Venue) -> list[Mapping[str, Any]]:
    """Return [{year, paper_count, summarised_count}] for a venue, newest year first.

    The stored counts the venue pages show (papers.selectors.venue_coverage).
    """
    return papers_selectors.venue_years(venue=venue)


def claim_list_for_paper(*, paper: Paper, viewer: User | None) -> QuerySet[AuthorClaim]:
    """Return a paper's approved claims, and the viewer's own claims of any state."""
    shown = Q(status=AuthorClaim.Status.APPROVED)
    if viewer is not None:
        shown |= Q(user=viewer)
    return (
        AuthorClaim.objects.filter(paper=paper)
        .filter(shown)
        .select_related("user", "author")
        .order_by("created_at", "pk")
    )
