"""Reads about claimed authors, shared by pages, the API and the vote recount."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from papers.models import Paper

from .models import AuthorClaim


def claimed_author_ids(*, paper_id: int) -> set[int]:
    """Return the ids of the users who are claimed authors of the paper."""
    return set(
        AuthorClaim.objects.approved()
        .filter(paper_id=paper_id)
        .values_list("user_id", flat=True)
    )


def claimed_authors_by_paper(*, paper_ids: Iterable[int]) -> dict[int, set[int]]:
    """Return {paper id: claimed author ids} for these papers, in one query."""
    found: dict[int, set[int]] = {}
    for paper_id, user_id in (
        AuthorClaim.objects.approved()
        .filter(paper_id__in=set(paper_ids))
        .values_list("paper_id", "user_id")
    ):
        found.setdefault(paper_id, set()).add(user_id)
    return found


def is_claimed_author(*, paper_id: int, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return AuthorClaim.objects.approved().filter(paper_id=paper_id, user=user).exists()


def claimed_author_q(*, paper_ref: str, user_ref: str) -> Exists:
    """Return an Exists that holds when the user at `user_ref` is a claimed author of
    the paper at `paper_ref` (OuterRef paths), for queries such as the vote recount."""
    return Exists(
        AuthorClaim.objects.approved().filter(
            paper_id=OuterRef(paper_ref), user_id=OuterRef(user_ref)
        )
    )


def claim_list_for_paper(*, paper: Paper) -> QuerySet[AuthorClaim]:
    """Return the paper's approved claims with their users, in author-list order."""
    return (
        AuthorClaim.objects.approved()
        .filter(paper=paper)
        .select_related("user", "author")
        .order_by("decided_at", "pk")
    )


def claim_list_for_user(*, user, approved_only: bool) -> QuerySet[AuthorClaim]:
    """Return a user's claims, newest first, with their papers."""
    qs = AuthorClaim.objects.filter(user=user).select_related(
        "paper", "paper__venue", "decided_by"
    )
    if approved_only:
        qs = qs.approved()
    return qs.order_by("-created_at", "-pk")


def claim_list_pending() -> QuerySet[AuthorClaim]:
    """Return the claims waiting for a moderator, oldest first."""
    return (
        AuthorClaim.objects.filter(status=AuthorClaim.Status.PENDING)
        .select_related("paper", "user", "author")
        .prefetch_related("paper__authorships__author")
        .order_by("created_at", "pk")
    )
