import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from authors.selectors import is_claimed_author
from papers.models import Paper
from shortscience import markup
from users.policy import WriteRefused

from . import selectors, services
from .diff import revision_diff
from .forms import AuthorResponseForm, ImageForm, PreviewForm, SummaryForm
from .models import AuthorResponse, Summary, SummaryRevision

SAVE_RATE = "30/m"
AUTOSAVE_RATE = "60/m"
PREVIEW_RATE = "120/m"
# Previews that ran out of time, per account: past this, previews get only
# SPENT_PREVIEW_TIMEOUT until the minute is over (enough for an ordinary text), so
# one account cannot spend 120 x 0.3 s of CPU a minute on pathological ones.
SLOW_PREVIEW_RATE = "5/m"
SPENT_PREVIEW_TIMEOUT = 0.08
# Kept back from a preview's time for writing the answer once the render is done.
RESPONSE_RESERVE = 0.005
PREVIEW_TOO_SLOW = (
    "This text takes too long to preview, so the preview is paused. Long runs of "
    "brackets, asterisks or underscores are the usual cause; your text is still in "
    "the editor and can be saved."
)
UPLOAD_RATE = "20/h"
TOO_FAST = "You are saving too often. Wait a minute; your text is still in the editor."


def _own_summary(request, pk: int) -> Summary:
    summary = get_object_or_404(
        Summary.objects.select_related("paper"), pk=pk, deleted_at__isnull=True
    )
    if summary.writer_id != request.user.pk:
        raise PermissionDenied("Only the writer of a summary can change it.")
    return summary


def _flags(form: SummaryForm) -> dict:
    return {
        "is_anonymous": form.cleaned_data["is_anonymous"],
        "is_private": form.cleaned_data["is_private"],
    }


@login_required
@ratelimit(key="user", rate=SAVE_RATE, method="POST", block=False)
def summary_write(request, paper_pk: int):
    """Open the writer's summary of a paper: a new one, or theirs if it exists."""
    paper = get_object_or_404(Paper.objects.select_related("venue"), pk=paper_pk)
    summary = selectors.summary_for(paper=paper, writer=request.user)
    return _editor(request, paper, summary)


@login_required
@ratelimit(key="user", rate=SAVE_RATE, method="POST", block=False)
def summary_edit(request, pk: int):
    summary = _own_summary(request, pk)
    return _editor(request, summary.paper, summary)


def _editor(request, paper: Paper, summary: Summary | None):
    preview_html = None
    status = 200
    if request.method == "POST":
        form = SummaryForm(request.POST)
        action = request.POST.get("action", "save")
        if getattr(request, "limited", False):
            form.full_clean()
            form.add_error(None, TOO_FAST)
            status = 429
        elif not form.is_valid():
            status = 400
        elif action == "preview":
            # Without JavaScript, "Preview" is a button; the text is kept as a draft.
            body = form.cleaned_data["body"]
            preview_html = _preview(request, body)
            saved = services.summary_autosave(
                paper=paper, writer=request.user, body=body, **_flags(form)
            )
            summary = saved or summary
        else:
            try:
                summary = services.summary_save(
                    paper=paper,
                    writer=request.user,
                    body=form.cleaned_data["body"],
                    publish=action == "publish",
                    **_flags(form),
                )
            except ValidationError as exc:
                form.add_error("body", exc)
                status = 400
            else:
                if summary.status == Summary.Status.PUBLISHED and summary.is_private:
                    messages.success(
                        request,
                        "Your summary is saved. It is private: only you, and anyone "
                        "you give its share link, can read it.",
                    )
                    return redirect(summary)
                if summary.status == Summary.Status.PUBLISHED:
                    messages.success(request, "Your summary is saved and published.")
                    return redirect(summary)
                messages.success(request, "Draft saved. Only you can see it.")
                return redirect("summaries:summary-edit", pk=summary.pk)
    else:
        initial = {}
        if summary is not None:
            initial = {
                "body": summary.pending_body or summary.body,
                "is_anonymous": summary.is_anonymous,
                "is_private": summary.is_private,
            }
        form = SummaryForm(initial=initial)
    if preview_html is None:
        text = form.data.get("body") if form.is_bound else form.initial.get("body", "")
        preview_html = _preview(request, text or "")
    return render(
        request,
        "summaries/summary_form.html",
        {
            "paper": paper,
            "summary": summary,
            "form": form,
            "preview_html": preview_html,
            "has_pending": bool(summary and summary.pending_body),
        },
        status=status,
    )


@login_required
@require_POST
@ratelimit(key="user", rate=PREVIEW_RATE, method="POST", block=False)
def summary_preview(request):
    """Render Markdown+LaTeX exactly as a saved summary would be; return the HTML."""
    if getattr(request, "limited", False):
        return HttpResponse(f'<p class="errorlist">{TOO_FAST}</p>', status=429)
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            f'<p class="errorlist">The text is too long to preview (at most {services.MAX_BODY:,} characters).</p>',
            status=400,
        )
    return HttpResponse(_preview(request, form.cleaned_data["body"]))


def _preview(request, body: str) -> str:
    """Render a preview under PREVIEW_RENDER_TIMEOUT, or return a message saying why not.

    Each preview that runs out of time counts against the account's
    SLOW_PREVIEW_RATE; once it is spent, previews get SPENT_PREVIEW_TIMEOUT.
    """
    slow = {"group": "summary-preview-slow", "key": "user", "rate": SLOW_PREVIEW_RATE}
    too_slow = f'<p class="errorlist preview-too-slow">{PREVIEW_TOO_SLOW}</p>'
    usage = get_usage(request, increment=False, **slow)
    limited = usage is not None and usage["count"] >= usage["limit"]
    # settings.PREVIEW_RENDER_TIMEOUT (0.3 s), counted from the request's arrival: the
    # answer leaves within it for any text within the size limit, the message if the
    # render could not finish.
    full = settings.PREVIEW_RENDER_TIMEOUT
    timeout = min(full, SPENT_PREVIEW_TIMEOUT) if limited else full
    started = getattr(request, "started_at", None)
    spent = time.monotonic() - started if started is not None else 0.0
    try:
        return markup.render(body, timeout=max(0.0, timeout - spent - RESPONSE_RESERVE))
    except markup.RenderTimeout:
        if not limited:
            get_usage(request, increment=True, **slow)
        return too_slow


@login_required
@require_POST
@ratelimit(key="user", rate=AUTOSAVE_RATE, method="POST", block=False)
def summary_autosave(request, paper_pk: int):
    """Keep the editor's text on the server (every few seconds and on leaving the page)."""
    if getattr(request, "limited", False):
        return JsonResponse({"error": TOO_FAST}, status=429)
    paper = get_object_or_404(Paper, pk=paper_pk)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"error": " ".join(map(str, form.errors.get("body") or ["Invalid text."]))},
            status=400,
        )
    try:
        summary = services.summary_autosave(
            paper=paper,
            writer=request.user,
            body=form.cleaned_data["body"],
            **_flags(form),
        )
    except WriteRefused as exc:
        return JsonResponse({"error": exc.message}, status=403)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    if summary is None:
        return JsonResponse({"saved": False})
    return JsonResponse(
        {
            "saved": True,
            "saved_at": summary.pending_saved_at.isoformat()
            if summary.pending_saved_at
            else None,
            "edit_url": reverse("summaries:summary-edit", args=[summary.pk]),
        }
    )


@login_required
@require_POST
@ratelimit(key="user", rate=UPLOAD_RATE, method="POST", block=False)
def image_upload(request):
    if getattr(request, "limited", False):
        return JsonResponse({"error": "Too many uploads; try again later."}, status=429)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"error": "Choose an image file to upload."}, status=400)
    upload = form.cleaned_data["image"]
    if upload.size > services.MAX_IMAGE_BYTES:
        return JsonResponse({"error": "Images can be at most 5 MB."}, status=400)
    try:
        image = services.image_upload(
            owner=request.user, data=upload.read(), name=upload.name
        )
    except WriteRefused as exc:
        return JsonResponse({"error": exc.message}, status=403)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    url = image.file.url
    return JsonResponse({"url": url, "markdown": f"![image]({url})"})


def summary_history(request, pk: int):
    """List a summary's revisions and show the difference between any two."""
    summary = get_object_or_404(
        Summary.objects.visible_to(request.user).select_related("paper", "writer"),
        pk=pk,
    )
    revisions = list(summary.revisions.all())
    numbers = {r.number: r for r in revisions}
    diff = None
    old = new = None
    if len(revisions) >= 2:
        try:
            b = int(request.GET.get("b", revisions[0].number))
            a = int(
                request.GET.get(
                    "a", revisions[1].number if b == revisions[0].number else b - 1
                )
            )
        except ValueError:
            a, b = revisions[1].number, revisions[0].number
        old, new = numbers.get(a), numbers.get(b)
        if old is None or new is None:
            raise Http404("No such revision.")
        diff = revision_diff(old.body, new.body)
    return render(
        request,
        "summaries/summary_history.html",
        {
            "summary": summary,
            "paper": summary.paper,
            "revisions": revisions,
            "diff": diff,
            "old": old,
            "new": new,
            "is_writer": summary.writer_id == request.user.pk,
        },
    )


@login_required
@require_POST
def summary_restore(request, pk: int, number: int):
    summary = _own_summary(request, pk)
    revision = get_object_or_404(SummaryRevision, summary=summary, number=number)
    services.summary_restore_revision(
        summary=summary, revision=revision, by=request.user
    )
    messages.success(request, f"Revision {number} is the current text again.")
    return redirect("summaries:summary-history", pk=summary.pk)


@login_required
def summary_delete(request, pk: int):
    summary = _own_summary(request, pk)
    if request.method == "POST":
        services.summary_delete(summary=summary)
        return redirect("summaries:summary-deleted", pk=summary.pk)
    return render(
        request,
        "summaries/summary_confirm_delete.html",
        {"summary": summary, "paper": summary.paper},
    )


def _own_deleted_summary(request, pk: int) -> Summary:
    summary = get_object_or_404(
        Summary.objects.select_related("paper"), pk=pk, deleted_at__isnull=False
    )
    if summary.writer_id != request.user.pk:
        raise PermissionDenied("Only the writer of a summary can undo its deletion.")
    return summary


@login_required
def summary_deleted(request, pk: int):
    """Say the summary is gone and offer to undo that for a while."""
    summary = _own_deleted_summary(request, pk)
    return render(
        request,
        "summaries/summary_deleted.html",
        {
            "summary": summary,
            "paper": summary.paper,
            "undo_until": services.summary_undo_deadline(summary=summary),
        },
    )


@login_required
@require_POST
def summary_undo_delete(request, pk: int):
    summary = _own_deleted_summary(request, pk)
    if services.summary_undo_deadline(summary=summary) is None:
        messages.error(
            request,
            "It is too late to undo this deletion yourself; staff can restore the "
            "summary for 30 days if you ask.",
        )
        return redirect(summary.paper)
    services.summary_undelete(summary=summary)
    messages.success(request, "Your summary is back, as it was.")
    if summary.status == Summary.Status.PUBLISHED:
        return redirect(summary)
    return redirect("summaries:summary-edit", pk=summary.pk)


@login_required
@require_POST
def summary_share(request, pk: int):
    summary = _own_summary(request, pk)
    enable = request.POST.get("action") != "revoke"
    services.summary_share_link(summary=summary, enable=enable)
    if enable:
        messages.success(
            request, "A new share link is ready; the old one no longer works."
        )
    else:
        messages.success(request, "The share link is revoked.")
    return redirect("summaries:summary-edit", pk=summary.pk)


def cite_redirect(request, kind: str, value: str):
    """Open the paper a citation names, or offer to add it when the site lacks it."""
    lookup = {"arxiv": "arxiv_id", "doi": "doi__iexact", "paper": "pk"}.get(kind)
    if lookup is None:
        raise Http404("Unknown citation kind.")
    if kind == "paper" and not value.isdigit():
        raise Http404("No such paper.")
    paper = Paper.objects.filter(**{lookup: value}).first()
    if paper is not None:
        return redirect(paper)
    query = f"arXiv:{value}" if kind == "arxiv" else value
    return redirect(f"{reverse('papers:paper-add')}?{urlencode({'q': query})}")


@login_required
@require_POST
@ratelimit(key="user", rate="60/m", method="POST", block=False)
def summary_vote(request, pk: int):
    """Vote a summary up (+1) or down (-1), or take the vote back (0)."""
    summary = get_object_or_404(Summary.objects.select_related("writer"), pk=pk)
    if not summary.is_public:
        raise Http404("No such summary.")
    try:
        value = int(request.POST.get("value", ""))
    except ValueError:
        value = None
    if value not in (-1, 0, 1):
        return HttpResponse("A vote is 1, -1 or 0.", status=400)
    if getattr(request, "limited", False):
        return HttpResponse("You are voting too fast; wait a minute.", status=429)
    try:
        summary.score = services.vote_set(
            user=request.user, summary=summary, value=value
        )
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    summary.my_vote = value
    summary.viewer_is_author = is_claimed_author(
        paper_id=summary.paper_id, user=request.user
    )
    if request.htmx:
        return render(request, "includes/_vote.html", {"summary": summary})
    return redirect(f"{summary.get_absolute_url()}#summary-{summary.pk}")


# Authors' voice ----------------------------------------------------------------------


def _public_summary(pk: int) -> Summary:
    summary = get_object_or_404(
        Summary.objects.select_related("paper", "writer"), pk=pk
    )
    if not summary.is_public:
        raise Http404("No such summary.")
    return summary


@login_required
@require_POST
@ratelimit(key="user", rate="30/m", method="POST", block=False)
def summary_endorse(request, pk: int):
    """Endorse (endorse=1) a summary of one's own paper, or withdraw it (endorse=0)."""
    summary = _public_summary(pk)
    if getattr(request, "limited", False):
        return HttpResponse("Too many changes; wait a minute.", status=429)
    endorse = request.POST.get("endorse") == "1"
    try:
        services.endorsement_set(user=request.user, summary=summary, endorse=endorse)
    except WriteRefused as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            "You endorse this summary: readers see that the authors agree it is accurate."
            if endorse
            else "Your endorsement is withdrawn.",
        )
    return redirect(f"{summary.get_absolute_url()}#summary-{summary.pk}")


@login_required
@ratelimit(key="user", rate=SAVE_RATE, method="POST", block=False)
def author_response(request, pk: int):
    """Write, edit or delete one's author response to a summary of one's own paper."""
    summary = _public_summary(pk)
    if not is_claimed_author(paper_id=summary.paper_id, user=request.user):
        raise PermissionDenied(
            "Only the paper's claimed authors can answer its summaries."
        )
    response = AuthorResponse.objects.filter(
        summary=summary, writer=request.user
    ).first()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "delete":
        if response is not None:
            services.author_response_delete(user=request.user, response=response)
            messages.success(request, "Your author response is deleted.")
        return redirect(summary)
    if request.method == "POST":
        form = AuthorResponseForm(request.POST)
        if getattr(request, "limited", False):
            form.full_clean()
            form.add_error(None, TOO_FAST)
            status = 429
        elif form.is_valid():
            try:
                response = services.author_response_save(
                    user=request.user, summary=summary, body=form.cleaned_data["body"]
                )
            except WriteRefused as exc:
                form.add_error(None, exc.message)
                status = 403
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(
                    None, exc if isinstance(exc, ValidationError) else str(exc)
                )
                status = 400
            else:
                messages.success(request, "Your author response is saved.")
                return redirect(response.get_absolute_url())
        else:
            status = 400
    else:
        form = AuthorResponseForm(initial={"body": response.body if response else ""})
    return render(
        request,
        "summaries/author_response_form.html",
        {
            "summary": summary,
            "paper": summary.paper,
            "form": form,
            "response": response,
        },
        status=status,
    )
