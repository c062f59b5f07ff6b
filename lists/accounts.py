"""What an account's reading lists become when it is exported or deleted.

Registered with users.accounts in ListsConfig.ready(): users/ sits below lists and never
imports them.
"""

from users.accounts import iso
from users.models import User

from .models import ListFollow, ReadingList
from .selectors import list_items


def lists_export(*, user: User) -> dict:
    """Return profile.json's "reading_lists" (the lists the user keeps) and follows."""
    lists = ReadingList.objects.filter(owner=user).order_by("created_at", "pk")
    return {
        "reading_lists": [
            {
                "id": reading_list.pk,
                "title": reading_list.title,
                "description": reading_list.description,
                "visibility": reading_list.visibility,
                "editors": list(
                    reading_list.editors.values_list("username", flat=True)
                ),
                "created_at": iso(reading_list.created_at),
                "papers": [
                    {
                        "paper_id": item.paper_id,
                        "title": item.paper.title,
                        "arxiv_id": item.paper.arxiv_id or None,
                        "doi": item.paper.doi or None,
                        "note": item.note,
                        "added_at": iso(item.added_at),
                    }
                    for item in list_items(reading_list=reading_list)
                ],
            }
            for reading_list in lists
        ],
        "followed_reading_lists": list(
            ListFollow.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values_list("reading_list_id", flat=True)
        ),
    }


def lists_account_delete(*, user: User, **_) -> None:
    """Delete the lists the user keeps, their follows, and their place as an editor."""
    ReadingList.objects.filter(owner=user).delete()
    ListFollow.objects.filter(user=user).delete()
    user.edited_reading_lists.clear()
