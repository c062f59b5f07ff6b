from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from papers.models import Paper
from shortscience import markup
from shortscience.queue import enqueue
from users.models import User

from .models import Summary, Vote


def summary_render(*, summary_id: int) -> bool:
    """Render a summary's Markdown and store the HTML, unless the text changed meanwhile.

    Return whether a row was written.
    """
    row = Summary.objects.filter(pk=summary_id).values_list("body", flat=True).first()
    if row is None:
        return False
    html = markup.render(row)
    # Writing only when the body is still the one rendered keeps a slow render from
    # overwriting the HTML of a newer save.
    updated = Summary.objects.filter(pk=summary_id, body=row).update(
        body_html=html, rendered_by=markup.RENDERER_VERSION
    )
    return bool(updated)


def _queue_render(summary: Summary) -> None:
    from .tasks import render_summary

    enqueue(render_summary, summary.pk)


@transaction.atomic
def summary_create(
    *,
    paper: Paper,
    writer: User,
    body: str,
    publish: bool = True,
    is_anonymous: bool = False,
    is_private: bool = False,
) -> Summary:
    """Save a new summary and queue its rendering."""
    summary = Summary(
        paper=paper,
        writer=writer,
        body=body,
        is_anonymous=is_anonymous,
        is_private=is_private,
        arxiv_version=paper.arxiv_version,
    )
    if publish:
        summary.status = Summary.Status.PUBLISHED
        summary.published_at = timezone.now()
    summary.full_clean()
    summary.save()
    _queue_render(summary)
    return summary


def summary_save_from_admin(*, summary: Summary) -> Summary:
    """Save a summary edited in the admin and queue its rendering like any other save."""
    if summary.status == Summary.Status.PUBLISHED and summary.published_at is None:
        summary.published_at = timezone.now()
    with transaction.atomic():
        summary.save()
        _queue_render(summary)
    return summary


def _recount(summary_id: int, writer_id: int) -> None:
    score = (
        Vote.objects.filter(summary_id=summary_id).aggregate(s=Sum("value"))["s"] or 0
    )
    Summary.objects.filter(pk=summary_id).update(score=score)
    reputation = (
        Summary.objects.public()
        .filter(writer_id=writer_id, is_anonymous=False)
        .aggregate(s=Sum("score"))["s"]
        or 0
    )
    User.objects.filter(pk=writer_id).update(reputation=reputation)


@transaction.atomic
def vote_set(*, user: User, summary: Summary, value: int) -> int:
    """Set (value +1/-1) or remove (value 0) a user's vote on a summary; return the new score.

    Voting twice the same way changes nothing. Writers cannot vote on their own summaries.
    """
    if value not in (-1, 0, 1):
        raise ValueError("a vote is +1, -1 or 0 (remove)")
    if summary.writer_id == user.pk:
        raise PermissionError("you cannot vote on your own summary")
    if value == 0:
        Vote.objects.filter(user=user, summary=summary).delete()
    else:
        Vote.objects.update_or_create(
            user=user, summary=summary, defaults={"value": value}
        )
    _recount(summary.pk, summary.writer_id)
    return Summary.objects.values_list("score", flat=True).get(pk=summary.pk)
