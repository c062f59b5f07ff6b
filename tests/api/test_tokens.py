import json
import re

import pytest

from api.models import ApiToken, hash_token
from summaries.models import Summary
from tests.factories import ApiTokenFactory, PaperFactory, SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _write_summary(client, raw_token, paper, body="Written with a token."):
    """POST a summary: something only a valid token may do (reads are open to all)."""
    return client.post(
        "/api/v1/summaries",
        data=json.dumps({"paper_id": paper.pk, "body": body, "publish": True}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw_token}",
    )


def _shown_token(response) -> str:
    return re.search(
        r'<code class="token" id="new-token">([^<]+)</code>', response.content.decode()
    )[1]


def test_token_page_needs_sign_in(client):
    response = client.get("/api/tokens/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_making_a_token_shows_it_once_and_stores_only_its_hash(client_logged_in, user):
    response = client_logged_in.post("/api/tokens/", {"name": "my script"})

    raw = _shown_token(response)
    token = ApiToken.objects.get(user=user)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert raw.startswith("ss_")
    assert token.name == "my script"
    assert token.token_hash == hash_token(raw)
    assert raw not in {token.token_hash, token.prefix}
    again = client_logged_in.get("/api/tokens/")
    assert raw not in again.content.decode()
    assert token.prefix in again.content.decode()


def test_a_new_token_writes_as_its_owner(client_logged_in, client, user, paper):
    raw = _shown_token(client_logged_in.post("/api/tokens/", {"name": "x"}))
    client.logout()

    response = _write_summary(client, raw, paper)

    assert response.status_code == 201
    summary = Summary.objects.get()
    assert response.json()["id"] == summary.pk
    assert summary.writer == user
    assert summary.paper == paper
    assert summary.body == "Written with a token."


def test_a_bogus_token_cannot_write(client, paper):
    response = _write_summary(client, "ss_not-a-real-token", paper)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Summary.objects.exists()


def test_only_the_writers_token_reads_a_draft(client):
    draft = SummaryFactory(status=Summary.Status.DRAFT, body="Half-written thoughts.")
    own = ApiTokenFactory(user=draft.writer)

    mine = client.get(
        f"/api/v1/summaries/{draft.pk}", HTTP_AUTHORIZATION=f"Bearer {own.raw}"
    )
    bogus = client.get(
        f"/api/v1/summaries/{draft.pk}",
        HTTP_AUTHORIZATION="Bearer ss_not-a-real-token",
    )

    assert mine.status_code == 200
    assert mine.json()["body"] == "Half-written thoughts."
    assert mine.json()["published"] is False
    assert bogus.status_code == 404
    assert "Half-written" not in bogus.content.decode()


def test_a_token_needs_a_name(client_logged_in):
    response = client_logged_in.post("/api/tokens/", {"name": ""})

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_working(client_logged_in, client, user):
    token = ApiTokenFactory(user=user)
    before = _write_summary(client, token.raw, PaperFactory())
    assert before.status_code == 201

    response = client_logged_in.post(f"/api/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
    after = _write_summary(client, token.raw, PaperFactory())
    assert after.status_code == 401
    assert Summary.objects.filter(writer=user).count() == 1
    assert "revoked" in client_logged_in.get("/api/tokens/").content.decode()


def test_you_cannot_revoke_someone_elses_token(client_logged_in):
    token = ApiTokenFactory(user=UserFactory())

    client_logged_in.post(f"/api/tokens/{token.pk}/revoke/")

    token.refresh_from_db()
    assert not token.is_revoked


def test_revoke_is_post_only(client_logged_in, user):
    token = ApiTokenFactory(user=user)

    assert client_logged_in.get(f"/api/tokens/{token.pk}/revoke/").status_code == 405


def test_tokens_of_inactive_users_stop_working(client, paper):
    token = ApiTokenFactory()
    token.user.is_active = False
    token.user.save()

    response = _write_summary(client, token.raw, paper)

    assert response.status_code == 401
    assert not Summary.objects.exists()
