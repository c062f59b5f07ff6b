from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from summaries.models import Summary

from . import selectors, services
from .forms import CommentForm
from .models import Comment


def _thread_response(
    request, summary: Summary, form=None, status: int = 200, anchor: str = ""
):
    """Answer htmx with the re-rendered thread; others go back to the page."""
    if request.htmx:
        summary.threaded_comments = selectors.thread_for(
            summary=summary, viewer=request.user
        )
        return render(
            request,
            "includes/_comments.html",
            {"summary": summary, "comment_form": form, "in_place": True},
            # htmx swaps only successful answers, so form errors come back as 200.
            status=200,
        )
    if form is not None and form.errors:
        summary.threaded_comments = selectors.thread_for(
            summary=summary, viewer=request.user
        )
        return render(
            request,
            "summary_detail.html",
            {"summary": summary, "paper": summary.paper, "comment_form": form},
            status=status,
        )
    return redirect(f"{summary.get_absolute_url()}{anchor}")


def _readable_summary(request, pk: int) -> Summary:
    return get_object_or_404(
        Summary.objects.visible_to(request.user).select_related("paper", "writer"),
        pk=pk,
    )


@login_required
@require_POST
@ratelimit(key="user", rate="20/m", method="POST", block=False)
def comment_post(request, summary_pk: int):
    """Post a comment or a reply."""
    summary = _readable_summary(request, summary_pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _thread_response(request, summary, form, status=400)
    if form.cleaned_data["website"]:
        return HttpResponseBadRequest("This form was not filled in by a person.")
    if getattr(request, "limited", False):
        form.add_error(None, "You are commenting too fast; wait a minute.")
        return _thread_response(request, summary, form, status=429)
    parent = None
    if form.cleaned_data["parent"]:
        # Replying to a deleted comment still works: the thread keeps its place.
        parent = get_object_or_404(
            Comment, pk=form.cleaned_data["parent"], summary=summary
        )
    try:
        comment = services.comment_create(
            summary=summary,
            writer=request.user,
            body=form.cleaned_data["body"],
            parent=parent,
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        form.add_error(None, exc)
        return _thread_response(request, summary, form, status=400)
    return _thread_response(request, summary, anchor=f"#comment-{comment.pk}")


@login_required
@require_POST
def comment_edit(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("summary__paper"), pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _thread_response(request, comment.summary, form, status=400)
    try:
        services.comment_edit(
            comment=comment, by=request.user, body=form.cleaned_data["body"]
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _thread_response(request, comment.summary, form, status=400)
    return _thread_response(request, comment.summary, anchor=f"#comment-{comment.pk}")


@login_required
@require_POST
def comment_delete(request, pk: int):
    comment = get_object_or_404(Comment.objects.select_related("summary__paper"), pk=pk)
    services.comment_delete(comment=comment, by=request.user)
    return _thread_response(request, comment.summary, anchor=f"#comment-{comment.pk}")


def comment_history(request, pk: int):
    comment = get_object_or_404(
        Comment.objects.select_related("summary__paper", "writer"), pk=pk
    )
    if comment.is_gone or not comment.summary.is_visible_to(request.user):
        raise Http404("No such comment.")
    return render(
        request,
        "comments/comment_history.html",
        {"comment": comment, "revisions": comment.revisions.all()},
    )
