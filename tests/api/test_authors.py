import json

import pytest

from authors.models import AuthorClaim
from summaries.models import Endorsement
from tests.factories import (
    ApiTokenFactory,
    AuthorClaimFactory,
    OrcidAccountFactory,
    PaperFactory,
    SummaryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token.raw}"}


def _send(client, method, path, data, token):
    return getattr(client, method)(
        path, data=json.dumps(data), content_type="application/json", **_auth(token)
    )


@pytest.fixture
def authored():
    """A summary of a paper whose claimed author holds an API token."""
    summary = SummaryFactory()
    author = UserFactory(display_name="Ada Lovelace")
    AuthorClaimFactory(paper=summary.paper, user=author)
    return summary, ApiTokenFactory(user=author)


def test_a_papers_claims_list_approved_ones_to_everyone(client, authored):
    summary, token = authored
    AuthorClaimFactory(paper=summary.paper, status=AuthorClaim.Status.PENDING)

    claims = client.get(f"/api/v1/papers/{summary.paper_id}/claims").json()["results"]

    assert [c["username"] for c in claims] == [token.user.username]
    assert claims[0]["status"] == "approved"


def test_claiming_through_the_api_needs_a_verified_orcid(client):
    paper = PaperFactory(authors=["Ada Lovelace"])
    user = UserFactory(display_name="Ada Lovelace")
    token = ApiTokenFactory(user=user)
    path = f"/api/v1/papers/{paper.pk}/claims"

    refused = _send(client, "post", path, {}, token)
    OrcidAccountFactory(user=user)
    made = _send(client, "post", path, {"note": "It is me."}, token)
    again = _send(client, "post", path, {}, token)

    assert refused.status_code == 403
    assert "verified ORCID iD" in refused.json()["error"]
    assert made.status_code == 201
    assert made.json()["status"] == "pending"
    assert made.json()["listed_as"] == "Ada Lovelace"
    assert again.status_code == 409
    # Pending claims show to their claimant only.
    assert client.get(path, **_auth(token)).json()["results"][0]["status"] == "pending"
    assert client.get(path).json()["results"] == []


def test_withdrawing_a_claim_by_api(client, authored):
    summary, token = authored
    claim = AuthorClaim.objects.get()
    other = ApiTokenFactory()

    assert (
        client.delete(f"/api/v1/claims/{claim.pk}", **_auth(other)).status_code == 404
    )
    answer = client.delete(f"/api/v1/claims/{claim.pk}", **_auth(token))

    assert answer.json()["status"] == "withdrawn"


def test_endorsement_and_response_by_api_show_on_the_summary(client, authored):
    summary, token = authored

    endorsed = _send(
        client,
        "put",
        f"/api/v1/summaries/{summary.pk}/endorsement",
        {"endorse": True},
        token,
    )
    response = _send(
        client,
        "put",
        f"/api/v1/summaries/{summary.pk}/author-response",
        {"body": "We agree, mostly."},
        token,
    )

    assert endorsed.status_code == response.status_code == 200
    assert endorsed.json()["endorsements"][0]["author"] == "Ada Lovelace"
    shown = client.get(f"/api/v1/summaries/{summary.pk}").json()
    assert shown["author_responses"][0]["body"] == "We agree, mostly."
    assert shown["endorsements"][0]["author_username"] == token.user.username


def test_someone_else_cannot_endorse_or_respond_by_api(client, authored):
    summary, _ = authored
    stranger = ApiTokenFactory()

    endorsed = _send(
        client,
        "put",
        f"/api/v1/summaries/{summary.pk}/endorsement",
        {"endorse": True},
        stranger,
    )
    response = _send(
        client,
        "put",
        f"/api/v1/summaries/{summary.pk}/author-response",
        {"body": "Hi"},
        stranger,
    )

    assert endorsed.status_code == response.status_code == 403
    assert not Endorsement.objects.exists()
