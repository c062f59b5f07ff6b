"""Keep each venue-year's coverage counts ("N of M papers summarised") in VenueYearCount.

Pages read the stored counts; only the writes that change them recount, one venue-year
at a time, in their own transaction (`venue_counts_changed`), and an hourly job recounts
every venue (`venues_recount`) for papers and summaries written around the services. A
recount that changes nothing leaves the venue's pages alone; one that changes a count
moves the venue's "venue-papers" version, so its pages show the new counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from shortscience.cache import cache_touch

from ..models import Paper, Venue, VenueYearCount, public_summaries_q

Counts = dict[tuple[int, str], tuple[int, int]]


def _count(venue_id: int, years: list[int] | None) -> Counts:
    """Count a venue's papers and summarised papers by (year, decision)."""
    summaries = Paper._meta.get_field("summaries").related_model
    summarised = Exists(
        summaries._default_manager.filter(public_summaries_q(""), paper=OuterRef("pk"))
    )
    papers = Paper.objects.filter(venue_id=venue_id, year__isnull=False)
    if years is not None:
        papers = papers.filter(year__in=years)
    # One pass over the venue's papers (an index-only scan of paper_venue_year_decision),
    # each probing the public-summary index once, counted by year and decision at once.
    rows = (
        papers.annotate(summarised=summarised)
        .values("year", "decision")
        .annotate(
            paper_count=Count("pk"),
            summarised_count=Count("pk", filter=Q(summarised=True)),
        )
        .order_by()
    )
    # Papers without a year were left out above.
    return {
        (cast(int, r["year"]), r["decision"]): (r["paper_count"], r["summarised_count"])
        for r in rows
    }


def venue_counts_store(
    *, venue_id: int, years: Iterable[int] | None = None, first: bool = False
) -> bool:
    """Recount a venue's coverage (only `years`, or every year) and store it.

    Returns whether any count changed; if so, the venue's pages are made stale, unless
    this is the `first` count of a venue or year, taken by a page that found none stored:
    no page showed other counts for it before, and the page asking is showing these.
    """
    wanted = sorted(set(years)) if years is not None else None
    with transaction.atomic():
        # One recount of a venue at a time: two would each delete, then both insert.
        if not Venue.objects.select_for_update().filter(pk=venue_id).exists():
            return False
        stored = VenueYearCount.objects.filter(venue_id=venue_id)
        if wanted is not None:
            stored = stored.filter(year__in=wanted)
        before: Counts = {
            (row.year, row.decision): (row.paper_count, row.summarised_count)
            for row in stored
        }
        counts = _count(venue_id, wanted)
        if counts == before:
            return False
        stored.delete()
        VenueYearCount.objects.bulk_create(
            VenueYearCount(
                venue_id=venue_id,
                year=year,
                decision=decision,
                paper_count=papers,
                summarised_count=summarised,
            )
            for (year, decision), (papers, summarised) in counts.items()
        )
        if not first:
            cache_touch("venue-papers", venue_id)
    return True


def venue_counts_changed(venue_years: Iterable[tuple[int | None, int | None]]) -> None:
    """Recount these (venue id, year) pairs, in the transaction of the write that changed
    them, so that the counts change with it: at most one venue-year's papers are read
    per pair (a few milliseconds for the largest).

    Venues are locked in id order, always after everything else a write locks.
    """
    by_venue: dict[int, set[int]] = {}
    for venue_id, year in venue_years:
        if venue_id is not None and year is not None:
            by_venue.setdefault(venue_id, set()).add(year)
    for venue_id, years in sorted(by_venue.items()):
        venue_counts_store(venue_id=venue_id, years=years)


def venues_recount() -> int:
    """Recount every venue; return how many venues' counts had drifted."""
    return sum(
        venue_counts_store(venue_id=pk)
        for pk in Venue.objects.order_by("pk").values_list("pk", flat=True)
    )
