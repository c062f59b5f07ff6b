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

SOCIAL_APPS = [
    "allauth.socialaccount",
    *(f"allauth.socialaccount.providers.{provider}" for provider in PROVIDERS),
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
