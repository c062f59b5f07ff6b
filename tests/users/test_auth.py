import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from users.models import User
from users.services import user_mark_email_verified

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
SIGNUP = {
    "email": "grace@example.org",
    "username": "grace",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


@pytest.fixture
def verified_user():
    user = UserFactory(username="ada", email="ada@example.org")
    user_mark_email_verified(user=user)
    return user


def test_sign_up_mails_a_link_that_confirms_and_signs_in(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    user = User.objects.get(username="grace")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["grace@example.org"]
    assert mail.outbox[0].subject.startswith("[shortscience] ")

    confirm_url = link_in(mail.outbox[0])
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert signed_in_user_id(client) == str(user.pk)


def test_sign_up_page_has_a_hidden_honeypot_and_csrf(client):
    html = client.get(reverse("account_signup")).content.decode()

    assert 'name="homepage"' in html
    assert 'class="hp" aria-hidden="true"' in html
    assert "csrfmiddlewaretoken" in html


def test_a_filled_honeypot_makes_no_account_and_sends_no_mail(client):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "homepage": "http://spam.example"}
    )

    # The bot is told to check its mail, as a person would be.
    assert response.status_code == 302
    assert not User.objects.filter(username="grace").exists()
    assert mail.outbox == []


def test_sign_up_refuses_the_deleted_user_names(client):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "username": "deleted-user"}
    )

    assert response.status_code == 200
    assert "reserved" in response.content.decode()
    assert not User.objects.filter(username="deleted-user").exists()


@pytest.mark.parametrize("login", ["ada", "ada@example.org", "ADA@example.org"])
def test_sign_in_by_username_or_email(client, verified_user, login):
    response = client.post(
        reverse("account_login"), {"login": login, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(verified_user.pk)


def test_an_unverified_address_must_be_confirmed_before_signing_in(client):
    UserFactory(username="bob", email="bob@example.org")

    response = client.post(
        reverse("account_login"), {"login": "bob", "password": PASSWORD}
    )

    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert mail.outbox[0].to == ["bob@example.org"]


def test_a_wrong_password_shows_an_error_on_the_site_page(client, verified_user):
    response = client.post(
        reverse("account_login"), {"login": "ada", "password": "nope"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="form-errors"' in html
    assert 'class="site-header"' in html


def test_repeated_failures_lock_the_account_out(client, verified_user):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "ada", "password": "nope"})

    response = client.post(
        reverse("account_login"), {"login": "ada", "password": PASSWORD}
    )

    assert signed_in_user_id(client) is None
    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset_mails_a_working_link(client, verified_user):
    response = client.post(
        reverse("account_reset_password"), {"email": "ada@example.org"}
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    reset_url = link_in(mail.outbox[0])
    assert "/accounts/password/reset/key/" in reset_url
    form_url = client.get(reset_url)["Location"]
    response = client.post(
        form_url,
        {"password1": "a brand new passphrase", "password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    verified_user.refresh_from_db()
    assert verified_user.check_password("a brand new passphrase")


def test_email_page_lets_a_signed_in_user_add_an_address(client, verified_user):
    client.force_login(verified_user)

    page = client.get(reverse("account_email"))
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "ada@work.example"}
    )

    assert 'class="settings-nav"' in page.content.decode()
    assert (
        "<script" not in page.content.decode().split("</footer>")[0].split("<main")[1]
    )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(
        user=verified_user, email="ada@work.example"
    ).exists()
    assert mail.outbox[-1].to == ["ada@work.example"]
