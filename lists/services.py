"""Writes to reading lists: create, add and order papers, follow, import and export."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from papers.models import Paper
from papers.services import papers_upsert
from shortscience.cache import cache_touch
from users.policy import Action, ensure_can_write

from . import formats
from .models import ListFollow, ListItem, ReadingList, new_share_key
from .selectors import list_can_edit, list_items, list_next_position

MAX_IMPORT_ENTRIES = 2000


def _profile_changed(reading_list: ReadingList) -> None:
    """The owner's profile lists their public lists with paper counts: refresh it."""
    cache_touch("user-lists", reading_list.owner_id)


def _check_editor(reading_list: ReadingList, user) -> None:
    ensure_can_write(user, action=Action.READING_LIST)
    if not list_can_edit(reading_list=reading_list, user=user):
        raise PermissionDenied("only the list's owner and editors may change it")


def list_create(
    *,
    owner,
    title: str,
    description: str = "",
    visibility: str = ReadingList.Visibility.PRIVATE,
) -> ReadingList:
    """Create an empty list kept by `owner`."""
    ensure_can_write(owner, action=Action.READING_LIST)
    reading_list = ReadingList(
        owner=owner, title=title, description=description, visibility=visibility
    )
    reading_list.full_clean()
    reading_list.save()
    _profile_changed(reading_list)
    return reading_list


def list_update(
    *,
    reading_list: ReadingList,
    user,
    title: str,
    description: str,
    visibility: str,
    editors: Iterable | None = None,
) -> ReadingList:
    """Change a list's title, description, visibility and (owner only) its editors."""
    _check_editor(reading_list, user)
    reading_list.title = title
    reading_list.description = description
    if reading_list.owner_id == user.pk:
        reading_list.visibility = visibility
    reading_list.full_clean()
    reading_list.save(
        update_fields=["title", "description", "visibility", "updated_at"]
    )
    if editors is not None and reading_list.owner_id == user.pk:
        reading_list.editors.set([e for e in editors if e.pk != reading_list.owner_id])
    if not reading_list.is_public:
        # Followers of a list that is no longer public lose it.
        reading_list.follows.all().delete()
    _profile_changed(reading_list)
    return reading_list


def list_delete(*, reading_list: ReadingList, user) -> None:
    """Delete a list; only its owner may."""
    if reading_list.owner_id != user.pk:
        raise PermissionDenied("only the list's owner may delete it")
    _profile_changed(reading_list)
    reading_list.delete()


def list_new_share_key(*, reading_list: ReadingList, user) -> ReadingList:
    """Give an unlisted list a new link; the old one stops working."""
    if reading_list.owner_id != user.pk:
        raise PermissionDenied("only the list's owner may change its link")
    reading_list.share_key = new_share_key()
    reading_list.save(update_fields=["share_key", "updated_at"])
    return reading_list


def list_add_paper(
    *, reading_list: ReadingList, paper: Paper, user, note: str = ""
) -> ListItem:
    """Put a paper at the end of the list (or return its item if it is there already)."""
    _check_editor(reading_list, user)
    with transaction.atomic():
        ReadingList.objects.select_for_update().filter(pk=reading_list.pk).first()
        item, created = ListItem.objects.get_or_create(
            reading_list=reading_list,
            paper=paper,
            defaults={
                "note": note,
                "added_by": user,
                "position": list_next_position(reading_list=reading_list),
            },
        )
        reading_list.save(update_fields=["updated_at"])
    _profile_changed(reading_list)
    return item


def list_item_update(*, item: ListItem, user, note: str) -> ListItem:
    """Change the note on one paper of a list."""
    _check_editor(item.reading_list, user)
    item.note = note
    item.save(update_fields=["note"])
    return item


def list_item_remove(*, item: ListItem, user) -> None:
    """Take a paper off a list."""
    _check_editor(item.reading_list, user)
    item.delete()
    _profile_changed(item.reading_list)


def list_item_move(*, item: ListItem, user, offset: int) -> None:
    """Move a paper up (offset -1) or down (+1) the list, swapping with its neighbour."""
    _check_editor(item.reading_list, user)
    with transaction.atomic():
        items = list(
            ListItem.objects.select_for_update()
            .filter(reading_list_id=item.reading_list_id)
            .order_by("position", "pk")
        )
        index = next(i for i, it in enumerate(items) if it.pk == item.pk)
        target = index + offset
        if not 0 <= target < len(items):
            return
        items[index], items[target] = items[target], items[index]
        for position, it in enumerate(items):
            it.position = position
        ListItem.objects.bulk_update(items, ["position"])


def list_follow(*, reading_list: ReadingList, user) -> ListFollow:
    """Follow a public list."""
    ensure_can_write(user, action=Action.FOLLOW)
    if not reading_list.is_public:
        raise PermissionDenied("only public lists can be followed")
    follow, _ = ListFollow.objects.get_or_create(reading_list=reading_list, user=user)
    return follow


def list_unfollow(*, reading_list: ReadingList, user) -> None:
    ListFollow.objects.filter(reading_list=reading_list, user=user).delete()


def list_import(*, reading_list: ReadingList, user, text: str) -> tuple[int, int]:
    """Add the papers of a BibTeX, RIS or CSL-JSON file to the list, in the file's order.

    Each entry goes through the catalogue's import pipeline (papers_upsert), so a paper
    the site knows by its arXiv id, DOI or title and first author is reused, never
    twinned. A note in the file becomes the paper's note unless the list has one.
    Return (papers added, papers already on the list).
    """
    _check_editor(reading_list, user)
    records = formats.read(text)[:MAX_IMPORT_ENTRIES]
    if not records:
        raise formats.UnreadableFile("the file holds no entry with a title")
    upserted = papers_upsert([r.data for r in records])
    added = already = 0
    with transaction.atomic():
        ReadingList.objects.select_for_update().filter(pk=reading_list.pk).first()
        existing = {
            item.paper_id: item
            for item in ListItem.objects.filter(reading_list=reading_list)
        }
        position = list_next_position(reading_list=reading_list)
        new_items = []
        for record, (paper, _) in zip(records, upserted, strict=True):
            item = existing.get(paper.pk)
            if item is not None:
                already += 1
                if record.note and not item.note:
                    item.note = record.note
                    item.save(update_fields=["note"])
                continue
            item = ListItem(
                reading_list=reading_list,
                paper=paper,
                note=record.note,
                added_by=user,
                position=position,
            )
            existing[paper.pk] = item
            new_items.append(item)
            position += 1
            added += 1
        ListItem.objects.bulk_create(new_items)
        reading_list.save(update_fields=["updated_at"])
    _profile_changed(reading_list)
    return added, already


def list_export(*, reading_list: ReadingList, kind: str) -> str:
    """Return the list's papers and notes as a BibTeX, RIS or CSL-JSON file."""
    items = list_items(reading_list=reading_list)
    return formats.write(kind, [(item.paper, item.note) for item in items])
