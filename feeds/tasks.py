from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task
def write_public_dump() -> str:
    """Write tonight's public data dump; return its storage name."""
    return services.dump_write()


# A mail server that is down makes the task retry; users already sent to are skipped.
@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=6,
)
def send_weekly_digest() -> int:
    """Send last week's digest to every subscriber who has not had it yet."""
    return services.digest_send_weekly()
