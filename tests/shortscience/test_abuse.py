"""No user can change or read another user's private content, and writes are limited."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from summaries.models import Summary, SummaryRevision
from tests.factories import CommentFactory, PaperFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_write_is_rate_limited_per_user(client_logged_in):
    url = reverse("papers:paper-add")
    # The clock stands still: on a busy machine 121 requests could otherwise straddle
    # the limit's window and start a fresh count.
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [
            client_logged_in.post(url, {"q": "2003.0893"}).status_code
            for _ in range(121)
        ]
    assert statuses[:120] == [400] * 120
    assert statuses[120] == 429


def test_signed_out_writes_are_limited_per_address(client):
    statuses = [
        client.post("/accounts/login/", {"login": "x", "password": "y"}).status_code
        for _ in range(125)
    ]
    assert 429 in statuses


@pytest.fixture
def victim_content():
    owner = UserFactory(date_joined=timezone.now() - timedelta(days=30))
    public = SummaryFactory(writer=owner, body="public text")
    private = SummaryFactory(writer=owner, is_private=True, body="private text")
    draft = SummaryFactory(
        writer=owner, status="draft", published_at=None, body="draft text"
    )
    SummaryRevision.objects.create(
        summary=private, number=1, body="private text", writer=owner
    )
    comment = CommentFactory(summary=public, writer=owner, body="owner comment")
    return {
        "owner": owner,
        "public": public,
        "private": private,
        "draft": draft,
        "comment": comment,
    }


@pytest.fixture
def intruder():
    client = Client()
    client.force_login(UserFactory(date_joined=timezone.now() - timedelta(days=30)))
    return client


@pytest.mark.parametrize(
    ("name", "target", "data"),
    [
        ("summaries:summary-edit", "public", {"body": "defaced", "action": "save"}),
        ("summaries:summary-edit", "private", {"body": "defaced", "action": "save"}),
        ("summaries:summary-edit", "draft", {"body": "defaced", "action": "publish"}),
        ("summaries:summary-delete", "public", {}),
        ("summaries:summary-share", "private", {"action": "renew"}),
    ],
)
def test_nobody_changes_another_users_summary(
    victim_content, intruder, name, target, data
):
    summary = victim_content[target]
    before = Summary.objects.values_list(
        "body", "deleted_at", "share_token", "status"
    ).get(pk=summary.pk)
    response = intruder.post(reverse(name, args=[summary.pk]), data)
    assert response.status_code in (403, 404)
    assert (
        Summary.objects.values_list("body", "deleted_at", "share_token", "status").get(
            pk=summary.pk
        )
        == before
    )


def test_nobody_restores_a_revision_of_another_users_summary(victim_content, intruder):
    summary = victim_content["private"]
    # Revision 1 differs from the current text, so a restore that went through would show.
    Summary.objects.filter(pk=summary.pk).update(body="edited later")

    response = intruder.post(reverse("summaries:summary-restore", args=[summary.pk, 1]))

    assert response.status_code in (403, 404)
    assert Summary.objects.get(pk=summary.pk).body == "edited later"
    assert SummaryRevision.objects.filter(summary=summary).count() == 1


@pytest.mark.parametrize("name", ["comments:comment-edit", "comments:comment-delete"])
def test_nobody_changes_another_users_comment(victim_content, intruder, name):
    comment = victim_content["comment"]
    response = intruder.post(reverse(name, args=[comment.pk]), {"body": "defaced"})
    assert response.status_code == 403
    comment = Comment.objects.get(pk=comment.pk)
    assert comment.body == "owner comment" and comment.deleted_at is None


@pytest.mark.parametrize("target", ["private", "draft"])
@pytest.mark.parametrize(
    "url_name",
    ["summary-detail", "summaries:summary-history", "summaries:summary-edit"],
)
def test_nobody_reads_another_users_private_or_draft_summary(
    victim_content, intruder, target, url_name
):
    summary = victim_content[target]
    response = intruder.get(reverse(url_name, args=[summary.pk]))
    assert response.status_code in (403, 404)
    assert f"{target} text" not in response.content.decode()


@pytest.mark.parametrize("target", ["private", "draft"])
def test_private_and_draft_text_never_reaches_public_pages(
    victim_content, client, target
):
    summary = victim_content[target]
    for path in (
        "/",
        summary.paper.get_absolute_url(),
        victim_content["owner"].get_absolute_url(),
    ):
        assert f"{target} text" not in client.get(path).content.decode(), path


def test_nobody_comments_on_a_private_summary_of_someone_else(victim_content, intruder):
    response = intruder.post(
        reverse("comments:comment-post", args=[victim_content["private"].pk]),
        {"body": "hi"},
    )
    assert response.status_code == 404
    assert not Comment.objects.filter(summary=victim_content["private"]).exists()


def test_autosave_only_ever_touches_the_callers_own_summary(victim_content, intruder):
    paper = victim_content["public"].paper
    intruder.post(
        reverse("summaries:summary-autosave", args=[paper.pk]), {"body": "mine"}
    )
    assert Summary.objects.get(pk=victim_content["public"].pk).body == "public text"
    assert Summary.objects.filter(paper=paper).count() == 2  # the intruder's own draft


def test_signed_out_visitors_cannot_write(client):
    paper = PaperFactory()
    summary = SummaryFactory()
    for url in (
        reverse("summaries:summary-write", args=[paper.pk]),
        reverse("summaries:summary-vote", args=[summary.pk]),
        reverse("comments:comment-post", args=[summary.pk]),
        reverse("summaries:image-upload"),
        reverse("summaries:summary-preview"),
    ):
        response = client.post(url, {"body": "x", "value": 1})
        assert (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        ), url
