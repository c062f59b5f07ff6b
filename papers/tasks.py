import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .models import PaperImport, Venue
from .sources.http import TransientSourceError

MAX_RETRIES = 8

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def run_import(self, import_id: int) -> None:
    """Import one paper; retry with backoff while the outside service is unavailable.

    In-process (no broker) there is no one to retry later, so a failure is final and
    the status page offers a retry button.
    """
    final = self.request.is_eager or self.request.retries >= self.max_retries
    try:
        services.import_run(import_id=import_id, final=final)
    except services.RETRYABLE as exc:
        base = settings.IMPORT_RETRY_BASE_SECONDS
        delay = min(60 * base, base * 2**self.request.retries)
        if isinstance(exc, TransientSourceError) and exc.retry_after:
            delay = max(delay, int(exc.retry_after))
        services.import_schedule_retry(
            import_id=import_id, at=timezone.now() + timedelta(seconds=delay)
        )
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task
def search_titles_outside(search_id: str) -> None:
    """Search arXiv and BibSonomy for a title typed into "Add a paper"."""
    services.title_search_run(search_id=search_id)


@shared_task
def requeue_stalled_imports(older_than_minutes: int = 15) -> int:
    """Queue again imports left queued or running, e.g. after a worker died."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stalled = PaperImport.objects.filter(
        status__in=[PaperImport.Status.QUEUED, PaperImport.Status.RUNNING],
        updated_at__lt=cutoff,
    )
    count = 0
    for paper_import in stalled:
        services.import_retry(paper_import=paper_import)
        count += 1
    return count


@shared_task
def refresh_arxiv_versions() -> int:
    """Re-read summarised arXiv papers and record new versions."""
    return services.papers_refresh_arxiv()


@shared_task
def import_venue(key: str, year: int, toc: str = "") -> str:
    """Bring a venue-year in from dblp (the staff page queues this); return the report."""
    return services.venue_import(key=key, year=year, toc=toc or None).summary()


@shared_task
def import_openreview(
    venue_id: int, year: int, include_rejected: bool = False, api: int | None = None
) -> str:
    """Bring a venue-year's accepted papers in from OpenReview (the staff page queues this)."""
    venue = Venue.objects.get(pk=venue_id)
    return services.venue_import_openreview(
        venue=venue, year=year, include_rejected=include_rejected, api=api
    ).summary()


@shared_task
def sync_venues() -> list[str]:
    """Keep the configured venues in sync with dblp (DBLP_SYNC_VENUES) and OpenReview
    (OPENREVIEW_SYNC_VENUES); log and return what changed: new papers, papers matched,
    links made. Every run is also kept for the staff page (VenueSync)."""
    reports: list = [
        *services.venues_sync(keys=list(settings.DBLP_SYNC_VENUES)),
        *services.openreview_sync(slugs=list(settings.OPENREVIEW_SYNC_VENUES)),
    ]
    for report in reports:
        if report.changed or report.errors:
            logger.info("venue sync: %s", report.summary())
    return [report.summary() for report in reports]


@shared_task
def harvest_arxiv() -> list[str]:
    """Harvest new arXiv papers of ARXIV_HARVEST_CATEGORIES over OAI-PMH (daily)."""
    reports = services.arxiv_harvest(categories=list(settings.ARXIV_HARVEST_CATEGORIES))
    return [report.summary() for report in reports]


@shared_task
def recount_venues() -> int:
    """Recount every venue's coverage; return how many had drifted."""
    changed = services.venues_recount()
    if changed:
        logger.info("venue counts: %d venues had drifted and were recounted", changed)
    return changed
