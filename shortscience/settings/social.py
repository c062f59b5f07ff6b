"""Social sign-in providers, switched on by their credentials in the environment.

Imported by base.py, so this module must not touch Django models or settings.
"""

from collections.abc import Mapping

# provider id -> (client id variable, secret variable, provider settings)
PROVIDERS: dict[str, tuple[str, str, dict]] = {
    "orcid": (
        "ORCID_CLIENT_ID",
        "ORCID_SECRET",
        # The public API is enough to read the iD and name; members use their own domain.
        {"BASE_DOMAIN": "orcid.org", "MEMBER_API": False},
    ),
    "github": (
        "GITHUB_CLIENT_ID",
        "GITHUB_SECRET",
        {"SCOPE": ["read:user", "user:email"]},
    ),
    "google": (
        "GOOGLE_CLIENT_ID",
        "GOOGLE_SECRET",
        {"SCOPE": ["profile", "email"], "AUTH_PARAMS": {"access_type": "online"}},
    ),
}


def social_apps(providers: Mapping[str, dict]) -> list[str]:
    """Return the apps for social sign-in: its tables always, and each configured provider.

    allauth.socialaccount is installed whatever is configured, so its tables exist before a
    provider is switched on (turning one on never needs a new `migrate`). A provider without
    credentials is left out, so its sign-in URLs do not exist instead of failing.
    """
    return [
        "allauth.socialaccount",
        *(
            f"allauth.socialaccount.providers.{name}"
            for name in PROVIDERS
            if name in providers
        ),
    ]


def social_providers_from_env(environ: Mapping[str, str]) -> dict[str, dict]:
    """Return SOCIALACCOUNT_PROVIDERS for each provider whose id and secret are both set.

    The app credentials live in settings ("APPS"), so no SocialApp rows are needed.
    """
    providers = {}
    for provider, (id_variable, secret_variable, options) in PROVIDERS.items():
        client_id = environ.get(id_variable, "").strip()
        secret = environ.get(secret_variable, "").strip()
        if client_id and secret:
            providers[provider] = {
                **options,
                "APPS": [{"client_id": client_id, "secret": secret, "key": ""}],
            }
    return providers
