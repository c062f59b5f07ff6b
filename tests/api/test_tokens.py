import re

import pytest

from api.models import ApiToken, hash_token
from tests.factories import ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db


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


def test_a_new_token_works_on_the_api(client_logged_in, client, paper):
    raw = _shown_token(client_logged_in.post("/api/tokens/", {"name": "x"}))
    client.logout()

    response = client.get(
        f"/api/v1/papers/{paper.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )

    assert response.status_code == 200


def test_a_token_needs_a_name(client_logged_in):
    response = client_logged_in.post("/api/tokens/", {"name": ""})

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_working(client_logged_in, user):
    token = ApiTokenFactory(user=user)

    response = client_logged_in.post(f"/api/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
    unauthorised = client_logged_in.post(
        "/api/v1/summaries",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token.raw}",
    )
    assert unauthorised.status_code == 401
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

    response = client.post(
        "/api/v1/summaries",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token.raw}",
    )

    assert response.status_code == 401
