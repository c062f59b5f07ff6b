from datetime import timedelta

from celery import shared_task

from authors.models import AuthorClaim
from comments.models import Comment

from . import services


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def notify_comment(self, comment_id: int) -> int:
    """Create the notices a comment causes and mail each once; return mails sent."""
    comment = (
        Comment.objects.select_related(
            "summary__writer", "parent__writer", "reply_to__writer"
        )
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    sent = 0
    for notification in services.notifications_for_comment(comment=comment):
        try:
            sent += services.notification_send_mail(notification_id=notification.pk)
        except OSError as exc:  # the mail server is down: try again later
            if self.request.is_eager:
                return sent
            raise self.retry(exc=exc) from exc
    return sent


@shared_task
def send_pending_notifications(settle_seconds: int = 120) -> int:
    """Notify and mail for recent comments whose notify task was lost; return mails sent."""
    return services.notifications_catch_up(settle=timedelta(seconds=settle_seconds))


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def notify_claim(self, claim_id: int) -> int:
    """Notify the claimant of the decision on their claim and mail it once."""
    claim = AuthorClaim.objects.filter(pk=claim_id).first()
    if claim is None:
        return 0
    notification = services.notification_for_claim(claim=claim)
    if notification is None:
        return 0
    try:
        return int(services.notification_send_mail(notification_id=notification.pk))
    except OSError as exc:  # the mail server is down: try again later
        if self.request.is_eager:
            return 0
        raise self.retry(exc=exc) from exc
