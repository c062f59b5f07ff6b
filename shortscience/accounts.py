"""Account actions and pages that reach into summaries and comments.

users/ sits below summaries and comments in the dependency order, so what needs both
lives here: the users directory, "download my data" and account deletion.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify

from comments.models import Comment
from shortscience import markup
from summaries import services as summary_services
from summaries.models import Summary, SummaryRevision, UploadedImage, Vote
from summaries.signals import summary_changed
from users import services as user_services
from users.forms import AccountDeleteForm
from users.models import User

from .pagination import paginate

# Directory ----------------------------------------------------------------------------


def user_list_directory() -> QuerySet[User]:
    """Return the active writers with a public, signed summary, by reputation then name.

    Each row carries summary_count (its public, non-anonymous summaries).
    """
    signed = Summary.objects.public().filter(writer=OuterRef("pk"), is_anonymous=False)
    count = signed.order_by().values("writer").annotate(n=Count("pk")).values("n")[:1]
    return (
        User.objects.filter(is_active=True, is_banned=False)
        .filter(Exists(signed))
        .annotate(
            summary_count=Subquery(count),
            sort_name=Lower(Coalesce(NullIf("display_name", Value("")), "username")),
        )
        .order_by("-reputation", "sort_name", "pk")
    )


def user_directory(request):
    page = paginate(request, user_list_directory(), per_page=30)
    return render(request, "users/user_list.html", {"page": page})


# Download my data ---------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def summary_export_path(summary: Summary) -> str:
    slug = slugify(summary.paper.title)[:60].strip("-")
    name = f"{summary.paper_id}-{slug}" if slug else str(summary.paper_id)
    return f"summaries/{name}.md"


def summary_export_markdown(summary: Summary) -> str:
    """Return the summary as Markdown under a YAML header (values quoted as JSON)."""
    paper = summary.paper
    header = {
        "paper": paper.title,
        "paper_url": settings.SITE_URL.rstrip("/") + paper.get_absolute_url(),
        "arxiv": paper.arxiv_id or None,
        "doi": paper.doi or None,
        "status": summary.status,
        "anonymous": summary.is_anonymous,
        "private": summary.is_private,
        "published": _iso(summary.published_at),
        "updated": _iso(summary.updated_at),
        "deleted": _iso(summary.deleted_at),
    }
    lines = ["---"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in header.items()]
    lines += ["---", "", summary.body.rstrip("\n"), ""]
    return "\n".join(lines)


def account_export(*, user: User) -> dict:
    """Return profile.json's content: profile, e-mail addresses, votes and comments."""
    votes = Vote.objects.filter(user=user).select_related("summary__paper")
    comments = Comment.objects.filter(writer=user).select_related("summary__paper")
    return {
        "exported_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "profile": {
            "username": user.username,
            "display_name": user.display_name,
            "bio": user.bio,
            "affiliation": user.affiliation,
            "website": user.website,
            "orcid": user.orcid,
            "date_joined": _iso(user.date_joined),
            "reputation": user.reputation,
            "notify_on_comment": user.notify_on_comment,
            "notify_on_reply": user.notify_on_reply,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("-primary", "pk")
        ],
        "votes": [
            {
                "summary_id": vote.summary_id,
                "paper": vote.summary.paper.title,
                "value": vote.value,
                "created_at": _iso(vote.created_at),
            }
            for vote in votes.order_by("created_at", "pk")
        ],
        "comments": [
            {
                "id": comment.pk,
                "summary_id": comment.summary_id,
                "paper": comment.summary.paper.title,
                "parent_id": comment.parent_id,
                "created_at": _iso(comment.created_at),
                "updated_at": _iso(comment.updated_at),
                "deleted_at": _iso(comment.deleted_at),
                "markdown": comment.body,
            }
            for comment in comments.order_by("created_at", "pk")
        ],
    }


def account_export_zip(*, user: User) -> bytes:
    """Return a zip of profile.json and one Markdown file per summary, drafts included."""
    buffer = io.BytesIO()
    summaries = (
        Summary.objects.filter(writer=user).select_related("paper").order_by("paper_id")
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = account_export(user=user)
        data["summaries"] = []
        for summary in summaries:
            path = summary_export_path(summary)
            archive.writestr(path, summary_export_markdown(summary))
            data["summaries"].append({"id": summary.pk, "file": path})
        archive.writestr(
            "profile.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        )
    return buffer.getvalue()


@login_required
def data_download(request):
    """Show what the download holds; a POST returns the zip."""
    if request.method != "POST":
        return render(request, "users/settings_data.html")
    stamp = timezone.now().strftime("%Y%m%d")
    response = HttpResponse(
        account_export_zip(user=request.user), content_type="application/zip"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{settings.SITE_NAME}-{request.user.username}-{stamp}.zip"'
    )
    response["Cache-Control"] = "no-store"
    return response


# Account deletion ---------------------------------------------------------------------


@dataclass
class _Holders:
    """Who ends up holding what a deleted account leaves behind."""

    shared: User
    tombstone: User | None = None
    moved: dict[int, list[int]] = field(default_factory=dict)  # holder pk -> summaries

    def own(self) -> User:
        if self.tombstone is None:
            self.tombstone = user_services.user_create_tombstone()
        return self.tombstone

    def give(self, holder: User, summary_ids: list[int]) -> None:
        if summary_ids:
            self.moved.setdefault(holder.pk, []).extend(summary_ids)


def _remove_votes(user: User) -> None:
    """Delete the user's votes and recount the scores and reputations they touched."""
    touched = list(
        Vote.objects.filter(user=user)
        .values_list("summary_id", "summary__writer_id")
        .distinct()
    )
    Vote.objects.filter(user=user).delete()
    summary_services.summary_counts_refresh(
        summary_ids=[summary_id for summary_id, _ in touched],
        writer_ids=[writer_id for _, writer_id in touched],
    )


@transaction.atomic
def account_delete(*, user: User, keep_summaries: bool) -> None:
    """Delete an account, removing or keeping (as "deleted user") what it wrote.

    keep_summaries=False: every summary is soft-deleted (staff may restore it until the
    purge job runs) and every comment is emptied and marked deleted, so that replies by
    others keep their place in the thread.
    keep_summaries=True: published, non-private summaries and all comments pass to the
    shared "deleted user"; drafts and private summaries, which nobody else could read,
    are soft-deleted.
    Votes the user gave are removed and the scores recounted. Then the User row is
    deleted, which takes its e-mail addresses, sign-in links, tokens and notifications.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    _remove_votes(user)
    holders = _Holders(shared=user_services.user_deleted_placeholder())
    now = timezone.now()

    summaries = list(Summary.objects.filter(writer=user).select_related("paper"))
    keep = [
        s
        for s in summaries
        if keep_summaries
        and s.deleted_at is None
        and s.status == Summary.Status.PUBLISHED
        and not s.is_private
    ]
    kept_ids = {s.pk for s in keep}
    for summary in summaries:
        if summary.pk not in kept_ids and summary.deleted_at is None:
            summary_services.summary_delete(summary=summary)
    taken = set(
        Summary.objects.filter(
            writer=holders.shared, paper_id__in=[s.paper_id for s in keep]
        ).values_list("paper_id", flat=True)
    )
    holders.give(holders.shared, [s.pk for s in keep if s.paper_id not in taken])
    # One writer, one summary per paper: a paper the shared holder already has goes to
    # a holder of its own, as do the soft-deleted summaries.
    clashing = [s.pk for s in keep if s.paper_id in taken]
    removed = [s.pk for s in summaries if s.pk not in kept_ids]
    if clashing or removed:
        holders.give(holders.own(), clashing + removed)

    for holder_pk, ids in holders.moved.items():
        Summary.objects.filter(pk__in=ids).update(
            writer_id=holder_pk, pending_body="", pending_saved_at=None, updated_at=now
        )
        SummaryRevision.objects.filter(writer=user, summary_id__in=ids).update(
            writer_id=holder_pk
        )
    # Reputation follows the summaries to their new holders.
    summary_services.user_reputation_refresh(user_ids=list(holders.moved))

    images = UploadedImage.objects.filter(owner=user)
    if keep_summaries:
        images.update(owner=holders.shared)
    elif images.exists():
        images.update(owner=holders.own())

    comments = Comment.objects.filter(writer=user)
    if keep_summaries:
        comments.update(writer=holders.shared)
    else:
        comments.update(
            writer=holders.shared,
            body="",
            body_html="",
            rendered_by=markup.RENDERER_VERSION,
            deleted_at=Coalesce("deleted_at", Value(now)),
        )

    kept = Summary.objects.filter(pk__in=kept_ids)
    for summary in kept:
        # Bylines changed: listeners (feeds, search) refresh what they cached.
        transaction.on_commit(
            lambda s=summary: summary_changed.send(sender=Summary, summary=s)
        )
    user.delete()


@login_required
def account_delete_view(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST":
        # Guessing the password of a signed-in session is throttled like reauthentication.
        limited = ratelimit.consume_or_429(
            request, action="reauthenticate", user=request.user
        )
        if limited:
            return limited
        if form.is_valid():
            user = request.user
            account_delete(user=user, keep_summaries=form.keep_summaries)
            logout(request)
            messages.success(request, "Your account was deleted. Goodbye.")
            return redirect("home")
    return render(
        request,
        "users/settings_delete.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
