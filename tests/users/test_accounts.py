"""The account pages: users/accounts.py and the hooks summaries/ and comments/ register."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from comments.models import Comment
from discovery.services import follow_set
from summaries.models import Summary, SummaryRevision, Vote
from summaries.services import summary_save, vote_set
from tests.factories import (
    CommentFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
)
from users.accounts import account_delete, user_list_directory
from users.models import DELETED_USERNAME, User
from users.services import user_mark_email_verified

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"


# Directory ----------------------------------------------------------------------------


def test_directory_lists_public_signed_writers_by_reputation_then_name(client):
    low = UserFactory(display_name="zed", reputation=1)
    tie_b = UserFactory(display_name="Bea", reputation=5)
    tie_a = UserFactory(display_name="", username="alan", reputation=5)
    top = UserFactory(display_name="Top", reputation=9)
    for writer in [low, tie_b, tie_a, top]:
        SummaryFactory(writer=writer)
    SummaryFactory(writer=top)
    SummaryFactory(writer=UserFactory(reputation=50), is_anonymous=True)
    SummaryFactory(writer=UserFactory(reputation=50), is_private=True)
    SummaryFactory(writer=UserFactory(reputation=50), status=Summary.Status.DRAFT)
    SummaryFactory(writer=UserFactory(reputation=50, is_active=False))
    UserFactory(reputation=99)

    response = client.get(reverse("users:user-list"))

    writers = list(response.context["page"].object_list)
    assert writers == [top, tie_a, tie_b, low]
    assert [w.summary_count for w in writers] == [2, 1, 1, 1]
    html = response.content.decode()
    assert (
        html.index("Top") < html.index("alan") < html.index("Bea") < html.index("zed")
    )


def test_directory_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    for n in range(3):
        SummaryFactory(writer=UserFactory(reputation=n))
    with django_assert_max_num_queries(3):
        client.get(reverse("users:user-list"))

    for n in range(40):
        SummaryFactory(writer=UserFactory(reputation=n))
    with django_assert_max_num_queries(3):
        response = client.get(reverse("users:user-list"))
    assert len(response.context["page"].object_list) == 30
    assert client.get(reverse("users:user-list") + "?page=2").status_code == 200


def test_directory_page_past_the_end_is_404(client):
    assert client.get(reverse("users:user-list") + "?page=9").status_code == 404


# Download my data ---------------------------------------------------------------------


def open_zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_data_page_explains_and_offers_the_download(client_logged_in):
    response = client_logged_in.get(reverse("users:settings-data"))
    assert response.status_code == 200
    assert "profile.json" in response.content.decode()


def test_data_download_holds_profile_votes_comments_and_every_summary(
    client_logged_in, user
):
    user.orcid = "0000-0002-1825-0097"
    user.save()
    user_mark_email_verified(user=user)
    published = SummaryFactory(
        writer=user,
        paper=PaperFactory(title="Attention Is All You Need", arxiv_id="1706.03762"),
        body="Self-attention, $QK^T$.",
    )
    draft = SummaryFactory(
        writer=user,
        paper=PaperFactory(title="A draft paper", arxiv_id="", doi="10.1/xyz"),
        status=Summary.Status.DRAFT,
        published_at=None,
        body="Half written.",
    )
    private = SummaryFactory(
        writer=user,
        paper=PaperFactory(title="Notes: on (private) things!"),
        is_private=True,
        body="Only mine.",
    )
    other = SummaryFactory(body="Someone else's.")
    vote_set(user=user, summary=other, value=-1)
    CommentFactory(writer=user, summary=other, body="What about $\\beta$?")

    response = client_logged_in.post(reverse("users:settings-data"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment;" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    archive = open_zip(response)
    names = set(archive.namelist())
    assert names == {
        "profile.json",
        f"summaries/{published.paper_id}-attention-is-all-you-need.md",
        f"summaries/{draft.paper_id}-a-draft-paper.md",
        f"summaries/{private.paper_id}-notes-on-private-things.md",
    }
    data = json.loads(archive.read("profile.json"))
    assert data["profile"]["username"] == user.username
    assert data["profile"]["orcid"] == "0000-0002-1825-0097"
    assert data["profile"]["notify_on_comment"] is True
    assert data["email_addresses"] == [
        {"email": user.email, "verified": True, "primary": True}
    ]
    assert [(v["summary_id"], v["value"]) for v in data["votes"]] == [(other.pk, -1)]
    assert [c["markdown"] for c in data["comments"]] == ["What about $\\beta$?"]
    assert len(data["summaries"]) == 3

    text = archive.read(
        f"summaries/{published.paper_id}-attention-is-all-you-need.md"
    ).decode()
    assert text.startswith('---\npaper: "Attention Is All You Need"\n')
    assert 'arxiv: "1706.03762"\n' in text
    assert "doi: null\n" in text
    assert 'status: "published"\n' in text
    assert "anonymous: false\nprivate: false\n" in text
    assert text.endswith("---\n\nSelf-attention, $QK^T$.\n")
    draft_text = archive.read(f"summaries/{draft.paper_id}-a-draft-paper.md").decode()
    assert 'status: "draft"' in draft_text and "published: null" in draft_text
    assert 'doi: "10.1/xyz"' in draft_text


def test_profile_json_sections_keep_their_order(client_logged_in, user):
    """The sections other apps add come in INSTALLED_APPS order, the files last."""
    SummaryFactory(writer=user)

    response = client_logged_in.post(reverse("users:settings-data"))

    data = json.loads(open_zip(response).read("profile.json"))
    assert list(data) == [
        "exported_at",
        "site",
        "profile",
        "email_addresses",
        "author_claims",
        "votes",
        "endorsements",
        "author_responses",
        "comments",
        "reading_lists",
        "followed_reading_lists",
        "summaries",
    ]


# Account deletion ---------------------------------------------------------------------


@pytest.fixture
def leaving():
    """A writer with a published, a private and a draft summary, a comment and a vote."""
    user = UserFactory(username="leaving", display_name="Leaving Writer")
    user_mark_email_verified(user=user)
    reader = UserFactory()
    user.published = summary_save(
        paper=PaperFactory(), writer=user, body="Published text.", publish=True
    )
    vote_set(user=reader, summary=user.published, value=1)
    user.private = SummaryFactory(writer=user, is_private=True)
    user.draft = SummaryFactory(
        writer=user, status=Summary.Status.DRAFT, published_at=None
    )
    user.others_summary = SummaryFactory()
    user.comment = CommentFactory(writer=user, summary=user.others_summary)
    user.reply = CommentFactory(
        summary=user.others_summary, parent=user.comment, depth=1
    )
    vote_set(user=user, summary=user.others_summary, value=1)
    return user


def delete_through_the_page(client, user, choice):
    client.force_login(user)
    return client.post(
        reverse("users:settings-delete"), {"summaries": choice, "password": PASSWORD}
    )


def test_deletion_needs_the_right_password(client, leaving):
    client.force_login(leaving)

    response = client.post(
        reverse("users:settings-delete"), {"summaries": "remove", "password": "nope"}
    )

    assert response.status_code == 400
    assert "This is not your password." in response.content.decode()
    assert User.objects.filter(pk=leaving.pk).exists()


def test_password_guesses_on_the_deletion_page_are_limited(client, leaving):
    client.force_login(leaving)
    for _ in range(10):
        client.post(reverse("users:settings-delete"), {"password": "nope"})

    response = client.post(
        reverse("users:settings-delete"), {"summaries": "remove", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert User.objects.filter(pk=leaving.pk).exists()


def test_deleting_and_removing_summaries(client, leaving):
    writer_of_voted = leaving.others_summary.writer
    writer_of_voted.refresh_from_db()
    assert writer_of_voted.reputation == 1

    response = delete_through_the_page(client, leaving, "remove")

    assert response["Location"] == reverse("home")
    assert client.session.get("_auth_user_id") is None
    assert not User.objects.filter(username="leaving").exists()
    for summary in [leaving.published, leaving.private, leaving.draft]:
        summary.refresh_from_db()
        assert summary.deleted_at is not None
        assert summary.writer.display_name == "deleted user"
        assert not summary.writer.is_active
    assert client.get(leaving.published.get_absolute_url()).status_code == 404
    comment = Comment.objects.get(pk=leaving.comment.pk)
    assert comment.is_deleted and comment.body == "" and comment.body_html == ""
    assert comment.writer.username == DELETED_USERNAME
    # Replies by others keep their place in the thread.
    assert Comment.objects.get(pk=leaving.reply.pk).parent_id == comment.pk
    # The vote the deleted user gave is gone and its summary's score recounted.
    leaving.others_summary.refresh_from_db()
    writer_of_voted.refresh_from_db()
    assert leaving.others_summary.score == 0
    assert writer_of_voted.reputation == 0
    assert not Vote.objects.filter(summary=leaving.others_summary).exists()


def test_deleting_and_keeping_summaries_as_deleted_user(client, leaving):
    response = delete_through_the_page(client, leaving, "keep")

    assert response.status_code == 302
    assert not User.objects.filter(username="leaving").exists()
    deleted = User.objects.get(username=DELETED_USERNAME)
    assert deleted.display_name == "deleted user" and not deleted.is_active
    assert not deleted.has_usable_password()
    leaving.published.refresh_from_db()
    assert leaving.published.writer == deleted
    assert leaving.published.deleted_at is None
    assert leaving.published.score == 1
    revisions = SummaryRevision.objects.filter(summary=leaving.published)
    assert [r.writer_id for r in revisions] == [deleted.pk]
    html = client.get(leaving.published.get_absolute_url()).content.decode()
    assert "deleted user" in html and "Leaving Writer" not in html
    deleted.refresh_from_db()
    assert deleted.reputation == 1
    # Nobody else could read the private summary or the draft: they go either way.
    for summary in [leaving.private, leaving.draft]:
        summary.refresh_from_db()
        assert summary.deleted_at is not None
        assert summary.writer != deleted
    comment = Comment.objects.get(pk=leaving.comment.pk)
    assert comment.writer == deleted and not comment.is_deleted
    assert comment.body == leaving.comment.body
    leaving.others_summary.refresh_from_db()
    assert leaving.others_summary.score == 0


def test_kept_summaries_of_the_same_paper_do_not_collide(db):
    paper = PaperFactory()
    first = SummaryFactory(paper=paper)
    second = SummaryFactory(paper=paper)

    account_delete(user=first.writer, keep_summaries=True)
    account_delete(user=second.writer, keep_summaries=True)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.writer.username == DELETED_USERNAME
    assert second.writer.username != DELETED_USERNAME
    assert second.writer.display_name == "deleted user"
    assert second.is_public and first.is_public
    assert User.objects.filter(username=DELETED_USERNAME).count() == 1


def test_a_deleted_accounts_byline_is_plain_text_without_follow(client, db):
    summary = SummaryFactory()
    CommentFactory(summary=summary, writer=summary.writer, body="A kept comment")
    account_delete(user=summary.writer, keep_summaries=True)
    client.force_login(UserFactory())

    pages = [
        client.get(summary.paper.get_absolute_url()).content.decode(),
        client.get(summary.get_absolute_url()).content.decode(),
        client.get("/").content.decode(),
    ]

    for html in pages:
        assert "deleted user" in html
        assert f"/users/{DELETED_USERNAME}/" not in html.replace(
            f"/users/{DELETED_USERNAME}/avatar.svg", ""
        )
    assert 'Follow <span class="follow-target">deleted user' not in pages[0]
    deleted = User.objects.get(username=DELETED_USERNAME)
    with pytest.raises(ValueError, match="closed"):
        follow_set(user=UserFactory(), target=deleted, follow=True)


def test_deleted_user_is_not_in_the_directory_or_a_profile(client, db):
    summary = SummaryFactory()
    account_delete(user=summary.writer, keep_summaries=True)

    assert list(user_list_directory()) == []
    assert client.get(f"/users/{DELETED_USERNAME}/").status_code == 404
