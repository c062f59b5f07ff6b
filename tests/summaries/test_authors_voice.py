"""A paper's claimed authors: endorsements, author responses, votes recorded not counted."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from authors import services as author_services
from community.services import moderate_content, moderators_group
from summaries import services
from summaries.models import AuthorResponse, Endorsement, Summary
from tests.conftest import sign_in_with_second_factor
from tests.factories import (
    CommentFactory,
    OrcidAccountFactory,
    PaperFactory,
    UserFactory,
)
from users.models import User
from users.policy import WriteRefused

pytestmark = pytest.mark.django_db


def seasoned(**kwargs):
    return UserFactory(date_joined=timezone.now() - timedelta(days=30), **kwargs)


@pytest.fixture
def setting():
    """A paper, a published summary of it by a reader, a moderator, and a claimed author."""
    paper = PaperFactory(authors=["Ada Lovelace", "Alan Turing"])
    writer = seasoned(display_name="Reader Writer")
    summary = services.summary_save(
        paper=paper, writer=writer, body="It computes.", publish=True
    )
    moderator = seasoned()
    moderator.groups.add(moderators_group())
    author = seasoned(display_name="Ada Lovelace")
    OrcidAccountFactory(user=author)
    claim = author_services.claim_create(user=author, paper=paper)
    author_services.claim_decide(claim=claim, actor=moderator, approve=True)
    return {
        "paper": paper,
        "summary": summary,
        "writer": writer,
        "author": author,
        "claim": claim,
        "moderator": moderator,
    }


def score(summary) -> int:
    return Summary.objects.get(pk=summary.pk).score


def reputation(user) -> int:
    return User.objects.get(pk=user.pk).reputation


def test_an_authors_vote_is_recorded_but_not_counted(setting, client):
    summary, author = setting["summary"], setting["author"]

    services.vote_set(user=author, summary=summary, value=1)
    services.vote_set(user=seasoned(), summary=summary, value=1)  # a reader's counts

    assert summary.votes.count() == 2
    assert score(summary) == 1
    assert reputation(setting["writer"]) == 1
    client.force_login(author)
    html = client.get(setting["paper"].get_absolute_url()).content.decode()
    assert (
        "Your vote is recorded but not counted: you are an author of this paper."
        in html
    )


def test_approval_and_withdrawal_recount_the_papers_summaries(setting):
    summary, author, moderator = (
        setting["summary"],
        setting["author"],
        setting["moderator"],
    )
    author_services.claim_withdraw(claim=setting["claim"], user=author)
    services.vote_set(user=author, summary=summary, value=1)
    assert score(summary) == 1  # not an author any more: the vote counts

    again = author_services.claim_create(user=author, paper=setting["paper"])
    author_services.claim_decide(claim=again, actor=moderator, approve=True)
    assert score(summary) == 0
    assert reputation(setting["writer"]) == 0

    author_services.claim_withdraw(claim=again, user=author)
    assert score(summary) == 1
    assert reputation(setting["writer"]) == 1


def test_a_claimed_author_endorses_and_withdraws(setting, client):
    summary, author = setting["summary"], setting["author"]

    services.endorsement_set(user=author, summary=summary, endorse=True)
    html = client.get(summary.get_absolute_url()).content.decode()
    assert "The authors agree this summary is accurate" in html
    assert "Ada Lovelace" in html.split('class="endorsement"')[1]
    markdown = client.get(reverse("summary-markdown", args=[summary.pk])).content
    assert b"Endorsed by Ada Lovelace, an author of the paper" in markdown

    services.endorsement_set(user=author, summary=summary, endorse=False)
    assert not Endorsement.objects.exists()


def test_only_claimed_authors_endorse_and_respond(setting):
    summary = setting["summary"]
    stranger = seasoned(display_name="Ada Lovelace")  # the right name is not enough

    with pytest.raises(PermissionDenied):
        services.endorsement_set(user=stranger, summary=summary, endorse=True)
    with pytest.raises(PermissionDenied):
        services.author_response_save(user=stranger, summary=summary, body="Hi")
    # Nor may the summary's writer endorse their own summary, author or not.
    with pytest.raises(PermissionDenied):
        services.endorsement_set(user=setting["writer"], summary=summary, endorse=True)


def test_a_banned_author_cannot_write(setting):
    author, summary = setting["author"], setting["summary"]
    author.is_banned = True
    author.save()

    with pytest.raises(WriteRefused):
        services.endorsement_set(user=author, summary=summary, endorse=True)
    with pytest.raises(WriteRefused):
        services.author_response_save(user=author, summary=summary, body="Hi")


def test_one_author_response_shown_apart_from_comments_and_editable(
    setting, client, django_capture_on_commit_callbacks
):
    author, summary = setting["author"], setting["summary"]
    CommentFactory(summary=summary, body="A reader asks.")

    with django_capture_on_commit_callbacks(execute=True):
        services.author_response_save(user=author, summary=summary, body="We *did*.")
    with django_capture_on_commit_callbacks(execute=True):
        response = services.author_response_save(
            user=author, summary=summary, body="We *did* $x^2$."
        )

    assert AuthorResponse.objects.count() == 1
    response.refresh_from_db()
    assert response.edited_at is not None
    assert "<em>did</em>" in response.body_html and "katex" in response.body_html
    html = client.get(summary.get_absolute_url()).content.decode()
    assert html.index('class="author-response"') < html.index('class="comments"')
    markdown = client.get(reverse("summary-markdown", args=[summary.pk])).content
    assert b"\n## Author response by Ada Lovelace\n\nWe *did* $x^2$." in markdown


def test_a_moderator_hides_an_author_response(setting, client):
    author, summary, moderator = (
        setting["author"],
        setting["summary"],
        setting["moderator"],
    )
    response = services.author_response_save(user=author, summary=summary, body="Spam")

    sign_in_with_second_factor(client, moderator)
    answer = client.post(
        reverse("community:moderate", args=["response", response.pk, "hide"])
    )

    assert answer.status_code == 302
    response.refresh_from_db()
    assert response.is_hidden
    client.logout()
    assert "Spam" not in client.get(summary.get_absolute_url()).content.decode()
    moderate_content(actor=moderator, hide=False, response=response)
    assert "Spam" in client.get(summary.get_absolute_url()).content.decode()


def test_withdrawing_removes_endorsements_and_responses(setting):
    author, summary = setting["author"], setting["summary"]
    services.endorsement_set(user=author, summary=summary, endorse=True)
    services.author_response_save(user=author, summary=summary, body="Ours.")

    author_services.claim_withdraw(claim=setting["claim"], user=author)

    assert not Endorsement.objects.exists()
    assert not AuthorResponse.objects.exists()


def test_badges_on_the_paper_page_and_profile(setting, client):
    paper, author = setting["paper"], setting["author"]
    CommentFactory(summary=setting["summary"], writer=author, body="Author here.")

    html = client.get(paper.get_absolute_url()).content.decode()

    assert "✓ on the site" in html  # the byline's Ada Lovelace
    assert "Authors on this site:" in html
    comment_meta = html.split("Author here.")[0].rsplit('class="comment-meta"', 1)[1]
    assert "author of the paper" in comment_meta
    profile = client.get(author.get_absolute_url()).content.decode()
    assert paper.title in profile.split('id="writer-papers-h"')[1]


def test_the_endorse_and_response_pages_refuse_others(setting, client):
    summary = setting["summary"]
    client.force_login(seasoned())

    endorse = client.post(
        reverse("summaries:summary-endorse", args=[summary.pk]), {"endorse": "1"}
    )
    respond = client.get(reverse("summaries:author-response", args=[summary.pk]))

    assert endorse.status_code == respond.status_code == 403
    assert not Endorsement.objects.exists()


def test_an_author_endorses_and_responds_through_the_pages(setting, client):
    summary, author = setting["summary"], setting["author"]
    client.force_login(author)

    client.post(
        reverse("summaries:summary-endorse", args=[summary.pk]), {"endorse": "1"}
    )
    page = client.post(
        reverse("summaries:author-response", args=[summary.pk]), {"body": "Thanks."}
    )

    assert Endorsement.objects.get().author == author
    assert page.status_code == 302
    html = client.get(summary.get_absolute_url()).content.decode()
    assert "Withdraw your endorsement" in html
    assert "Edit your author response" in html


def test_an_authors_download_holds_their_claims_endorsements_and_responses(setting):
    from users.accounts import account_export

    author, summary = setting["author"], setting["summary"]
    services.endorsement_set(user=author, summary=summary, endorse=True)
    services.author_response_save(user=author, summary=summary, body="We agree.")

    data = account_export(user=author)

    assert [c["status"] for c in data["author_claims"]] == ["approved"]
    assert data["author_claims"][0]["paper_id"] == setting["paper"].pk
    assert [e["summary_id"] for e in data["endorsements"]] == [summary.pk]
    assert [r["body"] for r in data["author_responses"]] == ["We agree."]
