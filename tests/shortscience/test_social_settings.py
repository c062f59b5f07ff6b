import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount

from shortscience.settings.social import social_apps, social_providers_from_env


def test_no_social_provider_without_credentials():
    assert social_providers_from_env({}) == {}


def test_a_provider_needs_both_id_and_secret():
    assert social_providers_from_env({"GITHUB_CLIENT_ID": "abc"}) == {}
    assert social_providers_from_env({"GITHUB_SECRET": "xyz"}) == {}
    assert (
        social_providers_from_env({"ORCID_CLIENT_ID": " ", "ORCID_SECRET": "s"}) == {}
    )


def test_each_configured_provider_gets_its_app_from_the_environment():
    providers = social_providers_from_env(
        {
            "ORCID_CLIENT_ID": "APP-123",
            "ORCID_SECRET": "orcid-secret",
            "GITHUB_CLIENT_ID": "gh-id",
            "GITHUB_SECRET": "gh-secret",
        }
    )

    assert set(providers) == {"orcid", "github"}
    assert providers["orcid"]["APPS"] == [
        {"client_id": "APP-123", "secret": "orcid-secret", "key": ""}
    ]
    assert providers["orcid"]["BASE_DOMAIN"] == "orcid.org"
    assert providers["github"]["APPS"][0]["client_id"] == "gh-id"


def test_google_asks_for_profile_and_email():
    providers = social_providers_from_env(
        {"GOOGLE_CLIENT_ID": "g-id", "GOOGLE_SECRET": "g-secret"}
    )
    assert providers["google"]["SCOPE"] == ["profile", "email"]


def test_the_social_apps_cover_the_configured_providers_only():
    assert social_apps({}) == ["allauth.socialaccount"]
    assert social_apps({"google": {}, "orcid": {}}) == [
        "allauth.socialaccount",
        "allauth.socialaccount.providers.orcid",
        "allauth.socialaccount.providers.google",
    ]


@pytest.mark.django_db
def test_the_social_account_tables_exist_with_no_provider_configured(settings):
    assert settings.SOCIALACCOUNT_PROVIDERS == {}
    assert SocialAccount.objects.count() == 0


CREDENTIALS = [
    "ORCID_CLIENT_ID",
    "ORCID_SECRET",
    "GITHUB_CLIENT_ID",
    "GITHUB_SECRET",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_SECRET",
]


def settings_in_a_fresh_process(code: str | None = None, **variables) -> list[str]:
    """Import the settings with only the given credentials set (a .env file cannot add any)."""
    environ = {
        **os.environ,
        **dict.fromkeys(CREDENTIALS, ""),
        **variables,
        "DJANGO_SETTINGS_MODULE": "shortscience.settings.test",
    }
    code = code or (
        "from django.conf import settings; "
        "print(sorted(settings.SOCIALACCOUNT_PROVIDERS)); "
        "print([app for app in settings.INSTALLED_APPS if 'socialaccount' in app])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_the_settings_leave_social_sign_in_out_by_default_but_keep_its_tables():
    assert settings_in_a_fresh_process() == ["[]", "['allauth.socialaccount']"]


def test_the_settings_switch_social_sign_in_on_from_the_environment():
    providers, apps = settings_in_a_fresh_process(
        GITHUB_CLIENT_ID="gh-id", GITHUB_SECRET="gh-secret"
    )

    assert providers == "['github']"
    assert apps == str(
        ["allauth.socialaccount", "allauth.socialaccount.providers.github"]
    )


def test_a_provider_without_credentials_has_no_sign_in_page():
    code = (
        "import django; django.setup(); "
        "from django.urls import Resolver404, resolve\n"
        "for provider in ('orcid', 'github', 'google'):\n"
        "    try:\n"
        "        print(provider, resolve(f'/accounts/{provider}/login/').url_name)\n"
        "    except Resolver404:\n"
        "        print(provider, 'absent')\n"
    )
    lines = settings_in_a_fresh_process(
        code, ORCID_CLIENT_ID="APP-1", ORCID_SECRET="orcid-secret"
    )

    assert lines == ["orcid orcid_login", "github absent", "google absent"]
