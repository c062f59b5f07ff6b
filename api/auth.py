"""Who is calling: personal API tokens (Authorization: Bearer ss_...) and rate limits."""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from . import services
from .models import ApiToken

_UNSET = object()


def request_token(request: HttpRequest) -> ApiToken | None:
    """Return the live API token the request carries, looked up once per request.

    A missing or unknown token makes an anonymous client; only the write endpoints,
    which require a token, answer 401 to it.
    """
    cached = getattr(request, "_api_token", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]  # set below, to a token or None
    token = None
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        token = services.token_authenticate(raw.strip())
    request._api_token = token  # type: ignore[attr-defined]  # a per-request memo
    return token


def request_user(request: HttpRequest):
    """Return the user whose token the request carries, or None."""
    token = request_token(request)
    return token.user if token is not None else None


class TokenAuth(HttpBearer):
    """Require a personal API token, made on /api/tokens/."""

    def authenticate(self, request, token):
        api_token = request_token(request)
        return api_token.user if api_token is not None else None


class ClientRateThrottle(BaseThrottle):
    """Count requests per API token, else per IP address, in Django's cache.

    django-ratelimit keeps the counters (one fixed window per client, atomic on
    Redis); ninja answers 429 with Retry-After from `wait()`.
    """

    def __init__(self) -> None:
        # ninja calls wait() right after allow_request() on the same thread, and one
        # throttle instance serves every request.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        token = request_token(request)
        if token is not None:
            key = f"token:{token.pk}"
            usage = get_usage(
                request,
                group="api",
                key=lambda group, request: key,
                rate=settings.API_RATE_LIMIT_TOKEN,
                increment=True,
            )
        else:
            # "ip" honours django-ratelimit's RATELIMIT_IP_META_KEY behind a proxy.
            usage = get_usage(
                request,
                group="api",
                key="ip",
                rate=settings.API_RATE_LIMIT_ANONYMOUS,
                increment=True,
            )
        if usage is None:  # rate limiting switched off (RATELIMIT_ENABLE)
            return True
        self._local.wait = max(1, usage["time_left"])
        return not usage["should_limit"]

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
