from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from users.adapters import AccountAdapter, SocialAccountAdapter
from users.models import User


def social_login(provider: str, uid: str):
    return SimpleNamespace(
        user=User(), account=SimpleNamespace(provider=provider, uid=uid)
    )


def test_orcid_sign_in_fills_the_orcid_id_and_name():
    login = social_login("orcid", "0000-0002-1825-0097")

    user = SocialAccountAdapter().populate_user(
        None, login, {"first_name": "Josiah", "last_name": "Carberry"}
    )

    assert user.orcid == "0000-0002-1825-0097"
    assert user.display_name == "Josiah Carberry"


def test_a_malformed_orcid_from_the_provider_is_left_out():
    login = social_login("orcid", "not-an-id")

    user = SocialAccountAdapter().populate_user(None, login, {})

    assert user.orcid == ""


def test_other_providers_leave_the_orcid_alone():
    login = social_login("github", "12345")

    user = SocialAccountAdapter().populate_user(None, login, {"name": "Grace Hopper"})

    assert user.orcid == ""
    assert user.display_name == "Grace Hopper"


@pytest.mark.parametrize("name", ["deleted-user", "Deleted-abc123"])
def test_reserved_usernames_are_refused(name):
    with pytest.raises(ValidationError):
        AccountAdapter().clean_username(name, shallow=True)
