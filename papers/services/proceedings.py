"""Complete venue-years from dblp, the list of record, linked to their arXiv versions.

dblp is read a page (up to 1,000 papers) at a time and each page is written through
papers_upsert, so a paper already here (from arXiv, BibSonomy, Crossref or an earlier
run) gains its dblp key instead of getting a twin, and memory stays bounded by a page.
Papers still without an arXiv version are then looked up on arXiv by title, a batch of
titles per request through the rate-limited arXiv client, and linked where the title
and first author agree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from shortscience.identifiers import normalise_title

from ..models import Authorship, Paper, Venue, VenueSync
from ..sources.arxiv import ArxivClient, ArxivRecord
from ..sources.clients import arxiv_client, dblp_client
from ..sources.dblp import DblpClient, toc_name
from ..sources.http import SourceError, TransientSourceError
from .merge import _first_author_key, papers_upsert
from .records import data_from_arxiv, data_from_dblp
from .venues import venue_for_dblp_key, venue_sync_record

logger = logging.getLogger(__name__)

# Papers written per papers_upsert call: a fixed number of queries each.
WRITE_CHUNK = 500
# Titles per arXiv search request.
TITLE_BATCH = 10


@dataclass
class VenueImportReport:
    """What one import of a venue-year found and changed."""

    key: str
    year: int
    toc: str
    found: int = 0  # papers in dblp's list
    created: int = 0  # papers new to the site
    gained_key: int = 0  # papers already here that now carry their dblp key
    linked: int = 0  # papers newly linked to their arXiv version
    without_arxiv: int = 0  # papers of the venue-year still without one
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.gained_key or self.linked)

    def summary(self) -> str:
        text = (
            f"{self.key} {self.year}: {self.found} papers on dblp, "
            f"{self.created} new, {self.gained_key} matched to papers already here, "
            f"{self.linked} linked to arXiv, {self.without_arxiv} without arXiv"
        )
        if self.errors:
            text += "; errors: " + "; ".join(self.errors)
        return text


def venue_import(
    *,
    key: str,
    year: int,
    toc: str | None = None,
    dblp: DblpClient | None = None,
    arxiv: ArxivClient | None = None,
    link_arxiv: bool = True,
    link_limit: int | None = None,
    periodic: bool = False,
) -> VenueImportReport:
    """Bring every paper dblp lists for venue `key` ("conf/nips") in `year` in.

    Re-running is idempotent: papers are found by their dblp key, and what a paper
    lacks (DOI, links, authors, its arXiv version) is filled in.
    """
    key = key.strip().strip("/")
    toc = toc or toc_name(key, year)
    report = VenueImportReport(key=key, year=year, toc=toc)
    kind = Venue.Kind.JOURNAL if key.startswith("journals/") else Venue.Kind.CONFERENCE
    venue = venue_for_dblp_key(key, kind=kind)
    client = dblp or dblp_client()
    for records in client.toc(toc):
        for start in range(0, len(records), WRITE_CHUNK):
            datas = [data_from_dblp(r) for r in records[start : start + WRITE_CHUNK]]
            # A record without a year belongs to the year it is listed under.
            datas = [d if d.year else replace(d, year=year) for d in datas if d.title]
            known = set(
                Paper.objects.filter(
                    dblp_key__in=[d.dblp_key for d in datas]
                ).values_list("dblp_key", flat=True)
            )
            results = papers_upsert(datas)
            report.found += len(datas)
            report.created += sum(created for _, created in results)
            report.gained_key += sum(
                1
                for (_, created), data in zip(results, datas, strict=True)
                if not created and data.dblp_key not in known
            )
    pending = venue_year_papers(venue=venue, year=year).filter(arxiv_id="")
    if link_arxiv:
        try:
            report.linked = papers_link_arxiv(
                papers=pending, client=arxiv, limit=link_limit
            )
        except SourceError as exc:
            report.errors.append(f"arXiv: {exc.message}")
    report.without_arxiv = pending.count()
    logger.info("dblp import %s", report.summary())
    venue_sync_record(
        source=VenueSync.Source.DBLP,
        key=key,
        year=year,
        periodic=periodic,
        found=report.found,
        created=report.created,
        matched=report.gained_key,
        linked=report.linked,
        summary=report.summary(),
        errors=report.errors,
    )
    return report


def venue_year_papers(*, venue: Venue, year: int) -> QuerySet[Paper]:
    return Paper.objects.filter(venue=venue, year=year)


def _best_match(
    title_key: str, first_author: str, records: list[ArxivRecord]
) -> ArxivRecord | None:
    for record in records:
        if normalise_title(record.title)[:300] != title_key:
            continue
        if not record.authors:
            continue
        if _first_author_key(record.authors[0].name) == first_author:
            return record
    return None


def papers_link_arxiv(
    *,
    papers: QuerySet[Paper],
    client: ArxivClient | None = None,
    limit: int | None = None,
    batch: int = TITLE_BATCH,
) -> int:
    """Link papers without an arXiv id to the arXiv entry with their title and first author.

    Titles are searched `batch` at a time. A paper whose arXiv entry already belongs to
    another paper here is left alone (merging two existing papers is a staff decision).
    Return how many papers were linked. A transient arXiv failure ends the run early;
    the next run picks up the papers still unlinked.
    """
    rows = list(
        papers.filter(arxiv_id="")
        .exclude(title_key="")
        .exclude(dblp_key="")
        .order_by("pk")
        .values_list("pk", "title", "title_key", "dblp_key")[:limit]
    )
    if not rows:
        return 0
    client = client or arxiv_client()
    firsts = {
        paper_id: _first_author_key(name)
        for paper_id, name in Authorship.objects.filter(
            paper_id__in=[r[0] for r in rows], position=0
        ).values_list("paper_id", "author__name")
    }
    linked = 0
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        try:
            found = client.search_titles([title for _, title, _, _ in chunk])
        except TransientSourceError:
            logger.warning("arXiv is unavailable; linking stops after %d", linked)
            break
        matches: dict[int, ArxivRecord] = {}
        for paper_id, _, title_key, _ in chunk:
            record = _best_match(title_key, firsts.get(paper_id, ""), found)
            if record is not None:
                matches[paper_id] = record
        taken = set(
            Paper.objects.filter(
                arxiv_id__in=[r.arxiv_id for r in matches.values()]
            ).values_list("arxiv_id", flat=True)
        )
        keys = {paper_id: dblp_key for paper_id, _, _, dblp_key in chunk}
        datas = [
            replace(data_from_arxiv(record), dblp_key=keys[paper_id])
            for paper_id, record in matches.items()
            if record.arxiv_id not in taken
        ]
        if datas:
            papers_upsert(datas)
            linked += len(datas)
    return linked


def venues_sync(
    *,
    keys: list[str],
    today: date | None = None,
    dblp: DblpClient | None = None,
    arxiv: ArxivClient | None = None,
) -> list[VenueImportReport]:
    """Re-read this year's and last year's lists of each venue; return what changed.

    A year dblp does not list yet answers with no papers and changes nothing.
    """
    today = today or timezone.localdate()
    reports = []
    for key in keys:
        for year in (today.year - 1, today.year):
            try:
                report = venue_import(
                    key=key, year=year, dblp=dblp, arxiv=arxiv, periodic=True
                )
            except SourceError as exc:
                report = VenueImportReport(key=key, year=year, toc=toc_name(key, year))
                report.errors.append(f"dblp: {exc.message}")
                venue_sync_record(
                    source=VenueSync.Source.DBLP,
                    key=key,
                    year=year,
                    periodic=True,
                    summary=report.summary(),
                    errors=report.errors,
                )
            reports.append(report)
    return reports
