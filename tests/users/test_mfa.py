from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.urls import reverse

from community import services as community_services
from community.models import ModerationLog
from tests.conftest import sign_in_with_second_factor
from tests.factories import SummaryFactory, UserFactory
from users.services import user_mark_email_verified

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
START = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)


def totp_code(secret: str, at: datetime) -> str:
    """The code an authenticator app holding `secret` shows at `at`."""
    return format_hotp_value(hotp_value(secret, int(at.timestamp()) // 30))


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def sign_in_with_password(client, user):
    return client.post(
        reverse("account_login"), {"login": user.username, "password": PASSWORD}
    )


def sign_in_to_add_a_factor(client, user):
    """Sign in, then confirm the password again: allauth asks for it before changes."""
    sign_in_with_password(client, user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


@pytest.fixture
def ada():
    user = UserFactory(username="ada", email="ada@example.org")
    user_mark_email_verified(user=user)
    return user


@pytest.fixture
def ada_with_totp(ada):
    secret = generate_totp_secret()
    TOTP.activate(ada, secret)
    RecoveryCodes.activate(ada)
    return ada, secret


@pytest.fixture
def moderator():
    user = UserFactory(username="mod", email="mod@example.org")
    user_mark_email_verified(user=user)
    user.groups.add(community_services.moderators_group())
    return user


def test_enrolling_an_authenticator_app_gives_recovery_codes(client, ada):
    with time_machine.travel(START, tick=False):
        sign_in_to_add_a_factor(client, ada)
        page = client.get(reverse("mfa_activate_totp"))
        secret = client.session[SECRET_SESSION_KEY]
        assert secret in page.content.decode()  # for apps that cannot scan the code

        wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
        assert not Authenticator.objects.filter(user=ada).exists()
        assert "Incorrect code" in wrong.content.decode()

        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, START)})

    types = set(Authenticator.objects.filter(user=ada).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes = RecoveryCodes(
        Authenticator.objects.get(user=ada, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10


def test_sign_in_asks_for_the_code_after_the_password(client, ada_with_totp):
    ada, secret = ada_with_totp
    with time_machine.travel(START, tick=False):
        response = sign_in_with_password(client, ada)
        assert response["Location"] == reverse("mfa_authenticate")
        assert signed_in_user_id(client) is None

        wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
        assert wrong.status_code == 200
        assert signed_in_user_id(client) is None

        client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, START)})

        assert signed_in_user_id(client) == str(ada.pk)


def test_a_recovery_code_signs_in_once(client, ada_with_totp):
    ada, _ = ada_with_totp
    code = RecoveryCodes(
        Authenticator.objects.get(user=ada, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]

    sign_in_with_password(client, ada)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert signed_in_user_id(client) == str(ada.pk)

    client.post(reverse("account_logout"))
    sign_in_with_password(client, ada)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert signed_in_user_id(client) is None


def test_repeated_wrong_codes_lock_the_second_step(client, ada_with_totp):
    ada, secret = ada_with_totp
    with time_machine.travel(START, tick=False):
        sign_in_with_password(client, ada)
        for _ in range(5):
            client.post(reverse("mfa_authenticate"), {"code": "000000"})
        locked = client.post(
            reverse("mfa_authenticate"), {"code": totp_code(secret, START)}
        )

        assert signed_in_user_id(client) is None
    assert "Too many failed" in locked.content.decode()


def test_a_moderator_without_a_second_factor_is_sent_to_set_one_up(client, moderator):
    summary = SummaryFactory()
    client.force_login(moderator)

    queue = client.get(reverse("community:moderation-queue"))
    hide = client.post(
        reverse("community:moderate", args=["summary", summary.pk, "hide"])
    )

    assert queue["Location"] == reverse("mfa_index")
    assert hide["Location"] == reverse("mfa_index")
    summary.refresh_from_db()
    assert not summary.is_hidden
    assert not ModerationLog.objects.exists()


def test_a_moderator_signed_in_without_the_factor_confirms_it_then_acts(
    client, moderator
):
    secret = generate_totp_secret()
    TOTP.activate(moderator, secret)
    with time_machine.travel(START, tick=False):
        client.force_login(moderator)
        queue_url = reverse("community:moderation-queue")

        response = client.get(queue_url)
        assert response["Location"] == (
            f"{reverse('mfa_reauthenticate')}?next=%2Fmoderation%2F"
        )

        done = client.post(response["Location"], {"code": totp_code(secret, START)})
        assert done["Location"] == queue_url
        assert client.get(queue_url).status_code == 200


# allauth announces a new factor after commit, as the site does outside tests.
@pytest.mark.django_db(transaction=True)
def test_enrolling_counts_as_using_the_factor(client, moderator):
    with time_machine.travel(START, tick=False):
        sign_in_to_add_a_factor(client, moderator)
        client.get(reverse("mfa_activate_totp"))
        secret = client.session[SECRET_SESSION_KEY]
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, START)})

        queue = client.get(reverse("community:moderation-queue"))

    assert queue.status_code == 200
    assert "Moderation" in queue.content.decode()


def test_staff_need_a_second_factor_for_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_index")

    sign_in_with_second_factor(client, staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_people_who_do_not_moderate_need_no_second_factor(client, ada):
    client.force_login(ada)

    assert client.get(reverse("users:settings-profile")).status_code == 200
    assert client.get(reverse("community:moderation-queue")).status_code == 403


def test_the_second_factor_rule_can_be_switched_off(client, moderator, settings):
    settings.MFA_REQUIRED_FOR_MODERATORS = False
    client.force_login(moderator)

    assert client.get(reverse("community:moderation-queue")).status_code == 200


def test_passkeys_can_be_added_and_used_to_sign_in(client, ada):
    sign_in_to_add_a_factor(client, ada)
    add = client.get(reverse("mfa_add_webauthn")).content.decode()
    signin = client.__class__().get(reverse("account_login")).content.decode()

    assert 'data-allauth-onload="allauth.webauthn.forms.addForm"' in add
    assert "mfa/js/webauthn.js" in add
    assert 'id="passkey_login"' in signin
    assert "Sign in with a passkey" in signin


def test_the_two_factor_page_lists_every_kind(client, ada):
    sign_in_with_password(client, ada)
    html = client.get(reverse("mfa_index")).content.decode()

    assert reverse("mfa_activate_totp") in html
    assert reverse("mfa_add_webauthn") in html


def test_the_factor_counts_for_the_whole_session(client, moderator):
    # Signing in with the factor counts for the whole session, not a few minutes.
    sign_in_with_second_factor(client, moderator)
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(hours=5)):
        assert client.get(reverse("community:moderation-queue")).status_code == 200
