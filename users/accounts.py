"""Account actions that reach the content other apps keep: the users directory, "download
my data" and account deletion.

users/ sits below the apps that keep content for an account (summaries, votes, images,
comments), so it does not import them: each registers how its content is listed,
exported and deleted with account_content_register() in its AppConfig.ready().
"""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from shortscience.pagination import paginate

from . import services as user_services
from .forms import AccountDeleteForm
from .models import User

# Content other apps keep for an account -----------------------------------------------


class ExportFile(NamedTuple):
    """One file of the data download, listed in profile.json under its holder's name."""

    id: int
    path: str
    text: str


@dataclass
class Holders:
    """Who ends up holding what a deleted account leaves behind."""

    shared: User
    tombstone: User | None = None

    def own(self) -> User:
        if self.tombstone is None:
            self.tombstone = user_services.user_create_tombstone()
        return self.tombstone


@dataclass(frozen=True)
class AccountContent:
    """How one app's content follows an account; every hook is optional.

    directory(users) narrows and annotates the users directory's queryset.
    export(user=) returns sections of profile.json.
    files(user=) returns files for the download, listed in profile.json under `name`.
    delete(user=, holders=, keep_summaries=) deletes the content or hands it to holders,
    inside the deletion's transaction, before the User row goes.
    """

    name: str
    directory: Callable[[QuerySet[User]], QuerySet[User]] | None = None
    export: Callable[..., dict] | None = None
    files: Callable[..., list[ExportFile]] | None = None
    delete: Callable[..., None] | None = None


_contents: dict[str, AccountContent] = {}


def account_content_register(
    name: str,
    *,
    directory: Callable[[QuerySet[User]], QuerySet[User]] | None = None,
    export: Callable[..., dict] | None = None,
    files: Callable[..., list[ExportFile]] | None = None,
    delete: Callable[..., None] | None = None,
) -> None:
    """Register (or replace) how the content named `name` is listed, exported, deleted.

    Hooks run in the order of registration, which is the order of INSTALLED_APPS.
    """
    _contents[name] = AccountContent(
        name=name, directory=directory, export=export, files=files, delete=delete
    )


def account_contents() -> list[AccountContent]:
    return list(_contents.values())


def iso(value) -> str | None:
    return value.isoformat() if value else None


# Directory ----------------------------------------------------------------------------


def user_list_directory() -> QuerySet[User]:
    """Return the active writers with a public, signed summary, by reputation then name.

    Each row carries summary_count (its public, non-anonymous summaries); which users
    are writers and what they count is up to the registered content (summaries/).
    """
    users = User.objects.filter(is_active=True, is_banned=False)
    for content in account_contents():
        if content.directory is not None:
            users = content.directory(users)
    return users.annotate(
        sort_name=Lower(Coalesce(NullIf("display_name", Value("")), "username")),
    ).order_by("-reputation", "sort_name", "pk")


def user_directory(request):
    page = paginate(request, user_list_directory(), per_page=30)
    return render(request, "users/user_list.html", {"page": page})


# Download my data ---------------------------------------------------------------------


def account_export(*, user: User) -> dict:
    """Return profile.json's content: profile, e-mail addresses, votes and comments.

    Votes and comments are the sections their apps' export hooks return.
    """
    data = {
        "exported_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "profile": {
            "username": user.username,
            "display_name": user.display_name,
            "bio": user.bio,
            "affiliation": user.affiliation,
            "website": user.website,
            "orcid": user.orcid,
            "date_joined": iso(user.date_joined),
            "reputation": user.reputation,
            "notify_on_comment": user.notify_on_comment,
            "notify_on_reply": user.notify_on_reply,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("-primary", "pk")
        ],
    }
    for content in account_contents():
        if content.export is not None:
            data.update(content.export(user=user))
    return data


def account_export_zip(*, user: User) -> bytes:
    """Return a zip of profile.json and one Markdown file per summary, drafts included.

    The files are those the apps' files hooks return.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = account_export(user=user)
        for content in account_contents():
            if content.files is None:
                continue
            data[content.name] = []
            for file in content.files(user=user):
                archive.writestr(file.path, file.text)
                data[content.name].append({"id": file.id, "file": file.path})
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
    Each app does its part in the delete hook it registered.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    holders = Holders(shared=user_services.user_deleted_placeholder())
    for content in account_contents():
        if content.delete is not None:
            content.delete(user=user, holders=holders, keep_summaries=keep_summaries)
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
