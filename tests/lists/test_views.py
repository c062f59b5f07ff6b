"""Reading list pages: who sees and changes what, following, feeds, import and export."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lists import services
from lists.models import ListFollow, ListItem, ReadingList
from tests.factories import (
    ListItemFactory,
    PaperFactory,
    ReadingListFactory,
    UserFactory,
)
from users.policy import WriteRefused

pytestmark = pytest.mark.django_db

RIS = (
    "TY  - JOUR\r\nTI  - Deep residual learning\r\nAU  - He, Kaiming\r\n"
    "PY  - 2016\r\nAN  - arXiv:1512.03385\r\nN1  - <p>the ResNet paper</p>\r\nER  - \r\n"
)


def test_paper_page_links_to_add_to_a_list(client):
    paper = PaperFactory()

    html = client.get(paper.get_absolute_url()).content.decode()

    assert f'href="{reverse("lists:paper-add", args=[paper.pk])}"' in html


def test_adding_a_paper_puts_it_last_with_its_note(client):
    owner = UserFactory()
    reading_list = ReadingListFactory(owner=owner)
    first = ListItemFactory(reading_list=reading_list, position=0)
    paper = PaperFactory()
    client.force_login(owner)

    client.post(
        reverse("lists:paper-add", args=[paper.pk]),
        {"list": reading_list.pk, "note": "for Tuesday"},
    )

    assert [(i.paper_id, i.note) for i in reading_list.items.all()] == [
        (first.paper_id, ""),
        (paper.pk, "for Tuesday"),
    ]


def test_nobody_else_can_add_to_my_list(client):
    reading_list = ReadingListFactory()
    paper = PaperFactory()
    client.force_login(UserFactory())

    response = client.post(
        reverse("lists:paper-add", args=[paper.pk]), {"list": reading_list.pk}
    )

    assert response.status_code == 404
    assert not reading_list.items.exists()


def test_others_cannot_edit_an_item_of_a_public_list(client):
    item = ListItemFactory(note="mine")
    client.force_login(UserFactory())

    client.post(
        reverse("lists:item-update", args=[item.pk]),
        {"action": "remove"},
    )

    item.refresh_from_db()
    assert item.note == "mine"


def test_an_editor_of_a_reading_group_list_annotates_and_reorders(client):
    editor = UserFactory()
    reading_list = ReadingListFactory()
    reading_list.editors.add(editor)
    a = ListItemFactory(reading_list=reading_list, position=0)
    b = ListItemFactory(reading_list=reading_list, position=1)
    client.force_login(editor)

    client.post(reverse("lists:item-update", args=[b.pk]), {"action": "up"})
    client.post(
        reverse("lists:item-update", args=[a.pk]),
        {"action": "note", "note": "discuss section 4"},
    )

    assert [(i.pk, i.note) for i in reading_list.items.order_by("position")] == [
        (b.pk, ""),
        (a.pk, "discuss section 4"),
    ]


def test_an_editor_cannot_change_visibility_or_editors():
    editor = UserFactory()
    reading_list = ReadingListFactory(visibility=ReadingList.Visibility.PRIVATE)
    reading_list.editors.add(editor)

    services.list_update(
        reading_list=reading_list,
        user=editor,
        title="Group list",
        description="",
        visibility=ReadingList.Visibility.PUBLIC,
        editors=[],
    )

    reading_list.refresh_from_db()
    assert reading_list.title == "Group list"
    assert reading_list.visibility == ReadingList.Visibility.PRIVATE
    assert list(reading_list.editors.all()) == [editor]


def test_private_list_is_hidden_from_others_and_shown_to_its_owner(client):
    reading_list = ReadingListFactory(
        visibility=ReadingList.Visibility.PRIVATE, title="My secret list"
    )
    url = reading_list.get_absolute_url()

    anonymous = client.get(url)
    client.force_login(UserFactory())
    other = client.get(url)
    client.force_login(reading_list.owner)
    owner = client.get(url)

    assert (anonymous.status_code, other.status_code) == (404, 404)
    assert "My secret list" in owner.content.decode()


def test_unlisted_list_opens_only_with_its_link(client):
    reading_list = ReadingListFactory(
        visibility=ReadingList.Visibility.UNLISTED, title="Group reading"
    )

    without = client.get(reading_list.get_absolute_url())
    with_link = client.get(reading_list.share_url())
    export = client.get(
        reverse("lists:list-export", args=[reading_list.pk, "bib"])
        + f"?key={reading_list.share_key}"
    )

    assert without.status_code == 404
    assert "Group reading" in with_link.content.decode()
    assert export.status_code == 200


def test_new_link_withdraws_the_old_one(client):
    reading_list = ReadingListFactory(visibility=ReadingList.Visibility.UNLISTED)
    old = reading_list.share_url()

    services.list_new_share_key(reading_list=reading_list, user=reading_list.owner)

    assert client.get(old).status_code == 404
    assert client.get(reading_list.share_url()).status_code == 200


def test_following_a_public_list_shows_it_among_mine(client):
    reading_list = ReadingListFactory(title="Transformers reading group")
    reader = UserFactory()
    client.force_login(reader)

    client.post(reverse("lists:list-follow", args=[reading_list.pk]))
    mine = client.get(reverse("lists:list-mine")).content.decode()

    assert ListFollow.objects.filter(reading_list=reading_list, user=reader).exists()
    assert "Transformers reading group" in mine


def test_a_list_made_private_loses_its_followers():
    reading_list = ReadingListFactory()
    services.list_follow(reading_list=reading_list, user=UserFactory())

    services.list_update(
        reading_list=reading_list,
        user=reading_list.owner,
        title=reading_list.title,
        description="",
        visibility=ReadingList.Visibility.PRIVATE,
    )

    assert not reading_list.follows.exists()


def test_atom_feed_lists_papers_with_notes(client):
    item = ListItemFactory(note="Start here")
    html = client.get(item.reading_list.get_absolute_url()).content.decode()

    feed = client.get(reverse("lists:list-atom", args=[item.reading_list_id]))

    body = feed.content.decode()
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert f"<title>{item.paper.title}</title>" in body
    assert "Start here" in body
    assert 'type="application/atom+xml"' in html


def test_private_list_has_no_feed(client):
    reading_list = ReadingListFactory(visibility=ReadingList.Visibility.PRIVATE)

    response = client.get(reverse("lists:list-atom", args=[reading_list.pk]))

    assert response.status_code == 404


def test_uploading_a_ris_file_makes_a_new_list(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("lists:list-import-new"),
        {
            "list-title": "From Zotero",
            "list-visibility": "private",
            "file": SimpleUploadedFile("library.ris", RIS.encode()),
        },
    )

    reading_list = ReadingList.objects.get(owner=user)
    item = reading_list.items.get()
    assert response.url == reading_list.get_absolute_url()
    assert reading_list.title == "From Zotero"
    assert (item.paper.arxiv_id, item.note) == ("1512.03385", "the ResNet paper")


def test_an_unreadable_upload_makes_no_list(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("lists:list-import-new"),
        {
            "list-title": "Broken",
            "list-visibility": "private",
            "file": SimpleUploadedFile("notes.txt", b"just words"),
        },
    )

    assert "not a BibTeX, RIS or CSL-JSON file" in response.content.decode()
    assert not ReadingList.objects.filter(owner=user).exists()


def test_export_downloads_the_list_as_csl_json(client):
    item = ListItemFactory(paper=PaperFactory(title="Attention is all you need"))

    response = client.get(
        reverse("lists:list-export", args=[item.reading_list_id, "json"])
    )

    assert response["Content-Disposition"].endswith('.json"')
    assert response.json()[0]["title"] == "Attention is all you need"


def test_profile_shows_public_lists_only(client):
    owner = UserFactory()
    ReadingListFactory(owner=owner, title="Open list")
    ReadingListFactory(
        owner=owner, title="Hidden list", visibility=ReadingList.Visibility.PRIVATE
    )

    html = client.get(owner.get_absolute_url()).content.decode()

    assert "Open list" in html
    assert "Hidden list" not in html


def test_list_page_queries_do_not_grow_with_papers(
    client, django_assert_max_num_queries
):
    reading_list = ReadingListFactory()
    for _ in range(8):
        ListItemFactory(reading_list=reading_list)

    with django_assert_max_num_queries(12):
        client.get(reading_list.get_absolute_url())

    assert ListItem.objects.filter(reading_list=reading_list).count() == 8


def test_a_banned_user_cannot_make_or_change_lists():
    user = UserFactory(is_banned=True)
    reading_list = ReadingListFactory(owner=user)

    with pytest.raises(WriteRefused):
        services.list_create(owner=user, title="New")
    with pytest.raises(WriteRefused):
        services.list_add_paper(
            reading_list=reading_list, paper=PaperFactory(), user=user
        )

    assert not reading_list.items.exists()
