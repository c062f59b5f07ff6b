import json

import pytest
from django.test import Client
from django.utils import timezone

from summaries.models import Summary
from tests.factories import ApiTokenFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(db):
    return ApiTokenFactory()


def _auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token.raw}"}


def _post(client, data, **headers):
    return client.post(
        "/api/v1/summaries",
        data=json.dumps(data),
        content_type="application/json",
        **headers,
    )


def _patch(client, pk, data, **headers):
    return client.patch(
        f"/api/v1/summaries/{pk}",
        data=json.dumps(data),
        content_type="application/json",
        **headers,
    )


def test_writing_needs_a_token(client, paper):
    response = _post(client, {"paper_id": paper.pk, "body": "Hello"})

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["error"]
    assert not Summary.objects.exists()


def test_a_wrong_or_revoked_token_is_401(client, paper, token):
    token.revoked_at = timezone.now()
    token.save()

    wrong = _post(
        client,
        {"paper_id": paper.pk, "body": "Hello"},
        HTTP_AUTHORIZATION="Bearer ss_not-a-real-token",
    )
    revoked = _post(client, {"paper_id": paper.pk, "body": "Hello"}, **_auth(token))

    assert wrong.status_code == revoked.status_code == 401
    assert not Summary.objects.exists()


def test_create_a_summary_with_a_token(
    client, paper, token, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            {"paper_id": paper.pk, "body": "The key idea is $x^2$.", "anonymous": True},
            **_auth(token),
        )

    assert response.status_code == 201
    data = response.json()
    summary = Summary.objects.get(pk=data["id"])
    assert summary.writer == token.user
    assert summary.is_anonymous
    assert summary.status == Summary.Status.PUBLISHED
    assert data["writer"] == "Anonymous"
    # The writer sees their own name on their own anonymous summary.
    assert data["writer_username"] == token.user.username
    summary.refresh_from_db()
    assert "<math" in summary.body_html


def test_create_a_private_draft(client, paper, token):
    response = _post(
        client,
        {"paper_id": paper.pk, "body": "Notes", "private": True, "publish": False},
        **_auth(token),
    )

    summary = Summary.objects.get(pk=response.json()["id"])
    assert summary.is_private
    assert summary.status == Summary.Status.DRAFT
    assert client.get(f"/api/v1/summaries/{summary.pk}").status_code == 404


def test_one_summary_per_paper_is_409(client, paper, token):
    SummaryFactory(paper=paper, writer=token.user)

    response = _post(client, {"paper_id": paper.pk, "body": "Again"}, **_auth(token))

    assert response.status_code == 409
    assert "already" in response.json()["error"]


def test_create_for_an_unknown_paper_is_404(client, token):
    response = _post(client, {"paper_id": 999999, "body": "Hi"}, **_auth(token))

    assert response.status_code == 404
    assert response.json()["error"]


@pytest.mark.parametrize(
    ("data", "parameter"),
    [
        ({"body": "no paper"}, "paper_id"),
        ({"paper_id": 1}, "body"),
        ({"paper_id": 1, "body": ""}, "body"),
        ({"paper_id": "one", "body": "x"}, "paper_id"),
        ({"paper_id": 1, "body": "x" * 100_001}, "body"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(client, token, data, parameter):
    response = _post(client, data, **_auth(token))

    assert response.status_code == 400
    assert response.json()["parameter"] == parameter


def test_a_body_that_is_not_json_is_400(client, token):
    response = client.post(
        "/api/v1/summaries",
        data="{not json",
        content_type="application/json",
        **_auth(token),
    )

    assert response.status_code == 400


def test_edit_your_own_summary(client, token, django_capture_on_commit_callbacks):
    summary = SummaryFactory(writer=token.user, body="Old text")

    with django_capture_on_commit_callbacks(execute=True):
        response = _patch(
            client,
            summary.pk,
            {"body": "New text with $y$.", "private": True},
            **_auth(token),
        )

    assert response.status_code == 200
    summary.refresh_from_db()
    assert summary.body == "New text with $y$."
    assert summary.is_private
    assert summary.is_anonymous is False
    assert "<math" in summary.body_html
    assert response.json()["private"] is True


def test_publish_a_draft_through_the_api(client, token):
    draft = SummaryFactory(
        writer=token.user, status=Summary.Status.DRAFT, published_at=None
    )

    response = _patch(client, draft.pk, {"publish": True}, **_auth(token))

    draft.refresh_from_db()
    assert response.status_code == 200
    assert draft.status == Summary.Status.PUBLISHED
    assert draft.published_at is not None


def test_a_published_summary_cannot_be_unpublished(client, token):
    summary = SummaryFactory(writer=token.user)

    response = _patch(client, summary.pk, {"publish": False}, **_auth(token))

    assert response.status_code == 400
    assert response.json()["parameter"] == "publish"


def test_a_token_cannot_edit_another_writers_summary(client, token):
    other = SummaryFactory(writer=UserFactory(), body="Theirs")
    other_private = SummaryFactory(writer=other.writer, is_private=True)

    public = _patch(client, other.pk, {"body": "Mine now"}, **_auth(token))
    private = _patch(client, other_private.pk, {"body": "Mine now"}, **_auth(token))

    assert public.status_code == 403
    assert private.status_code == 404
    other.refresh_from_db()
    assert other.body == "Theirs"


def test_editing_needs_a_token(client):
    summary = SummaryFactory()

    assert _patch(client, summary.pk, {"body": "x"}).status_code == 401


def test_edit_an_unknown_summary_is_404(client, token):
    assert _patch(client, 999999, {"body": "x"}, **_auth(token)).status_code == 404


def test_using_a_token_records_when_it_was_last_used(client, token):
    assert token.last_used_at is None

    client.get("/api/v1/venues", **_auth(token))

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_summary_create_goes_through_the_summaries_service(client, paper, token):
    _post(client, {"paper_id": paper.pk, "body": "Revisioned text."}, **_auth(token))

    summary = Summary.objects.get()
    assert summary.revisions.count() == 1


def test_token_writes_need_no_csrf_token(paper, token):
    strict = Client(enforce_csrf_checks=True)

    response = _post(strict, {"paper_id": paper.pk, "body": "Hi"}, **_auth(token))

    assert response.status_code == 201
    assert Summary.objects.get().writer == token.user
