"""Reads for the image proxy."""

from shortscience.models import ProxiedImage

from .signing import url_digest


def proxied_image_for(*, url: str) -> ProxiedImage | None:
    """Return the row of an image address, or None when it was never asked for."""
    return ProxiedImage.objects.filter(digest=url_digest(url)).first()
