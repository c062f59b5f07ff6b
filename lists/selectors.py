"""Reads of reading lists, with who may see and change each."""

from __future__ import annotations

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from papers.models import Authorship, Paper
from shortscience.cache import cache_depends

from .models import ListItem, ReadingList


def list_can_edit(*, reading_list: ReadingList, user) -> bool:
    """Return whether `user` may change the list's papers and notes (owner or editor)."""
    if not user.is_authenticated:
        return False
    if reading_list.owner_id == user.pk:
        return True
    return reading_list.editors.filter(pk=user.pk).exists()


def list_can_view(*, reading_list: ReadingList, user, key: str = "") -> bool:
    """Return whether `user` (with the link's `key`, if any) may read the list."""
    if reading_list.visibility == ReadingList.Visibility.PUBLIC:
        return True
    if (
        reading_list.visibility == ReadingList.Visibility.UNLISTED
        and key
        and key == reading_list.share_key
    ):
        return True
    return list_can_edit(reading_list=reading_list, user=user)


def list_items(*, reading_list: ReadingList) -> QuerySet[ListItem]:
    """Return the list's items in order, each paper with its authors, venue and keywords."""
    papers = Paper.objects.select_related("venue").prefetch_related(
        Prefetch(
            "authorships",
            queryset=Authorship.objects.select_related("author").order_by("position"),
        ),
        "keywords",
    )
    return (
        ListItem.objects.filter(reading_list=reading_list)
        .select_related("added_by")
        .prefetch_related(Prefetch("paper", queryset=papers))
        .order_by("position", "pk")
    )


def _with_counts(qs: QuerySet[ReadingList]) -> QuerySet[ReadingList]:
    return qs.select_related("owner").annotate(
        paper_count=Count("items", distinct=True),
        follower_count=Count("follows", distinct=True),
    )


def list_for_user(*, user) -> QuerySet[ReadingList]:
    """Return the lists `user` keeps or edits, newest change first."""
    return _with_counts(
        ReadingList.objects.filter(Q(owner=user) | Q(editors=user)).distinct()
    )


def list_public_for_owner(*, owner) -> QuerySet[ReadingList]:
    """Return the public lists a user keeps (shown on their profile)."""
    cache_depends(
        "user-lists", owner.pk
    )  # a cached page showing them follows their changes
    return _with_counts(
        ReadingList.objects.filter(
            owner=owner, visibility=ReadingList.Visibility.PUBLIC
        )
    )


def list_followed(*, user) -> QuerySet[ReadingList]:
    """Return the public lists `user` follows."""
    return _with_counts(
        ReadingList.objects.filter(
            follows__user=user, visibility=ReadingList.Visibility.PUBLIC
        )
    )


def list_public_with_paper(*, paper: Paper) -> QuerySet[ReadingList]:
    """Return the public lists a paper is on."""
    return _with_counts(
        ReadingList.objects.filter(
            items__paper=paper, visibility=ReadingList.Visibility.PUBLIC
        )
    )


def list_next_position(*, reading_list: ReadingList) -> int:
    top = reading_list.items.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def list_is_followed(*, reading_list: ReadingList, user) -> bool:
    return (
        user.is_authenticated and reading_list.follows.filter(user_id=user.pk).exists()
    )
