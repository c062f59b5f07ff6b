"""Serve anonymous page views from the cache, and never a stale one.

Every cached page is keyed by a site-wide content generation. Anything that changes what a
page shows moves the generation on: every successful write through the web (the middleware
below) and the background writers (rendering, imports, purges) through `content_changed`.
Old entries are then simply never read again and expire on their own.

Only requests without a session or messages cookie are served from the cache, and only
responses that set no cookie are stored, so a signed-in reader never sees another user's
page and no CSRF token is ever shared.
"""

import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# What the cache raises when its server is down.
CACHE_ERRORS = (RedisError, OSError)

GENERATION_KEY = "content-generation"
PAGE_TIMEOUT = 60 * 10
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _new_generation() -> int:
    """Return a generation no earlier one can equal.

    The generation key can vanish (a cache culled or restarted while pages stayed); a
    new count starting at 1 could then meet pages cached under an old 1, 2, ...
    """
    return time.time_ns()


def content_changed() -> None:
    """Make every cached page stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: a new one invalidates everything cached
        cache.set(GENERATION_KEY, _new_generation(), timeout=None)
    except CACHE_ERRORS as exc:
        # The cache is down, so nothing can be read from it either; Redis keeps nothing on
        # disk here, so it comes back empty and no stale page survives.
        logger.warning("cache unavailable, generation not moved: %s", exc)


def content_generation() -> int:
    """Return the current content generation (part of every cache key for page data)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY, 0)
    return generation


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.headers.get("HX-Request")
    )


def cache_anonymous(view):
    """Cache a page view for readers who are not signed in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        try:
            key = f"page:{content_generation()}:{request.get_full_path()}"
            hit = cache.get(key)
        except CACHE_ERRORS as exc:
            logger.warning("cache unavailable, serving uncached: %s", exc)
            return view(request, *args, **kwargs)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Vary")
        ):
            try:
                cache.set(
                    key, (response.content, response["Content-Type"]), PAGE_TIMEOUT
                )
            except CACHE_ERRORS:
                return response
            response["X-Cache"] = "miss"
        return response

    return wrapper


class ContentGenerationMiddleware:
    """Move the content generation on after every successful write through the web."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS and response.status_code < 400:
            content_changed()
        return response
