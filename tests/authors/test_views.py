import pytest
from django.urls import reverse

from authors.models import AuthorClaim
from tests.conftest import sign_in_with_second_factor
from tests.factories import PaperFactory

from .conftest import seasoned

pytestmark = pytest.mark.django_db


def test_the_paper_page_invites_authors_to_claim_it(client, their_paper):
    html = client.get(their_paper.get_absolute_url()).content.decode()

    assert reverse("authors:claim-create", args=[their_paper.pk]) in html


def test_without_a_verified_orcid_the_claim_page_says_what_to_do(client, their_paper):
    client.force_login(seasoned(orcid="0000-0001-8607-8025"))

    html = client.get(reverse("authors:claim-create", args=[their_paper.pk])).content

    assert b"verified ORCID iD" in html
    assert b"Claim authorship</button>" not in html


def test_a_claim_through_the_page_waits_and_the_moderator_approves_it(
    client, researcher, moderator, django_capture_on_commit_callbacks
):
    paper = PaperFactory(authors=["Somebody Else"])
    client.force_login(researcher)
    answer = client.post(
        reverse("authors:claim-create", args=[paper.pk]), {"note": "I am S. Else"}
    )
    assert answer.status_code == 302
    made = AuthorClaim.objects.get()
    assert made.status == AuthorClaim.Status.PENDING

    sign_in_with_second_factor(client, moderator)
    queue = client.get(reverse("community:moderation-queue")).content.decode()
    assert "I am S. Else" in queue
    assert "matches none of them" in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("community:claim-review", args=[made.pk, "approve"]))

    made.refresh_from_db()
    assert made.status == AuthorClaim.Status.APPROVED
    client.force_login(researcher)
    notices = client.get(reverse("community:notification-list")).content.decode()
    assert f"Your authorship claim on “{paper.title}” is approved" in notices


def test_a_rejection_without_reason_is_refused_in_the_queue(
    client, researcher, their_paper, moderator
):
    made = AuthorClaim.objects.create(
        paper=their_paper, user=researcher, orcid="0000-0001-8607-8025"
    )
    sign_in_with_second_factor(client, moderator)

    client.post(reverse("community:claim-review", args=[made.pk, "reject"]))

    made.refresh_from_db()
    assert made.status == AuthorClaim.Status.PENDING


def test_a_claimant_lists_and_withdraws_their_claims(client, researcher, their_paper):
    made = AuthorClaim.objects.create(
        paper=their_paper, user=researcher, orcid="0000-0001-8607-8025"
    )
    client.force_login(researcher)

    html = client.get(reverse("authors:claim-list")).content.decode()
    assert their_paper.title in html and "Waiting for a moderator" in html
    client.post(reverse("authors:claim-withdraw", args=[made.pk]))

    made.refresh_from_db()
    assert made.status == AuthorClaim.Status.WITHDRAWN


def test_nobody_withdraws_another_users_claim(client, researcher, their_paper):
    made = AuthorClaim.objects.create(
        paper=their_paper, user=researcher, orcid="0000-0001-8607-8025"
    )
    client.force_login(seasoned())

    assert (
        client.post(reverse("authors:claim-withdraw", args=[made.pk])).status_code
        == 404
    )


def test_the_author_list_badge_survives_a_rewritten_author_list(
    client, researcher, their_paper, moderator
):
    from authors.services import claim_create, claim_decide
    from papers.models import Author, Authorship

    made = claim_create(user=researcher, paper=their_paper)
    claim_decide(claim=made, actor=moderator, approve=True)
    # A metadata refresh replaces the paper's author list (papers.services.merge).
    their_paper.authorships.all().delete()
    Authorship.objects.create(
        paper=their_paper,
        author=Author.objects.get(name="Stephen J. Eglen"),
        position=0,
    )

    html = client.get(their_paper.get_absolute_url()).content.decode()

    assert 'Stephen J. Eglen <span class="badge badge-verified"' in html
