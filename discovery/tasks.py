import smtplib

from celery import shared_task

from . import services

MAIL_RETRIES = 6


@shared_task
def index_paper_summaries(paper_ids: list[int]) -> None:
    """Store the public summaries' text and counts in these papers' search rows."""
    services.index_summaries(paper_ids=paper_ids)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=MAIL_RETRIES,
)
def notify_summary_requesters(summary_id: int) -> int:
    """Tell the readers who asked for a summary of a paper that one is up.

    Requesters already told are skipped, so a retry after a mail failure never mails
    anyone twice.
    """
    return services.requesters_notify(summary_id=summary_id)


@shared_task
def refresh_index() -> int:
    """Re-index papers whose summary counts, scores or request counts drifted."""
    return services.index_refresh()
