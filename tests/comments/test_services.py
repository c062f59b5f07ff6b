from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from comments import services
from comments.models import Comment
from shortscience import markup
from summaries.models import Summary
from tests.factories import CommentFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db):
    """A user whose account is older than a day, so new-account limits do not apply."""
    return UserFactory(date_joined=timezone.now() - timedelta(days=30))


def create(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(**kwargs)
    comment.refresh_from_db()
    return comment


def test_create_saves_the_text_and_renders_it_after_commit(
    member, django_capture_on_commit_callbacks
):
    summary = SummaryFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        comment = services.comment_create(
            summary=summary, writer=member, body="Why $\\beta_2$ and *not* 0.9?"
        )

    assert Comment.objects.get(pk=comment.pk).body_html == ""  # rendered after commit
    for callback in callbacks:
        callback()
    comment.refresh_from_db()
    assert comment.summary == summary
    assert comment.writer == member
    assert comment.depth == 0
    assert comment.parent is None
    assert 'class="katex"' in comment.body_html
    assert "<em>not</em>" in comment.body_html
    assert comment.rendered_by == markup.RENDERER_VERSION


def test_reply_sits_one_level_below_its_parent(
    member, django_capture_on_commit_callbacks
):
    top = CommentFactory()

    reply = create(
        django_capture_on_commit_callbacks,
        summary=top.summary,
        writer=member,
        body="A reply.",
        parent=top,
    )

    assert reply.parent == top
    assert reply.depth == 1
    assert list(top.replies.all()) == [reply]


def test_replies_past_the_last_level_join_the_deepest_level(
    member, django_capture_on_commit_callbacks
):
    top = CommentFactory()
    second = CommentFactory(summary=top.summary, parent=top, depth=1)
    third = CommentFactory(summary=top.summary, parent=second, depth=2)
    assert third.depth == Comment.MAX_DEPTH - 1

    reply = create(
        django_capture_on_commit_callbacks,
        summary=top.summary,
        writer=member,
        body="Deeper still.",
        parent=third,
    )

    assert reply.depth == Comment.MAX_DEPTH - 1
    assert reply.parent == second  # a sibling of the deepest comment, not its child


def test_a_reply_must_be_on_its_parents_summary(member):
    parent = CommentFactory()

    with pytest.raises(ValidationError) as refused:
        services.comment_create(
            summary=SummaryFactory(), writer=member, body="Lost.", parent=parent
        )

    assert refused.value.messages == [
        "A reply must be on the same summary as its parent."
    ]
    assert not Comment.objects.filter(body="Lost.").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "A comment cannot be empty."),
        ("   \n\t ", "A comment cannot be empty."),
        (
            "x" * 10_001,
            "A comment can be at most 10,000 characters long; this one has 10,001.",
        ),
    ],
    ids=["empty", "blank", "too long"],
)
def test_create_refuses_an_invalid_text_with_a_clear_message(member, body, message):
    with pytest.raises(ValidationError) as refused:
        services.comment_create(summary=SummaryFactory(), writer=member, body=body)

    assert refused.value.messages == [message]
    assert not Comment.objects.exists()


def test_nul_characters_are_dropped(member, django_capture_on_commit_callbacks):
    comment = create(
        django_capture_on_commit_callbacks,
        summary=SummaryFactory(),
        writer=member,
        body="a\x00b",
    )

    assert comment.body == "ab"


def test_a_draft_can_be_commented_on_only_by_its_writer(
    member, django_capture_on_commit_callbacks
):
    draft = SummaryFactory(status=Summary.Status.DRAFT)

    with pytest.raises(PermissionDenied):
        services.comment_create(summary=draft, writer=member, body="Peeking.")
    own = create(
        django_capture_on_commit_callbacks,
        summary=draft,
        writer=draft.writer,
        body="Note to self.",
    )

    assert own.summary == draft
    assert list(Comment.objects.values_list("body", flat=True)) == ["Note to self."]


def test_edit_keeps_the_old_text_and_renders_the_new(
    member, django_capture_on_commit_callbacks
):
    comment = CommentFactory(writer=member, body="First *try*.")

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_edit(comment=comment, by=member, body="Second **try**.")

    comment.refresh_from_db()
    assert comment.body == "Second **try**."
    assert comment.body_html.strip() == "<p>Second <strong>try</strong>.</p>"
    assert comment.edited_at is not None
    assert list(comment.revisions.values_list("body", flat=True)) == ["First *try*."]


def test_edit_with_the_same_text_records_nothing(member):
    comment = CommentFactory(writer=member, body="Same.")

    services.comment_edit(comment=comment, by=member, body="Same.")

    comment.refresh_from_db()
    assert comment.edited_at is None
    assert not comment.revisions.exists()


def test_only_the_writer_edits(member):
    comment = CommentFactory(body="Mine.")

    with pytest.raises(PermissionDenied) as refused:
        services.comment_edit(comment=comment, by=member, body="Yours now.")

    assert str(refused.value) == "Only the writer of a comment can edit it."
    comment.refresh_from_db()
    assert comment.body == "Mine."


def test_a_deleted_comment_cannot_be_edited(member):
    comment = CommentFactory(writer=member, deleted_at=timezone.now())

    with pytest.raises(ValidationError) as refused:
        services.comment_edit(comment=comment, by=member, body="Back from the dead.")

    assert refused.value.messages == ["A deleted comment cannot be edited."]


def test_delete_is_soft_and_keeps_the_replies(member):
    comment = CommentFactory(writer=member)
    reply = CommentFactory(summary=comment.summary, parent=comment, depth=1)

    services.comment_delete(comment=comment, by=member)

    comment.refresh_from_db()
    assert comment.is_deleted
    assert list(Comment.objects.visible()) == [reply]
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk


def test_only_the_writer_or_staff_delete(member):
    comment = CommentFactory()

    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, by=member)
    assert not Comment.objects.get(pk=comment.pk).is_deleted

    services.comment_delete(comment=comment, by=UserFactory(is_staff=True))
    assert Comment.objects.get(pk=comment.pk).is_deleted


def test_render_does_not_overwrite_a_newer_text(monkeypatch):
    comment = CommentFactory(body="old", body_html="", rendered_by="")
    real_render = markup.render

    def render_while_the_writer_edits(body):
        Comment.objects.filter(pk=comment.pk).update(body="new text")
        return real_render(body)

    monkeypatch.setattr(markup, "render", render_while_the_writer_edits)
    assert services.comment_render(comment_id=comment.pk) is False
    comment.refresh_from_db()
    assert comment.body_html == ""

    monkeypatch.setattr(markup, "render", real_render)
    assert services.comment_render(comment_id=comment.pk) is True
    comment.refresh_from_db()
    assert comment.body_html.strip() == "<p>new text</p>"


def test_render_of_a_deleted_row_is_a_no_op():
    assert services.comment_render(comment_id=987654) is False
