"""Venue-years from OpenReview: accepted papers with their decision and forum.

A venue that reviews on OpenReview names its id there (Venue.openreview_id, such as
"ICLR.cc/{year}/Conference"). Its submissions are read a page at a time (API 2, or API 1
for the years before a venue moved) and written through papers_upsert, so a paper already
here (from dblp, whose links name the forum, from arXiv, or by title and first author)
gains its forum and decision instead of getting a twin. Rejected, withdrawn and undecided
submissions are left out unless staff ask for them; then they are stored with their
decision but outside the venue's list.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from ..models import Paper, Venue, VenueSync
from ..sources.clients import openreview_client
from ..sources.http import SourceError
from ..sources.openreview import OpenReviewClient, OpenReviewRecord
from .merge import papers_upsert
from .records import data_from_openreview
from .venues import venue_sync_record

logger = logging.getLogger(__name__)

WRITE_CHUNK = 500
API_VERSIONS = (1, 2)


@dataclass
class OpenReviewImportReport:
    """What one import of a venue-year from OpenReview found and changed."""

    venue: str  # the venue's slug
    year: int
    openreview_id: str
    api: int = 2
    found: int = 0  # submissions OpenReview listed (accepted only, unless asked)
    stored: int = 0  # papers written
    created: int = 0  # papers new to the site
    matched: int = 0  # papers already here that now carry their forum
    left_out: int = 0  # rejected, withdrawn or undecided, not stored
    decisions: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.matched)

    def summary(self) -> str:
        decided = ", ".join(
            f"{n} {d.replace('_', ' ')}" for d, n in sorted(self.decisions.items())
        )
        text = (
            f"{self.openreview_id} (OpenReview API {self.api}): {self.found} "
            f"submissions, {self.stored} stored ({decided or 'none'}), "
            f"{self.created} new, {self.matched} matched to papers already here, "
            f"{self.left_out} rejected, withdrawn or undecided left out"
        )
        if self.errors:
            text += "; errors: " + "; ".join(self.errors)
        return text


def _in_year(record: OpenReviewRecord, year: int, dated: bool) -> bool:
    # A venue without years in its id (a journal such as TMLR) lists every year at
    # once: a paper belongs to the year OpenReview published it.
    if dated:
        return True
    return record.published is not None and record.published.year == year


def _store(records: list[OpenReviewRecord], *, venue: Venue, year: int, report) -> None:
    for start in range(0, len(records), WRITE_CHUNK):
        chunk = records[start : start + WRITE_CHUNK]
        datas = [
            data_from_openreview(r, venue=venue, year=year) for r in chunk if r.title
        ]
        known = set(
            Paper.objects.filter(
                openreview_id__in=[d.openreview_id for d in datas]
            ).values_list("openreview_id", flat=True)
        )
        results = papers_upsert(datas)
        report.stored += len(datas)
        report.created += sum(created for _, created in results)
        report.matched += sum(
            1
            for (_, created), data in zip(results, datas, strict=True)
            if not created and data.openreview_id not in known
        )


def venue_import_openreview(
    *,
    venue: Venue,
    year: int,
    include_rejected: bool = False,
    api: int | None = None,
    openreview_id: str = "",
    client: OpenReviewClient | None = None,
    periodic: bool = False,
) -> OpenReviewImportReport:
    """Bring the papers `venue` accepted in `year` in from OpenReview; return a report.

    `api` forces API 1 or 2; left out, API 2 is asked first and API 1 when API 2 lists
    nothing (the years before the venue moved). `include_rejected` stores rejected and
    withdrawn submissions too, with their decision. Re-running is idempotent.
    """
    openreview_id = openreview_id or venue.openreview_id_for(year)
    if not openreview_id:
        raise ValueError(f"{venue} has no OpenReview id; set one in the admin")
    client = client or openreview_client()
    dated = str(year) in openreview_id
    report = OpenReviewImportReport(
        venue=venue.slug, year=year, openreview_id=openreview_id, api=api or 2
    )
    for version in (api,) if api else (2, 1):
        report.api = version
        if version == 2:
            pages = client.submissions(
                openreview_id, accepted_only=not include_rejected
            )
        else:
            pages = client.submissions_v1(openreview_id)
        for page in pages:
            records = [r for r in page if _in_year(r, year, dated)]
            report.found += len(records)
            kept = [r for r in records if include_rejected or r.accepted]
            report.left_out += len(records) - len(kept)
            report.decisions.update(r.decision for r in kept)
            _store(kept, venue=venue, year=year, report=report)
        if report.found:
            break
    logger.info("OpenReview import %s", report.summary())
    venue_sync_record(
        source=VenueSync.Source.OPENREVIEW,
        key=openreview_id,
        year=year,
        periodic=periodic,
        found=report.found,
        created=report.created,
        matched=report.matched,
        summary=report.summary(),
        errors=report.errors,
    )
    return report


def openreview_sync(
    *, slugs: list[str], today: date | None = None, client=None
) -> list[OpenReviewImportReport]:
    """Re-read this year's and last year's accepted papers of each venue (by slug)."""
    today = today or timezone.localdate()
    reports = []
    for venue in Venue.objects.filter(slug__in=slugs).exclude(openreview_id=""):
        for year in (today.year - 1, today.year):
            try:
                report = venue_import_openreview(
                    venue=venue, year=year, client=client, periodic=True
                )
            except SourceError as exc:
                report = OpenReviewImportReport(
                    venue=venue.slug,
                    year=year,
                    openreview_id=venue.openreview_id_for(year),
                )
                report.errors.append(f"OpenReview: {exc.message}")
                venue_sync_record(
                    source=VenueSync.Source.OPENREVIEW,
                    key=report.openreview_id,
                    year=year,
                    periodic=True,
                    summary=report.summary(),
                    errors=report.errors,
                )
            reports.append(report)
    return reports
