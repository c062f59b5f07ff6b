import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import SummaryFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = {
    "display_name": "Ada Lovelace",
    "affiliation": "Analytical Engine Society",
    "website": "https://ada.example.org",
    "orcid": "https://orcid.org/0000-0002-1694-233x",
    "bio": "I write notes on engines.",
    "notify_on_comment": "on",
}


def test_settings_need_sign_in(client):
    for name in ["settings-profile", "settings-data", "settings-delete"]:
        response = client.get(reverse(f"users:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_settings_root_opens_the_profile(client_logged_in):
    response = client_logged_in.get("/settings/")
    assert response["Location"] == reverse("users:settings-profile")


def test_profile_form_saves_and_stores_the_bare_orcid(client_logged_in, user):
    response = client_logged_in.post(reverse("users:settings-profile"), PROFILE)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Ada Lovelace"
    assert user.orcid == "0000-0002-1694-233X"
    assert user.website == "https://ada.example.org"
    assert user.notify_on_comment is True
    assert user.notify_on_reply is False


def test_an_invalid_orcid_is_a_form_error_naming_the_problem(client_logged_in, user):
    response = client_logged_in.post(
        reverse("users:settings-profile"), {**PROFILE, "orcid": "0000-0002-1825-0098"}
    )

    assert response.status_code == 400
    assert "check digit" in response.content.decode()
    user.refresh_from_db()
    assert user.orcid == ""


def test_a_bio_over_2000_characters_is_refused(client_logged_in, user):
    response = client_logged_in.post(
        reverse("users:settings-profile"), {**PROFILE, "bio": "x" * 2001}
    )

    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()


def test_a_website_that_is_not_a_web_address_is_refused(client_logged_in):
    response = client_logged_in.post(
        reverse("users:settings-profile"), {**PROFILE, "website": "javascript:alert(1)"}
    )
    assert response.status_code == 400


def test_settings_forms_need_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    for name in ["settings-profile", "settings-data", "settings-delete"]:
        assert client.post(reverse(f"users:{name}"), PROFILE).status_code == 403


def test_profile_page_shows_the_profile(client):
    writer = UserFactory(
        username="ada",
        display_name="Ada Lovelace",
        affiliation="Analytical Engine Society",
        orcid="0000-0002-1825-0097",
        website="https://ada.example.org",
        bio="Notes on engines.",
    )
    SummaryFactory(writer=writer)

    html = client.get(writer.get_absolute_url()).content.decode()

    assert "Ada Lovelace" in html
    assert "Analytical Engine Society" in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
    assert 'href="https://ada.example.org"' in html
    assert "Notes on engines." in html
    assert f'src="{writer.avatar_url}"' in html


def test_nav_shows_avatar_and_settings_when_signed_in(client_logged_in, user):
    html = client_logged_in.get("/").content.decode()

    assert f'src="{user.avatar_url}"' in html
    assert f'href="{reverse("users:settings-profile")}"' in html
