"""Reading lists in an account's data download and deletion."""

import pytest

from lists import services
from lists.models import ListFollow, ReadingList
from tests.factories import ListItemFactory, ReadingListFactory, UserFactory
from users.accounts import account_delete, account_export

pytestmark = pytest.mark.django_db


def test_data_download_holds_the_lists_with_notes_and_follows():
    user = UserFactory()
    item = ListItemFactory(
        reading_list=ReadingListFactory(owner=user, title="Mine"), note="key paper"
    )
    followed = ReadingListFactory()
    services.list_follow(reading_list=followed, user=user)

    data = account_export(user=user)

    [exported] = data["reading_lists"]
    assert exported["title"] == "Mine"
    assert [(p["paper_id"], p["note"]) for p in exported["papers"]] == [
        (item.paper_id, "key paper")
    ]
    assert data["followed_reading_lists"] == [followed.pk]


def test_deleting_an_account_deletes_its_lists_and_follows():
    user = UserFactory()
    ReadingListFactory(owner=user)
    other = ReadingListFactory()
    other.editors.add(user)
    services.list_follow(reading_list=other, user=user)

    account_delete(user=user, keep_summaries=False)

    assert list(ReadingList.objects.all()) == [other]
    assert not other.editors.exists()
    assert not ListFollow.objects.exists()
