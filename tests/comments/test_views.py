from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.factories import CommentFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db):
    """A user whose account is older than a day, so new-account limits do not apply."""
    return UserFactory(date_joined=timezone.now() - timedelta(days=30))


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def post_url(summary):
    return reverse("comments:comment-post", args=[summary.pk])


def test_post_comment_renders_math_and_returns_to_it(
    member_client, django_capture_on_commit_callbacks
):
    summary = SummaryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            post_url(summary), {"body": "Why $\\beta_2 = 0.999$?"}
        )
    comment = Comment.objects.get()
    assert response["Location"] == f"{summary.get_absolute_url()}#comment-{comment.pk}"
    assert 'class="katex"' in comment.body_html
    assert "katex" in member_client.get(summary.get_absolute_url()).content.decode()


def test_htmx_post_returns_the_thread_in_place(
    member_client, django_capture_on_commit_callbacks
):
    summary = SummaryFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            post_url(summary), {"body": "in place"}, headers={"HX-Request": "true"}
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<section class="comments" id="comments-{summary.pk}"')
    assert "in place" in html and "1 comment" in html


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "A comment cannot be empty"),
        ("   ", "A comment cannot be empty"),
        ("x" * 10_001, "at most 10,000 characters"),
    ],
)
def test_empty_or_long_comment_is_a_form_error(member_client, body, message):
    summary = SummaryFactory()
    response = member_client.post(post_url(summary), {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_replies_nest_up_to_three_levels(member_client):
    summary = SummaryFactory()
    top = CommentFactory(summary=summary)
    level1 = CommentFactory(summary=summary, parent=top, depth=1)
    level2 = CommentFactory(summary=summary, parent=level1, depth=2)
    member_client.post(post_url(summary), {"body": "deeper", "parent": level2.pk})
    reply = Comment.objects.get(body="deeper")
    assert reply.depth == 2 and reply.parent_id == level1.pk


def test_reply_to_a_deleted_comment_still_works(member_client):
    summary = SummaryFactory()
    gone = CommentFactory(summary=summary, deleted_at=timezone.now())
    member_client.post(
        post_url(summary), {"body": "still answering", "parent": gone.pk}
    )
    assert Comment.objects.get(body="still answering").parent_id == gone.pk


def test_edit_marks_edited_and_keeps_history(member_client, member):
    comment = CommentFactory(writer=member, body="first text")
    member_client.post(
        reverse("comments:comment-edit", args=[comment.pk]), {"body": "second text"}
    )
    comment.refresh_from_db()
    assert comment.body == "second text" and comment.edited_at
    html = Client().get(comment.summary.get_absolute_url()).content.decode()
    assert ">edited</a>" in html
    history = (
        Client()
        .get(reverse("comments:comment-history", args=[comment.pk]))
        .content.decode()
    )
    assert "first text" in history


def test_only_the_writer_edits_or_deletes(member_client):
    comment = CommentFactory()
    assert (
        member_client.post(
            reverse("comments:comment-edit", args=[comment.pk]), {"body": "x"}
        ).status_code
        == 403
    )
    assert (
        member_client.post(
            reverse("comments:comment-delete", args=[comment.pk])
        ).status_code
        == 403
    )


def test_delete_keeps_the_thread(member_client, member):
    comment = CommentFactory(writer=member, body="my words")
    CommentFactory(summary=comment.summary, parent=comment, depth=1, body="a reply")
    member_client.post(reverse("comments:comment-delete", args=[comment.pk]))
    html = Client().get(comment.summary.get_absolute_url()).content.decode()
    assert "[deleted]" in html and "a reply" in html and "my words" not in html


def test_honeypot_filled_is_refused(member_client):
    summary = SummaryFactory()
    response = member_client.post(
        post_url(summary), {"body": "buy now", "website": "http://spam"}
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_banned_user_cannot_post(member_client, member):
    member.is_banned = True
    member.save()
    response = member_client.post(post_url(SummaryFactory()), {"body": "hello"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_new_accounts_are_slowed_down(client):
    newcomer = UserFactory()  # joined just now
    client.force_login(newcomer)
    summary = SummaryFactory()
    statuses = [
        client.post(post_url(summary), {"body": f"c{i}"}).status_code for i in range(6)
    ]
    assert statuses == [302] * 5 + [400]
    assert (
        "New accounts can post 5 comments an hour"
        in client.post(post_url(summary), {"body": "again"}).content.decode()
    )


def test_comment_without_csrf_token_gets_a_clear_403(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(post_url(SummaryFactory()), {"body": "hello"})
    assert response.status_code == 403
    assert "security token" in response.content.decode()


def test_signed_out_readers_are_invited_to_sign_in(client):
    summary = SummaryFactory()
    assert "to comment" in client.get(summary.get_absolute_url()).content.decode()
    assert client.post(post_url(summary), {"body": "x"}).status_code == 302


def test_comments_on_a_private_summary_are_refused_to_others(member_client):
    summary = SummaryFactory(is_private=True)
    assert member_client.post(post_url(summary), {"body": "x"}).status_code == 404
    assert not Comment.objects.exists()
