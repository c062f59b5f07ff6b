import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from users.services import user_mark_email_verified
from users.sessions import device_from_user_agent

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def ada():
    user = UserFactory(username="ada", email="ada@example.org")
    user_mark_email_verified(user=user)
    return user


def browser(user, *, agent: str, address: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    client.post(
        reverse("account_login"), {"login": user.username, "password": PASSWORD}
    )
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def signed_in(client) -> bool:
    return client.get(reverse("users:settings-profile")).status_code == 200


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (SAFARI_IPHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        ("curl/8.5.0", "a script"),
        ("", "Unknown device"),
    ],
)
def test_device_names_come_from_the_user_agent(agent, device):
    assert device_from_user_agent(agent) == device


def test_the_page_lists_each_session_with_device_address_and_last_seen(ada):
    laptop = browser(ada, agent=FIREFOX_LINUX, address="198.51.100.7")
    browser(ada, agent=SAFARI_IPHONE, address="203.0.113.9")

    html = laptop.get(reverse("users:settings-sessions")).content.decode()

    assert "Firefox on Linux" in html
    assert "198.51.100.7" in html
    assert "Safari on iOS" in html
    assert "203.0.113.9" in html
    assert html.count("<time datetime=") == 4
    assert len(re.findall(r"/settings/sessions/\d+/end/", html)) == 1  # the phone
    assert "this browser" in html


def test_one_session_can_be_ended(ada):
    laptop = browser(ada, agent=FIREFOX_LINUX, address="198.51.100.7")
    phone = browser(ada, agent=SAFARI_IPHONE, address="203.0.113.9")
    other = browser(ada, agent="curl/8.5.0", address="192.0.2.1")
    phone_session = UserSession.objects.get(user_agent=SAFARI_IPHONE)

    laptop.post(reverse("users:settings-session-end", args=[phone_session.pk]))

    assert not signed_in(phone)
    assert signed_in(laptop)
    assert signed_in(other)


def test_all_other_sessions_can_be_ended(ada):
    laptop = browser(ada, agent=FIREFOX_LINUX, address="198.51.100.7")
    phone = browser(ada, agent=SAFARI_IPHONE, address="203.0.113.9")
    other = browser(ada, agent="curl/8.5.0", address="192.0.2.1")

    laptop.post(reverse("users:settings-sessions-end"))

    assert signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(other)
    assert list(UserSession.objects.values_list("user_agent", flat=True)) == [
        FIREFOX_LINUX
    ]


def test_nobody_ends_someone_elses_session(ada):
    grace = UserFactory(username="grace", email="grace@example.org")
    user_mark_email_verified(user=grace)
    graces = browser(grace, agent=FIREFOX_LINUX, address="198.51.100.8")
    laptop = browser(ada, agent=FIREFOX_LINUX, address="198.51.100.7")
    session = UserSession.objects.get(user=grace)

    response = laptop.post(reverse("users:settings-session-end", args=[session.pk]))

    assert response.status_code == 404
    assert signed_in(graces)


def test_changing_the_password_ends_the_other_sessions(ada):
    laptop = browser(ada, agent=FIREFOX_LINUX, address="198.51.100.7")
    phone = browser(ada, agent=SAFARI_IPHONE, address="203.0.113.9")

    laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a new and unusual passphrase",
            "password2": "a new and unusual passphrase",
        },
    )

    assert signed_in(laptop)
    assert not signed_in(phone)
    assert UserSession.objects.filter(user=ada).count() == 1


def test_changing_the_primary_address_ends_the_other_sessions(ada):
    EmailAddress.objects.create(user=ada, email="ada@new.example", verified=True)
    laptop = browser(ada, agent=FIREFOX_LINUX, address="198.51.100.7")
    phone = browser(ada, agent=SAFARI_IPHONE, address="203.0.113.9")

    laptop.post(
        reverse("account_email"),
        {"action_primary": "", "email": "ada@new.example"},
    )

    ada.refresh_from_db()
    assert ada.email == "ada@new.example"
    assert signed_in(laptop)
    assert not signed_in(phone)


def test_last_seen_and_address_follow_the_session_every_few_minutes(ada):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        laptop = browser(ada, agent=FIREFOX_LINUX, address="198.51.100.7")
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        laptop.get(reverse("users:settings-profile"), REMOTE_ADDR="198.51.100.99")
    assert UserSession.objects.get().last_seen_at == start  # not on every request

    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        laptop.get(reverse("users:settings-profile"), REMOTE_ADDR="198.51.100.99")

    session = UserSession.objects.get()
    assert session.last_seen_at == start + timedelta(minutes=6)
    assert session.ip == "198.51.100.99"
