"""The image proxy's one view: a stored image, or a placeholder while it is fetched."""

import logging

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe
from django_ratelimit.core import is_ratelimited

from shortscience.models import ProxiedImage

from .selectors import proxied_image_for
from .services import proxied_image_forget, proxied_image_request
from .signing import unsign

logger = logging.getLogger(__name__)

# A stored image never changes: its address names the original, whose copy is kept.
STORED_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Nothing in the response may run, load or be framed, whatever the bytes were.
SANDBOX_CSP = "default-src 'none'; sandbox"

_PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120"'
    ' viewBox="0 0 320 120" role="img" aria-label="{text}">'
    '<rect width="320" height="120" rx="6" fill="#f1f3f5" stroke="#ced4da"/>'
    '<text x="160" y="66" font-family="sans-serif" font-size="15" fill="#495057"'
    ' text-anchor="middle">{text}</text></svg>'
)
LOADING_SVG = _PLACEHOLDER.format(text="Loading image…")
UNAVAILABLE_SVG = _PLACEHOLDER.format(text="Image unavailable")
# Seconds a reader's browser is told to wait before asking again for an image being fetched.
LOADING_RETRY_AFTER = 5


def _secured(response: HttpResponseBase) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    return response


def _placeholder(image: ProxiedImage) -> HttpResponseBase:
    """Answer for an image not stored: "loading" (202) or "unavailable" (502).

    Browsers show the picture whatever the status; nothing keeps it (no-store), so the
    next page view asks again, and Retry-After says when that is worth it.
    """
    if image.status == ProxiedImage.Status.FAILED:
        body, status, retry = UNAVAILABLE_SVG, 502, 3600
    else:
        body, status, retry = LOADING_SVG, 202, LOADING_RETRY_AFTER
    response = HttpResponse(body, content_type="image/svg+xml", status=status)
    response["Cache-Control"] = "no-store"
    response["Retry-After"] = str(retry)
    return _secured(response)


def _stored(image: ProxiedImage) -> HttpResponseBase | None:
    try:
        handle = image.file.open("rb")
    except OSError:
        logger.warning("image proxy: stored copy of %s is missing", image.url)
        return None
    extension = (image.file.name or "").rsplit(".", 1)[-1]
    response = FileResponse(
        handle, content_type=image.content_type, filename=f"image.{extension}"
    )
    response["Cache-Control"] = STORED_CACHE_CONTROL
    return _secured(response)


@require_safe
def image_proxy(request, signature: str, encoded: str):
    """Serve an image from another site through the site, by its signed address."""
    url = unsign(signature, encoded)
    if url is None:
        raise Http404("No such image.")
    image = proxied_image_for(url=url)
    if image is not None and image.status == ProxiedImage.Status.FETCHED:
        stored = _stored(image)
        if stored is not None:
            return stored
        return _placeholder(proxied_image_forget(image=image))
    if image is None and is_ratelimited(
        request,
        group="image-proxy-new",
        key="ip",
        rate=settings.IMAGE_PROXY_NEW_RATE,
        increment=True,
    ):
        # Too many new addresses from one client: nothing is fetched for it now.
        return _placeholder(ProxiedImage(url=url))
    return _placeholder(proxied_image_request(url=url))
