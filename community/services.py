"""Notifications and moderation."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from authors.models import AuthorClaim
from authors.services import claim_decide
from comments.models import Comment
from comments.services import comment_render, comment_set_hidden
from papers import links
from papers.models import Paper
from shortscience.cache import cache_forget, cache_touch
from summaries.models import AuthorResponse, Summary
from summaries.services import author_response_set_hidden, summary_set_hidden
from users.models import MODERATORS_GROUP, User
from users.policy import Action, ensure_can_write
from users.services import user_ban_set

from .models import ModerationLog, Notification, PaperLink, Report
from .selectors import unread_key

MODERATORS = MODERATORS_GROUP


# Notifications ----------------------------------------------------------------------


def unread_forget(*user_ids: int) -> None:
    """Forget the kept unread counts of these users."""
    cache_forget(*(unread_key(pk) for pk in user_ids))


def notifications_for_comment(*, comment: Comment) -> list[Notification]:
    """Create the in-site notices a comment causes: its summary's writer, and the writer
    of the comment it answers (which is its parent, except past the last level)."""
    wanted: list[tuple[User, str]] = []
    answered = comment.reply_to if comment.reply_to_id else comment.parent
    if answered is not None and answered.writer_id != comment.writer_id:
        wanted.append((answered.writer, Notification.Kind.REPLY))
    summary_writer = comment.summary.writer
    if summary_writer.pk != comment.writer_id and not any(
        user.pk == summary_writer.pk for user, _ in wanted
    ):
        wanted.append((summary_writer, Notification.Kind.COMMENT))
    created = []
    for recipient, kind in wanted:
        notification, _ = Notification.objects.get_or_create(
            recipient=recipient, comment=comment, kind=kind
        )
        created.append(notification)
    unread_forget(*(recipient.pk for recipient, _ in wanted))
    return created


def notification_for_claim(*, claim: AuthorClaim) -> Notification | None:
    """Tell the claimant that their claim was approved or rejected."""
    kinds: dict[str, str] = {
        AuthorClaim.Status.APPROVED: Notification.Kind.CLAIM_APPROVED,
        AuthorClaim.Status.REJECTED: Notification.Kind.CLAIM_REJECTED,
    }
    kind = kinds.get(claim.status)
    if kind is None:
        return None
    notification, _ = Notification.objects.get_or_create(
        recipient_id=claim.user_id, claim=claim, kind=kind
    )
    unread_forget(claim.user_id)
    return notification


def _wants_mail(notification: Notification) -> bool:
    user = notification.recipient
    if not user.is_active or not user.email:
        return False
    if notification.claim_id is not None:
        return True  # a decision the claimant waits for; sent once
    if notification.kind == Notification.Kind.REPLY:
        return getattr(user, "notify_on_reply", True)
    return getattr(user, "notify_on_comment", True)


def notification_send_mail(*, notification_id: int) -> bool:
    """Mail one notification unless it was mailed already; return whether mail went out.

    The row is locked and marked in the same transaction that hands the mail over, so a
    task retried after a crash or run twice sends it once.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related(
                "recipient",
                "comment__writer",
                "comment__summary__paper",
                "claim__paper",
            )
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not _wants_mail(notification):
            return False
        if notification.claim is not None:
            return _send_claim_mail(notification, notification.claim)
        comment = notification.comment
        if comment is None:
            return False
        if comment.is_gone or not comment.summary.is_visible_to(notification.recipient):
            return False
        if not comment.body_html:
            comment_render(comment_id=comment.pk)
            comment.refresh_from_db(fields=["body_html"])
        context = {
            "notification": notification,
            "comment": comment,
            "summary": comment.summary,
            "paper": comment.summary.paper,
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = (
            f"{comment.writer.public_name} replied to your comment"
            if notification.kind == Notification.Kind.REPLY
            else f"New comment on your summary of {comment.summary.paper.title}"
        )
        message = EmailMultiAlternatives(
            # Titles and names may hold line breaks, which a mail header must not.
            subject=" ".join(subject.split())[:200],
            body=render_to_string("community/email/notification.txt", context),
            to=[notification.recipient.email],
        )
        message.attach_alternative(
            render_to_string("community/email/notification.html", context), "text/html"
        )
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def _send_claim_mail(notification: Notification, claim: AuthorClaim) -> bool:
    """Mail the decision on a claim; the caller holds the notification's row lock."""
    context = {
        "notification": notification,
        "claim": claim,
        "paper": claim.paper,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    verdict = "approved" if claim.is_approved else "rejected"
    subject = f"Your authorship claim on {claim.paper.title} is {verdict}"
    EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=render_to_string("community/email/claim_decided.txt", context),
        to=[notification.recipient.email],
    ).send()
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def notifications_catch_up(
    *, window: timedelta = timedelta(days=2), settle: timedelta = timedelta(minutes=2)
) -> int:
    """Notify and mail for recent comments whose notify task never ran; return mails sent.

    The notify task's message can be lost with the broker (Redis restarted empty while the
    worker was behind). Both steps are idempotent, so comments already handled, or whose
    task is only late, are not notified twice. Comments younger than `settle` are left to
    their task.
    """
    now = timezone.now()
    recent = {"created_at__gte": now - window, "created_at__lt": now - settle}
    unhandled = (
        Comment.objects.filter(deleted_at__isnull=True, **recent)
        .exclude(
            pk__in=Notification.objects.filter(created_at__gte=now - window).values(
                "comment_id"
            )
        )
        .select_related("summary__writer", "parent__writer", "reply_to__writer")
    )
    for comment in unhandled:
        notifications_for_comment(comment=comment)
    sent = 0
    for notification_id in Notification.objects.filter(
        emailed_at__isnull=True, created_at__gte=now - window
    ).values_list("pk", flat=True):
        sent += notification_send_mail(notification_id=notification_id)
    return sent


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (only `ids` when given); return how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    marked = unread.update(read_at=timezone.now())
    unread_forget(user.pk)
    return marked


# Moderation -------------------------------------------------------------------------


def is_moderator(user: User) -> bool:
    return user.is_authenticated and user.may_moderate


def _require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise PermissionDenied("Only moderators can do this.")


def report_create(
    *,
    reporter: User,
    reason: str,
    summary: Summary | None = None,
    comment: Comment | None = None,
    spam: bool = False,
) -> Report:
    """File a report on a summary or a comment for the moderators' queue.

    A spam report from a trusted reporter (a moderator, or reputation of at least
    TRUSTED_REPORTER_REPUTATION) hides the post at once; it waits in the queue, where a
    moderator restores it or leaves it hidden.
    """
    ensure_can_write(reporter, action=Action.REPORT)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say briefly what is wrong, so moderators can act on it.")
    if len(reason) > 1000:
        raise ValidationError("A report can be at most 1,000 characters long.")
    with transaction.atomic():
        report = Report.objects.create(
            reporter=reporter,
            reason=reason,
            summary=summary,
            comment=comment,
            is_spam=spam,
        )
        if spam and is_trusted_reporter(reporter):
            if summary is not None:
                summary_set_hidden(summary=summary, hidden=True)
            elif comment is not None:
                comment_set_hidden(comment=comment, hidden=True)
            _log(
                reporter,
                ModerationLog.Action.HIDE,
                summary=summary,
                comment=comment,
                note="Spam report from a trusted user; hidden pending review.",
            )
    return report


def is_trusted_reporter(user: User) -> bool:
    """Whether a spam report from this user hides the post before review."""
    return user.may_moderate or user.reputation >= settings.TRUSTED_REPORTER_REPUTATION


def report_held_post(
    *, reason: str, summary: Summary | None = None, comment: Comment | None = None
) -> Report:
    """Put a post held by probation (saved hidden) in the queue; restoring it shows it."""
    return Report.objects.create(
        reporter=None,
        reason=f"Held for review (new account): {reason}"[:1000],
        summary=summary,
        comment=comment,
    )


def _log(
    actor, action, *, summary=None, comment=None, user=None, paper_link=None, note=""
) -> ModerationLog:
    return ModerationLog.objects.create(
        actor=actor,
        action=action,
        summary=summary,
        comment=comment,
        user=user,
        paper_link=paper_link,
        note=note[:500],
    )


def _resolve_reports(actor: User, *, summary=None, comment=None) -> None:
    Report.objects.filter(
        summary=summary, comment=comment, resolved_at__isnull=True
    ).update(resolved_at=timezone.now(), resolved_by=actor)


@transaction.atomic
def moderate_content(
    *,
    actor: User,
    hide: bool,
    summary: Summary | None = None,
    comment: Comment | None = None,
    response: AuthorResponse | None = None,
    note: str = "",
) -> None:
    """Hide or restore a summary, comment or author response, resolve its reports, and
    log it."""
    _require_moderator(actor)
    if summary is not None:
        # The summaries service also recounts the writer's reputation and tells caches.
        summary_set_hidden(summary=summary, hidden=hide)
    elif comment is not None:
        comment_set_hidden(comment=comment, hidden=hide)
    elif response is not None:
        author_response_set_hidden(response=response, hidden=hide)
        # The log names the summary answered; the note says it was the response.
        summary = response.summary
        note = f"Author response by {response.writer.public_name}. {note}".strip()
    action = ModerationLog.Action.HIDE if hide else ModerationLog.Action.RESTORE
    _log(actor, action, summary=summary, comment=comment, note=note)
    if response is None:
        _resolve_reports(actor, summary=summary, comment=comment)


@transaction.atomic
def report_dismiss(*, actor: User, report: Report) -> None:
    _require_moderator(actor)
    _log(
        actor,
        ModerationLog.Action.DISMISS,
        summary=report.summary,
        comment=report.comment,
    )
    _resolve_reports(actor, summary=report.summary, comment=report.comment)


@transaction.atomic
def user_set_banned(*, actor: User, user: User, banned: bool, note: str = "") -> None:
    """Ban (or unban) a user from writing; their existing posts stay until hidden.

    users.policy refuses every write of a banned user, on the site and through the API.
    """
    _require_moderator(actor)
    if user.pk == actor.pk:
        raise ValidationError("Moderators cannot ban themselves.")
    user_ban_set(user=user, banned=banned)
    _log(
        actor,
        ModerationLog.Action.BAN if banned else ModerationLog.Action.UNBAN,
        user=user,
        note=note,
    )


@transaction.atomic
def claim_review(
    *, actor: User, claim: AuthorClaim, approve: bool, reason: str = ""
) -> AuthorClaim:
    """Approve or reject an authorship claim from the queue, and log it."""
    _require_moderator(actor)
    claim = claim_decide(claim=claim, actor=actor, approve=approve, reason=reason)
    verdict = "Approved" if approve else "Rejected"
    _log(
        actor,
        ModerationLog.Action.CLAIM,
        user=claim.user,
        note=f"{verdict} the authorship claim on paper {claim.paper_id}. {reason}",
    )
    return claim


def moderators_group() -> Group:
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    return group


# Code and project links -------------------------------------------------------------

# A writer may have this many links waiting for a moderator at once.
MAX_PENDING_LINKS = 20


def paper_link_add(*, paper: Paper, user: User, url: str, kind: str) -> PaperLink:
    """Add a code, project, data or video link to a paper, for moderators to approve.

    The address must be http(s); it is stored in normal form and refused when the paper
    already lists it (from its arXiv comment, its abstract or an earlier suggestion). A
    moderator's own link is approved as it is added and shows at once.
    """
    ensure_can_write(user, action=Action.PAPER_LINK)
    if kind not in PaperLink.Kind.values:
        raise ValidationError(
            "Choose what the link leads to: code, project page, data or video."
        )
    normal = links.normalise_url(url)
    key = links.link_key(normal)
    own = links.links_from_paper(comment=paper.arxiv_comment, abstract=paper.abstract)
    if key in {link.key for link in own}:
        raise ValidationError(
            "The paper's page already shows this link (from its arXiv comment or abstract)."
        )
    existing = PaperLink.objects.filter(paper=paper, url_key=key).first()
    if existing is not None:
        raise ValidationError(_ALREADY[existing.status])
    if PaperLink.objects.pending().filter(added_by=user).count() >= MAX_PENDING_LINKS:
        raise ValidationError(
            f"You have {MAX_PENDING_LINKS} links waiting for a moderator; "
            "add more once they are reviewed."
        )
    moderator = is_moderator(user)
    try:
        with transaction.atomic():
            link = PaperLink.objects.create(
                paper=paper,
                url=normal,
                url_key=key,
                kind=kind,
                added_by=user,
                status=PaperLink.Status.APPROVED
                if moderator
                else PaperLink.Status.PENDING,
                reviewed_by=user if moderator else None,
                reviewed_at=timezone.now() if moderator else None,
            )
            if moderator:
                _log(
                    user,
                    ModerationLog.Action.APPROVE_LINK,
                    paper_link=link,
                    note=normal,
                )
                cache_touch("paper", paper.pk)
    except IntegrityError as exc:
        # The same link suggested at the same moment by someone else.
        raise ValidationError(_ALREADY[PaperLink.Status.PENDING]) from exc
    return link


_ALREADY: dict[str, str] = {
    PaperLink.Status.APPROVED: "The paper's page already shows this link.",
    PaperLink.Status.PENDING: "This link was already suggested and waits for a moderator.",
    PaperLink.Status.REJECTED: "A moderator turned this link down for this paper.",
}


def paper_link_remove(*, link: PaperLink, user: User) -> None:
    """Withdraw one's own link while it waits for a moderator."""
    if link.added_by_id != user.pk or link.status != PaperLink.Status.PENDING:
        raise PermissionDenied(
            "You can only withdraw your own links that wait for review."
        )
    link.delete()


@transaction.atomic
def paper_link_review(*, actor: User, link: PaperLink, approve: bool) -> None:
    """Approve a link (it shows on the paper page) or turn it down (it never shows).

    Turning down an approved link takes it off the page; a link turned down stays on
    record so that it is not suggested again.
    """
    _require_moderator(actor)
    status = PaperLink.Status.APPROVED if approve else PaperLink.Status.REJECTED
    was_shown = link.status == PaperLink.Status.APPROVED
    link.status = status
    link.reviewed_by = actor
    link.reviewed_at = timezone.now()
    link.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    action = (
        ModerationLog.Action.APPROVE_LINK
        if approve
        else ModerationLog.Action.REJECT_LINK
    )
    _log(actor, action, paper_link=link, note=link.url)
    if approve or was_shown:
        cache_touch("paper", link.paper_id)
