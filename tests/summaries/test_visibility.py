"""Who may read which summary, probed on every surface that shows summaries.

One writer has five summaries, each on a paper of its own in the same venue, year and
keyword: a public one (the control), a draft, a private, a deleted and a hidden one.
Each body, and a comment on each, carries a marker unique to its kind. Every surface is
read as an anonymous reader, another user, the writer and a staff member, and the
markers show where the rule (`Summary.objects.visible_to`) says they may, and nowhere
else.
"""

import datetime as dt
import gzip
import io
import re
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from community import services as community_services
from community.models import Notification
from discovery import services as discovery_services
from feeds import services as feed_services
from summaries.models import Summary
from tests.factories import (
    ApiTokenFactory,
    CommentFactory,
    KeywordFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
    VenueFactory,
)
from users.models import MODERATORS_GROUP

pytestmark = pytest.mark.django_db

KINDS = ["public", "draft", "private", "deleted", "hidden"]
NOT_PUBLIC = [kind for kind in KINDS if kind != "public"]
VIEWERS = ["anonymous", "other", "writer", "staff"]
STATE = {
    "public": {},
    "draft": {"status": Summary.Status.DRAFT, "published_at": None},
    "private": {"is_private": True},
    "deleted": {"deleted_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)},
    "hidden": {"is_hidden": True},
}
# Who may open each kind on its permalink, its history, its comments and the API.
MAY_OPEN = {
    "public": set(VIEWERS),
    "draft": {"writer"},
    "private": {"writer"},
    "deleted": set(),
    "hidden": {"writer", "staff"},
}
YEAR = 2019


def marker(kind: str) -> str:
    return f"mark{kind}zq"


def comment_marker(kind: str) -> str:
    return f"commentmark{kind}zq"


@dataclass
class World:
    writer: object
    summaries: dict
    comments: dict
    users: dict

    def paper(self, kind):
        return self.summaries[kind].paper


@pytest.fixture
def world(db):
    venue = VenueFactory(slug="visconf", short_name="VISCONF")
    keyword = KeywordFactory(name="visibility", slug="visibility")
    writer = UserFactory(username="vwriter", display_name="Vis Writer")
    commenter = UserFactory(username="vcommenter")
    summaries, comments = {}, {}
    for kind in KINDS:
        paper = PaperFactory(title=f"Paper {kind}zq", venue=venue, year=YEAR)
        paper.keywords.add(keyword)
        summaries[kind] = SummaryFactory(
            paper=paper,
            writer=writer,
            body=f"Xylophone notes {marker(kind)} end.",
            **STATE[kind],
        )
        comments[kind] = CommentFactory(
            summary=summaries[kind], writer=commenter, body=comment_marker(kind)
        )
    discovery_services.index_summaries(
        paper_ids=[s.paper_id for s in summaries.values()]
    )
    users = {
        "anonymous": None,
        "other": UserFactory(username="vother"),
        "writer": writer,
        "staff": UserFactory(username="vstaff", is_staff=True),
    }
    return World(writer=writer, summaries=summaries, comments=comments, users=users)


@pytest.fixture(params=VIEWERS)
def viewer(request, world):
    return request.param


def client_for(world, viewer) -> Client:
    client = Client()
    if world.users[viewer] is not None:
        client.force_login(world.users[viewer])
    return client


def api_headers(world, viewer) -> dict:
    user = world.users[viewer]
    if user is None:
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiTokenFactory(user=user).raw}"}


def shown(content: bytes | str) -> set[str]:
    """Return the kinds whose summary marker the content carries."""
    text = content if isinstance(content, str) else content.decode()
    return {kind for kind in KINDS if marker(kind) in text}


def may_open(viewer) -> set[str]:
    return {kind for kind in KINDS if viewer in MAY_OPEN[kind]}


# The rule itself ---------------------------------------------------------------------


def test_visible_to_follows_the_rule_for_every_viewer(world, viewer):
    visible = Summary.objects.visible_to(world.users[viewer])

    assert {s.body.split()[2] for s in visible} == {
        marker(kind) for kind in may_open(viewer)
    }
    for kind, summary in world.summaries.items():
        assert summary.is_visible_to(world.users[viewer]) == (kind in may_open(viewer))


def test_public_is_what_an_anonymous_viewer_sees_and_agrees_with_is_public(world):
    assert set(Summary.objects.public()) == set(Summary.objects.visible_to(None))
    assert {s.pk for s in Summary.objects.all() if s.is_public} == {
        world.summaries["public"].pk
    }


def test_the_moderators_group_opens_hidden_summaries_like_staff(world):
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])

    visible = set(Summary.objects.visible_to(moderator))

    assert visible == {world.summaries["public"], world.summaries["hidden"]}


# Pages that open one summary ---------------------------------------------------------


def test_permalink(world, viewer):
    client = client_for(world, viewer)
    for kind, summary in world.summaries.items():
        response = client.get(summary.get_absolute_url())

        assert response.status_code == (200 if kind in may_open(viewer) else 404)
        assert shown(response.content) <= {kind}
        assert (marker(kind) in response.content.decode()) == (kind in may_open(viewer))


def test_a_hidden_summary_is_marked_hidden_to_those_who_may_open_it(world):
    client = client_for(world, "staff")

    html = client.get(world.summaries["hidden"].get_absolute_url()).content.decode()

    assert "hidden by a moderator" in html
    assert 'name="robots" content="noindex"' in html


def test_comment_forms_show_only_where_a_comment_may_be_posted(world):
    """Staff may open a hidden summary, but nobody may comment on it but its writer."""
    hidden = world.summaries["hidden"].get_absolute_url()
    public = world.summaries["public"].get_absolute_url()

    staff = client_for(world, "staff")
    writer = client_for(world, "writer")

    assert "Post comment" not in staff.get(hidden).content.decode()
    assert "Post reply" not in staff.get(hidden).content.decode()
    assert "Post comment" in staff.get(public).content.decode()
    assert "Post comment" in writer.get(hidden).content.decode()


def test_history(world, viewer):
    client = client_for(world, viewer)
    for kind, summary in world.summaries.items():
        response = client.get(f"/summaries/{summary.pk}/history/")

        assert response.status_code == (200 if kind in may_open(viewer) else 404)
        assert shown(response.content) <= {kind}


def test_comment_history(world, viewer):
    client = client_for(world, viewer)
    for kind, comment in world.comments.items():
        response = client.get(f"/comments/{comment.pk}/history/")

        assert (comment_marker(kind) in response.content.decode()) == (
            kind in may_open(viewer)
        )


def test_share_link_opens_a_private_summary_but_no_draft_deleted_or_hidden_one(
    world, viewer
):
    client = client_for(world, viewer)
    for kind, summary in world.summaries.items():
        response = client.get(f"/s/{summary.share_token}/")

        assert shown(response.content) == (
            {kind} if kind in {"public", "private"} else set()
        )


def test_api_summary_detail(world, viewer):
    client, headers = Client(), api_headers(world, viewer)
    for kind, summary in world.summaries.items():
        response = client.get(f"/api/v1/summaries/{summary.pk}", **headers)

        assert response.status_code == (200 if kind in may_open(viewer) else 404)
        assert shown(response.content) == ({kind} & may_open(viewer))


# Lists and pages shown alike to everyone: public summaries only ------------------------


def test_paper_pages(world, viewer):
    client = client_for(world, viewer)
    for kind in KINDS:
        response = client.get(world.paper(kind).get_absolute_url())

        assert response.status_code == 200
        assert shown(response.content) == ({"public"} if kind == "public" else set())
        assert (comment_marker(kind) in response.content.decode()) == (kind == "public")


@pytest.mark.parametrize("path", ["/", "/?tab=recent", "/?tab=top", "/users/vwriter/"])
def test_home_and_profile(world, viewer, path):
    html = client_for(world, viewer).get(path).content.decode()

    linked = {
        kind
        for kind, summary in world.summaries.items()
        if f'href="{summary.get_absolute_url()}"' in html
    }
    assert linked == {"public"}
    assert shown(html) <= {"public"}


def test_home_counts_public_summaries_only(world, viewer):
    html = client_for(world, viewer).get("/").content.decode()

    assert "1 public summary of 1 paper," in html


def _row_is_summarised(html: str, paper) -> bool:
    row = re.search(
        rf'<li class="paper-row( wanted)?">\s*<a class="paper-title" '
        rf'href="{paper.get_absolute_url()}"',
        html,
    )
    assert row is not None, paper
    return row.group(1) is None


@pytest.mark.parametrize(
    "path", [f"/venues/visconf/{YEAR}/", f"/years/{YEAR}/", "/keywords/visibility/"]
)
def test_paper_lists_count_public_summaries_only(world, viewer, path):
    html = client_for(world, viewer).get(path).content.decode()

    assert {kind for kind in KINDS if _row_is_summarised(html, world.paper(kind))} == {
        "public"
    }


def test_venue_list_counts_public_summaries_only(world, viewer):
    html = client_for(world, viewer).get("/venues/").content.decode()

    counts = re.search(
        r'href="/venues/visconf/".*?<td class="num">(\d+)</td><td class="num">(\d+)</td>',
        html,
        re.DOTALL,
    )
    assert counts.groups() == ("5", "1")


def test_search(world, viewer):
    html = client_for(world, viewer).get("/search/", {"q": "xylophone"}).content
    api = Client().get(
        "/api/v1/search", {"q": "xylophone"}, **api_headers(world, viewer)
    )

    titles = {kind for kind in KINDS if f"Paper {kind}zq" in html.decode()}
    assert titles == {"public"}
    assert [p["title"] for p in api.json()["results"]] == ["Paper publiczq"]
    assert shown(html) <= {"public"}


def test_api_lists(world, viewer):
    client, headers = Client(), api_headers(world, viewer)
    for kind in KINDS:
        paper = world.paper(kind)
        summaries = client.get(f"/api/v1/papers/{paper.pk}/summaries", **headers)
        detail = client.get(f"/api/v1/papers/{paper.pk}", **headers).json()

        assert shown(summaries.content) == ({"public"} if kind == "public" else set())
        assert detail["summary_count"] == (1 if kind == "public" else 0)
    by_writer = client.get("/api/v1/users/vwriter/summaries", **headers)
    venue = client.get("/api/v1/venues/visconf", **headers).json()

    assert shown(by_writer.content) == {"public"}
    assert venue["years"] == [{"year": YEAR, "paper_count": 5, "summarised_count": 1}]


FEEDS = [
    "/feeds/latest",
    "/feeds/top",
    "/feeds/venues/visconf",
    f"/feeds/venues/visconf/{YEAR}",
    "/feeds/keywords/visibility",
    "/feeds/users/vwriter",
]


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feeds(world, viewer, fmt):
    client = client_for(world, viewer)
    for path in FEEDS:
        assert shown(client.get(f"{path}.{fmt}").content) == {"public"}, path
    for kind in KINDS:
        content = client.get(f"/feeds/papers/{world.paper(kind).pk}.{fmt}").content
        assert shown(content) == ({"public"} if kind == "public" else set())


def test_sitemap(world, viewer):
    xml = client_for(world, viewer).get("/sitemap.xml").content.decode()

    listed = {
        kind
        for kind, summary in world.summaries.items()
        if f"{summary.get_absolute_url()}<" in xml
        or f"{summary.paper.get_absolute_url()}<" in xml
    }
    assert listed == {"public"}


def test_bibtex(world, viewer):
    client = client_for(world, viewer)
    for kind, summary in world.summaries.items():
        response = client.get(f"/summaries/{summary.pk}/bibtex")

        assert response.status_code == (200 if kind == "public" else 404)
        assert f"Paper {kind}zq" in response.content.decode() or kind != "public"


def test_writer_zip_export(world, viewer):
    response = client_for(world, viewer).get("/users/vwriter/summaries.zip")

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert shown(text) == {"public"}


def test_nightly_dump(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    name = feed_services.dump_write()

    with default_storage.open(name, "rb") as raw, gzip.open(raw, "rt") as lines:
        assert shown(lines.read()) == {"public"}


def test_weekly_digest(world):
    reader = UserFactory(email="reader@example.org")
    now = timezone.now()
    best = feed_services.site_best_of_week(
        start=now - dt.timedelta(days=7), end=now + dt.timedelta(days=1)
    )

    feed_services.digest_send(user=reader, week=now.date(), summaries=best)

    (message,) = mail.outbox
    assert shown(message.body) == {"public"}
    assert shown(message.alternatives[0][0]) == {"public"}


def test_own_data_download_holds_every_own_summary_and_no_one_elses(world):
    downloads = {}
    for name in ("writer", "other", "staff"):
        response = client_for(world, name).post("/settings/data/")
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        downloads[name] = "".join(archive.read(n).decode() for n in archive.namelist())

    # Their own data: drafts, private, hidden and deleted summaries included.
    assert shown(downloads["writer"]) == set(KINDS)
    assert shown(downloads["other"]) == set()
    assert shown(downloads["staff"]) == set()


# Notifications -----------------------------------------------------------------------


def test_notifications_about_summaries_the_recipient_may_no_longer_read(world):
    """A reply notifies the parent comment's writer, the comment the summary's writer.

    Comments were made while every summary was readable; since then four were made
    private, drafts, deleted or hidden.
    """
    replier = UserFactory(display_name="Replier")
    replies = {}
    for kind, parent in world.comments.items():
        replies[kind] = CommentFactory(
            summary=world.summaries[kind], parent=parent, writer=replier
        )
        community_services.notifications_for_comment(comment=replies[kind])
    commenter = world.comments["public"].writer

    listed = {}
    for name, user in (("commenter", commenter), ("writer", world.writer)):
        client = Client()
        client.force_login(user)
        html = client.get("/notifications/").content.decode()
        listed[name] = {
            kind
            for kind, reply in replies.items()
            if f'href="{reply.get_absolute_url()}"' in html
        }
    for notification in Notification.objects.all():
        community_services.notification_send_mail(notification_id=notification.pk)
    mailed = {
        kind
        for kind, reply in replies.items()
        for message in mail.outbox
        if commenter.email in message.to and reply.get_absolute_url() in message.body
    }

    assert listed["commenter"] == {"public"}
    assert mailed == {"public"}
    assert listed["writer"] == {"public", "draft", "private", "hidden"}
