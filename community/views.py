from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from authors.models import AuthorClaim
from authors.selectors import claim_list_pending
from comments.models import Comment
from papers.models import Paper
from shortscience.pagination import paginate
from summaries.models import AuthorResponse, Summary
from users.mfa import second_factor_required
from users.models import User
from users.policy import WriteRefused

from . import selectors, services
from .forms import PaperLinkForm
from .models import ModerationLog, Notification, PaperLink, Report


@login_required
def notification_list(request):
    """List the user's notifications, newest first; unread ones stay marked as new.

    Reading the page changes nothing: "Mark read" buttons (POST) do.
    """
    page = paginate(
        request,
        Notification.objects.for_recipient(request.user).select_related(
            "comment__writer", "comment__summary__paper", "claim__paper"
        ),
        per_page=30,
    )
    unread_ids = [n.pk for n in page.object_list if n.read_at is None]
    return render(
        request,
        "community/notification_list.html",
        {"page": page, "unread_ids": unread_ids},
    )


@login_required
@require_POST
def notification_mark_read(request):
    """Mark one notification read (id=...), or all of them; then back to the list."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    count = services.notifications_mark_read(user=request.user, ids=ids)
    if ids is None:
        messages.success(
            request,
            f"{count} notification{'s' if count != 1 else ''} marked read."
            if count
            else "Nothing was unread.",
        )
    page = request.POST.get("page", "")
    url = reverse("community:notification-list")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


def _report(request, *, summary=None, comment=None):
    target = summary or comment
    if request.method == "POST":
        try:
            services.report_create(
                reporter=request.user,
                reason=request.POST.get("reason", ""),
                summary=summary,
                comment=comment,
                spam=bool(request.POST.get("spam")),
            )
        except ValidationError as exc:
            return render(
                request,
                "community/report_form.html",
                {
                    "target": target,
                    "errors": exc.messages,
                    "reason": request.POST.get("reason", ""),
                    "spam": bool(request.POST.get("spam")),
                },
                status=400,
            )
        messages.success(request, "Thank you: moderators will look at your report.")
        return redirect(target.get_absolute_url())
    return render(request, "community/report_form.html", {"target": target})


@login_required
def report_summary(request, pk: int):
    summary = get_object_or_404(Summary.objects.public(), pk=pk)
    return _report(request, summary=summary)


@login_required
def report_comment(request, pk: int):
    comment = get_object_or_404(
        Comment.objects.visible().select_related("summary"), pk=pk
    )
    return _report(request, comment=comment)


def _moderator(request):
    if not services.is_moderator(request.user):
        raise PermissionDenied("Only moderators can see this page.")


@second_factor_required
@login_required
def moderation_queue(request):
    _moderator(request)
    reports = (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related(
            "reporter",
            "summary__paper",
            "summary__writer",
            "comment__writer",
            "comment__summary",
        )
        .order_by("created_at")
    )
    return render(
        request,
        "community/moderation_queue.html",
        {
            "page": paginate(request, reports, 50),
            # Oldest first; the queue shows the first 50, the rest follow as they go.
            "claims": list(claim_list_pending()[:50]),
            "waiting_links": selectors.paper_links_waiting()[:100],
        },
    )


@second_factor_required
@login_required
def moderation_log(request):
    _moderator(request)
    entries = ModerationLog.objects.select_related(
        "actor", "summary__paper", "comment", "user", "paper_link__paper"
    )
    return render(
        request,
        "community/moderation_log.html",
        {"page": paginate(request, entries, 50)},
    )


@second_factor_required
@login_required
@require_POST
def moderate(request, kind: str, pk: int, action: str):
    """Hide or restore a summary or comment."""
    _moderator(request)
    note = request.POST.get("note", "")
    if kind == "summary":
        summary = get_object_or_404(Summary, pk=pk)
        services.moderate_content(
            actor=request.user, hide=action == "hide", summary=summary, note=note
        )
    elif kind == "response":
        response = get_object_or_404(
            AuthorResponse.objects.select_related("summary", "writer"), pk=pk
        )
        services.moderate_content(
            actor=request.user, hide=action == "hide", response=response, note=note
        )
        messages.success(
            request,
            f"Author response {'hidden' if action == 'hide' else 'restored'}.",
        )
        return redirect(response.summary.get_absolute_url())
    else:
        comment = get_object_or_404(Comment, pk=pk)
        services.moderate_content(
            actor=request.user, hide=action == "hide", comment=comment, note=note
        )
    messages.success(
        request, f"{kind.capitalize()} {'hidden' if action == 'hide' else 'restored'}."
    )
    return redirect("community:moderation-queue")


@second_factor_required
@login_required
@require_POST
def moderate_user(request, pk: int, action: str):
    _moderator(request)
    target = get_object_or_404(User, pk=pk)
    try:
        services.user_set_banned(
            actor=request.user,
            user=target,
            banned=action == "ban",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{target.public_name} is {'banned' if action == 'ban' else 'unbanned'}.",
        )
    return redirect("community:moderation-queue")


@second_factor_required
@login_required
@require_POST
def report_dismiss(request, pk: int):
    _moderator(request)
    report = get_object_or_404(Report, pk=pk)
    services.report_dismiss(actor=request.user, report=report)
    messages.success(request, "Report dismissed.")
    return redirect("community:moderation-queue")


@second_factor_required
@login_required
@require_POST
def claim_review(request, pk: int, action: str):
    """Approve or reject an authorship claim; a rejection needs a reason."""
    _moderator(request)
    claim = get_object_or_404(
        AuthorClaim.objects.select_related("paper", "user"), pk=pk
    )
    try:
        services.claim_review(
            actor=request.user,
            claim=claim,
            approve=action == "approve",
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{claim.user.public_name}'s claim on “{claim.paper.title}” is "
            f"{'approved' if action == 'approve' else 'rejected'}.",
        )
    return redirect("community:moderation-queue")


# Code and project links ---------------------------------------------------------------


@login_required
def paper_links(request, pk: int):
    """Add a code or project link to a paper; list one's own links and their state."""
    paper = get_object_or_404(Paper, pk=pk)
    form = PaperLinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                link = services.paper_link_add(
                    paper=paper,
                    user=request.user,
                    url=form.cleaned_data["url"],
                    kind=form.cleaned_data["kind"],
                )
            except WriteRefused as exc:
                form.add_error(None, exc.message)
                status = 403
            except ValidationError as exc:
                form.add_error("url", exc.messages)
            else:
                if link.status == PaperLink.Status.APPROVED:
                    messages.success(
                        request, "Link added: it shows on the paper's page."
                    )
                else:
                    messages.success(
                        request,
                        "Thank you: the link shows on the paper's page once a "
                        "moderator approves it.",
                    )
                return redirect("community:paper-links", pk=paper.pk)
        status = status if status != 200 else 400
    return render(
        request,
        "community/paper_links.html",
        {
            "paper": paper,
            "form": form,
            "shown": selectors.paper_links_shown(paper=paper),
            "mine": selectors.paper_links_of_writer(paper=paper, user=request.user),
        },
        status=status,
    )


@login_required
@require_POST
def paper_link_withdraw(request, pk: int):
    link = get_object_or_404(PaperLink, pk=pk, added_by=request.user)
    services.paper_link_remove(link=link, user=request.user)
    messages.success(request, "Link withdrawn.")
    return redirect("community:paper-links", pk=link.paper_id)


@second_factor_required
@login_required
@require_POST
def paper_link_review(request, pk: int, action: str):
    """Approve or turn down a writer's link."""
    _moderator(request)
    link = get_object_or_404(PaperLink, pk=pk)
    services.paper_link_review(
        actor=request.user, link=link, approve=action == "approve"
    )
    messages.success(
        request, "Link approved." if action == "approve" else "Link turned down."
    )
    return redirect("community:moderation-queue")
