"""Absolute addresses built from settings.SITE_URL, for feeds, mail, sitemaps and exports.

The sites framework's Site row is not used: SITE_URL is the one configured address
of the site, already used by mail, and it carries the scheme as well as the host.
"""

from urllib.parse import urlsplit

from django.conf import settings


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def absolute(path: str) -> str:
    """Return `path` (such as "/papers/1/") prefixed with the site's address."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{site_url()}{path}"


def namespace() -> str:
    """Return the XML namespace of the site's feed extension elements."""
    return f"{site_url()}/ns/1.0"


def site_domain() -> str:
    return urlsplit(site_url()).netloc


def site_scheme() -> str:
    return urlsplit(site_url()).scheme or "https"
