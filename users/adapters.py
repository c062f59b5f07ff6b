"""allauth glue: reserved usernames, the site's name in mail, ORCID iDs from ORCID sign-in."""

from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from shortscience.clientip import client_ip

from .models import RESERVED_USERNAME_PREFIX
from .orcid import orcid_normalize


@dataclass(frozen=True)
class SiteLabel:
    """What account mail says about the site (allauth reads .name and .domain)."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The one client address of the site, for allauth's lockout and session list."""
        return client_ip(request)

    def clean_username(self, username: str, shallow: bool = False) -> str:
        """Keep the names of deleted-account placeholders out of reach of sign-up."""
        if username.lower().startswith(RESERVED_USERNAME_PREFIX):
            raise ValidationError(
                f'Usernames starting with "{RESERVED_USERNAME_PREFIX}" are reserved; '
                "please choose another."
            )
        return super().clean_username(username, shallow=shallow)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The sites framework's row says "example.com" unless someone edits it; the
        # site's name and address come from the settings instead.
        site = SiteLabel(
            name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc
        )
        super().send_mail(template_prefix, email, {"current_site": site, **context})


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """Fill the profile from the provider; ORCID sign-in also gives the ORCID iD."""
        user = super().populate_user(request, sociallogin, data)
        if sociallogin.account.provider == "orcid" and not user.orcid:
            # A malformed iD from the provider is left for the user to enter.
            with suppress(ValidationError):
                user.orcid = orcid_normalize(sociallogin.account.uid)
        if not user.display_name:
            name = " ".join(part for part in (user.first_name, user.last_name) if part)
            user.display_name = (data.get("name") or name)[:100]
        return user
