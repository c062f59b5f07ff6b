import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from community.models import Report
from discovery.models import Follow, SummaryRequest
from summaries.models import Summary, SummaryRevision, UploadedImage, Vote
from summaries.services import summary_save
from tests.factories import (
    ApiTokenFactory,
    CommentFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
)
from tests.summaries.test_views import png_bytes
from users.policy import BANNED, WriteRefused, WriteThrottled, ensure_can_write

pytestmark = pytest.mark.django_db


def old_user(**kwargs):
    return UserFactory(date_joined=timezone.now() - timedelta(days=30), **kwargs)


# The rule ---------------------------------------------------------------------------


def test_a_banned_account_is_refused_with_a_message_meant_for_it():
    with pytest.raises(WriteRefused) as refused:
        ensure_can_write(old_user(is_banned=True), action="vote")

    assert isinstance(refused.value, PermissionDenied)
    assert refused.value.message == BANNED
    assert refused.value.action == "vote"


def test_a_closed_account_is_refused():
    with pytest.raises(WriteRefused, match="account is closed"):
        ensure_can_write(old_user(is_active=False), action="comment")


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):
        ensure_can_write(old_user(), action="dance")


def test_new_accounts_are_slowed_down_only_where_a_limit_is_set():
    new = UserFactory(date_joined=timezone.now())

    ensure_can_write(new, action="comment", recent=lambda: 4)
    ensure_can_write(new, action="vote", recent=lambda: 500)
    ensure_can_write(old_user(), action="comment", recent=lambda: 500)
    with pytest.raises(WriteThrottled, match="5 comments an hour"):
        ensure_can_write(new, action="comment", recent=lambda: 5)
    assert issubclass(WriteThrottled, ValidationError)


# Every write path with a banned account ---------------------------------------------


@pytest.fixture
def banned(db):
    """A writer with a published summary (and its revision), banned afterwards."""
    user = old_user()
    user.own = summary_save(
        paper=PaperFactory(), writer=user, body="Written before the ban.", publish=True
    )
    user.is_banned = True
    user.save(update_fields=["is_banned"])
    return user


@pytest.fixture
def others(db):
    summary = SummaryFactory()
    return {
        "summary": summary,
        "comment": CommentFactory(summary=summary),
        "paper": PaperFactory(),
    }


def _written(banned) -> dict:
    """Everything a write by the banned user could have changed."""
    own = Summary.objects.get(pk=banned.own.pk)
    return {
        "summaries": Summary.objects.count(),
        "revisions": SummaryRevision.objects.count(),
        "votes": Vote.objects.count(),
        "comments": list(Comment.objects.values_list("pk", "body")),
        "reports": Report.objects.count(),
        "follows": Follow.objects.count(),
        "requests": SummaryRequest.objects.count(),
        "images": UploadedImage.objects.count(),
        "own": (
            own.body,
            own.pending_body,
            own.is_private,
            own.is_anonymous,
            own.status,
        ),
    }


def _web_writes(banned, others):
    summary, comment, paper = others["summary"], others["comment"], others["paper"]
    own = banned.own
    return {
        "save draft": (
            reverse("summaries:summary-write", args=[paper.pk]),
            {"body": "New text", "action": "save"},
        ),
        "publish": (
            reverse("summaries:summary-write", args=[paper.pk]),
            {"body": "New text", "action": "publish"},
        ),
        "edit own": (
            reverse("summaries:summary-edit", args=[own.pk]),
            {"body": "Changed text", "action": "save", "is_private": "on"},
        ),
        "preview button keeps a draft": (
            reverse("summaries:summary-write", args=[paper.pk]),
            {"body": "New text", "action": "preview"},
        ),
        "restore a revision": (
            reverse("summaries:summary-restore", args=[own.pk, 1]),
            {},
        ),
        "vote": (reverse("summaries:summary-vote", args=[summary.pk]), {"value": 1}),
        "comment": (
            reverse("comments:comment-post", args=[summary.pk]),
            {"body": "A comment"},
        ),
        "reply": (
            reverse("comments:comment-post", args=[summary.pk]),
            {"body": "A reply", "parent": comment.pk},
        ),
        "report a summary": (
            reverse("community:report-summary", args=[summary.pk]),
            {"reason": "spam"},
        ),
        "report a comment": (
            reverse("community:report-comment", args=[comment.pk]),
            {"reason": "spam"},
        ),
        "follow a writer": (
            reverse("discovery:follow"),
            {"kind": "writer", "target": summary.writer.pk},
        ),
        "follow a venue": (
            reverse("discovery:follow"),
            {"kind": "venue", "target": paper.venue.pk},
        ),
        "ask for a summary": (
            reverse("discovery:summary-request", args=[paper.pk]),
            {},
        ),
    }


def test_every_web_write_of_a_banned_user_is_403_and_writes_nothing(
    client, banned, others
):
    client.force_login(banned)
    before = _written(banned)

    answers = {
        name: client.post(url, data)
        for name, (url, data) in _web_writes(banned, others).items()
    }

    assert {name: r.status_code for name, r in answers.items()} == {
        name: 403 for name in answers
    }
    assert all("Your account is banned" in r.content.decode() for r in answers.values())
    assert _written(banned) == before


def test_editing_ones_comment_when_banned_is_403(client, banned, others):
    comment = CommentFactory(writer=banned, summary=others["summary"], body="Before")
    client.force_login(banned)

    response = client.post(
        reverse("comments:comment-edit", args=[comment.pk]), {"body": "After"}
    )

    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "Before"


def test_autosave_and_image_upload_answer_a_json_403(client, banned, others):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(banned)
    before = _written(banned)

    autosaves = [
        client.post(
            reverse("summaries:summary-autosave", args=[paper.pk]), {"body": "Typing"}
        )
        for paper in (others["paper"], banned.own.paper)
    ]
    image = client.post(
        reverse("summaries:image-upload"),
        {"image": SimpleUploadedFile("figure.png", png_bytes())},
    )

    for response in [*autosaves, image]:
        assert response.status_code == 403
        assert response.json() == {"error": BANNED}
    assert _written(banned) == before


def test_api_writes_of_a_banned_user_are_403_and_write_nothing(client, banned, others):
    token = ApiTokenFactory(user=banned)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token.raw}"}
    before = _written(banned)

    created = client.post(
        "/api/v1/summaries",
        data=json.dumps({"paper_id": others["paper"].pk, "body": "Via the API"}),
        content_type="application/json",
        **auth,
    )
    # The same even for a paper they summarised already (not a 409).
    again = client.post(
        "/api/v1/summaries",
        data=json.dumps({"paper_id": banned.own.paper_id, "body": "Again"}),
        content_type="application/json",
        **auth,
    )
    edited = client.patch(
        f"/api/v1/summaries/{banned.own.pk}",
        data=json.dumps({"body": "Edited via the API", "private": True}),
        content_type="application/json",
        **auth,
    )

    for response in (created, again, edited):
        assert response.status_code == 403
        assert response.json() == {"error": BANNED}
    assert _written(banned) == before
    # Reading still works.
    assert client.get(f"/api/v1/summaries/{banned.own.pk}", **auth).status_code == 200


def test_unbanned_writers_write_again(client, banned, others):
    banned.is_banned = False
    banned.save(update_fields=["is_banned"])
    client.force_login(banned)

    response = client.post(
        reverse("summaries:summary-vote", args=[others["summary"].pk]), {"value": 1}
    )

    assert response.status_code == 302
    assert Vote.objects.filter(user=banned).count() == 1
