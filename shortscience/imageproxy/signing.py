"""Signed site addresses for images from other sites. Pure: settings only, no ORM."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.crypto import salted_hmac

# Where the view answers (shortscience/imageproxy/urls.py); the feeds prefix SITE_URL.
PREFIX = "/img/"
# Addresses longer than this are not fetched: a browser or proxy may refuse the request
# line before the view sees it.
MAX_URL_LENGTH = 2048

_KEY_SALT = "shortscience.imageproxy"
_PROXIED_SRC = re.compile(r'src="/img/([0-9a-f]{64})/([A-Za-z0-9_-]+)"')


def url_digest(url: str) -> str:
    """Return the SHA-256 of an address: its key in the database and in storage.

    Not keyed, so rotating IMAGE_PROXY_KEY or SECRET_KEY keeps every stored image.
    """
    return hashlib.sha256(url.encode()).hexdigest()


def url_signature(url: str, *, secret: str | bytes | None = None) -> str:
    """Return the HMAC of an address, keyed by IMAGE_PROXY_KEY (or SECRET_KEY)."""
    secret = secret or settings.IMAGE_PROXY_KEY or None
    return salted_hmac(_KEY_SALT, url, secret=secret, algorithm="sha256").hexdigest()


def _fallback_keys() -> list[str | bytes]:
    """Keys whose signatures still count: the previous ones, kept while pages re-render."""
    if settings.IMAGE_PROXY_KEY:
        return list(settings.IMAGE_PROXY_KEY_FALLBACKS)
    return list(settings.SECRET_KEY_FALLBACKS)


def _encode(url: str) -> str:
    return base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def _decode(encoded: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        return raw.decode()
    except (binascii.Error, ValueError):
        return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _own_origins() -> set[str]:
    return {_origin(settings.SITE_URL), *(_origin(o) for o in settings.MEDIA_ORIGINS)}


# A scheme that browsers follow with any run of slashes or backslashes, even none
# ("https:example.com/a.png", "https:///example.com/a.png" both load example.com).
_WEB_SCHEME = re.compile(r"(https?):[/\\]*", re.IGNORECASE)


def proxied_url(url: str) -> str:
    """Return the address a page should load an image from.

    Site-relative addresses and those on the site or its own storage (uploads) stay as
    they are; an image on any other site (`http:`, `https:` or protocol-relative
    `//host/...`) gets a signed address on the site.
    """
    if url[:2] in ("//", "\\\\", "/\\", "\\/"):
        url = "https:" + url
    scheme = _WEB_SCHEME.match(url)
    if scheme is None:
        return url
    url = f"{scheme.group(1).lower()}://{url[scheme.end() :]}"
    if _origin(url) in _own_origins():
        return url
    return f"{PREFIX}{url_signature(url)}/{_encode(url)}"


def unsign(signature: str, encoded: str) -> str | None:
    """Return the original address of a proxied one, or None when the signature is wrong."""
    url = _decode(encoded)
    if url is None:
        return None
    for secret in [None, *_fallback_keys()]:
        if hmac.compare_digest(signature, url_signature(url, secret=secret)):
            return url
    return None


def proxied_sources(html: str) -> list[str]:
    """Return the original addresses of the proxied images in rendered HTML, once each."""
    found: dict[str, None] = {}
    for signature, encoded in _PROXIED_SRC.findall(html):
        url = unsign(signature, encoded)
        if url is not None:
            found[url] = None
    return list(found)
