"""Writes for the image proxy: rows per address, queued fetches, stored images."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from shortscience.models import ProxiedImage
from shortscience.queue import enqueue_in_background

from .network import FetchError, fetch_image
from .signing import MAX_URL_LENGTH, proxied_sources, url_digest

logger = logging.getLogger(__name__)

# How long a queued fetch holds its row: a task lost with a dead worker or broker is
# queued again once this has passed.
FETCH_LEASE = timedelta(minutes=10)
# After a failure the next try waits RETRY_FIRST, doubling with each further failure, up
# to RETRY_MAX: a dead host sees about a dozen tries in its first week, then one a week.
RETRY_FIRST = timedelta(minutes=5)
RETRY_MAX = timedelta(days=7)
# Fetches one process runs at once (threads of the web process without a broker, or a
# worker's threads): a page with many new images never opens dozens of connections.
_FETCH_SLOTS = threading.BoundedSemaphore(4)
_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}


def retry_delay(failures: int) -> timedelta:
    """Return how long to wait before the next try after `failures` failures in a row."""
    return min(RETRY_FIRST * 2 ** min(max(failures - 1, 0), 20), RETRY_MAX)


def proxied_image_request(*, url: str) -> ProxiedImage:
    """Return the row of an image address, creating it; queue its fetch when one is due.

    A fetch is due for an image not stored yet whose backoff (or the lease of a fetch
    already queued) has passed; only one request claims it, however many ask at once.
    """
    image, _ = ProxiedImage.objects.get_or_create(
        digest=url_digest(url), defaults={"url": url}
    )
    if image.status == ProxiedImage.Status.FETCHED:
        return image
    now = timezone.now()
    claimed = (
        ProxiedImage.objects.filter(pk=image.pk)
        .exclude(status=ProxiedImage.Status.FETCHED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=now + FETCH_LEASE)
    )
    if claimed:
        from shortscience.tasks import fetch_proxied_image

        enqueue_in_background(fetch_proxied_image, image.pk)
    return image


def proxied_image_forget(*, image: ProxiedImage) -> ProxiedImage:
    """Fetch again an image whose stored copy went missing; return its row."""
    ProxiedImage.objects.filter(pk=image.pk).update(
        status=ProxiedImage.Status.PENDING, file="", next_attempt_at=None
    )
    return proxied_image_request(url=image.url)


def proxied_images_prefetch(*, html: str) -> int:
    """Queue the fetch of every proxied image in rendered HTML; return how many it names.

    Called when a text is rendered, so that its readers find the images stored. Without
    a broker (the embedded default, tasks in threads) the images are fetched when first
    viewed instead: re-rendering every text would otherwise start a thread per image.
    """
    urls = proxied_sources(html)
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.TASKS_EAGER_IN_THREAD:
        return len(urls)
    for url in urls:
        proxied_image_request(url=url)
    return len(urls)


def proxied_image_fetch(*, image_id: int) -> ProxiedImage | None:
    """Fetch an image, store it under its digest and mark its row; back off on failure."""
    image = ProxiedImage.objects.filter(pk=image_id).first()
    if image is None or image.status == ProxiedImage.Status.FETCHED:
        return image
    try:
        if len(image.url) > MAX_URL_LENGTH:
            raise FetchError("the address is too long")
        with _FETCH_SLOTS:
            fetched = fetch_image(
                image.url,
                max_bytes=settings.IMAGE_PROXY_MAX_BYTES,
                timeout=settings.IMAGE_PROXY_TIMEOUT,
                allowed_ports=settings.IMAGE_PROXY_ALLOWED_PORTS,
                allow_networks=settings.IMAGE_PROXY_ALLOW_NETWORKS,
                user_agent=settings.HTTP_USER_AGENT,
            )
    except FetchError as exc:
        failures = image.failures + 1
        logger.info("image proxy: %s not fetched: %s", image.url, exc)
        ProxiedImage.objects.filter(pk=image.pk).exclude(
            status=ProxiedImage.Status.FETCHED
        ).update(
            status=ProxiedImage.Status.FAILED,
            failures=failures,
            last_error=str(exc)[:300],
            next_attempt_at=timezone.now() + retry_delay(failures),
            updated_at=timezone.now(),
        )
        image.refresh_from_db()
        return image
    extension = _EXTENSIONS[fetched.content_type]
    name = default_storage.save(
        f"proxied/{image.digest[:2]}/{image.digest}.{extension}",
        ContentFile(fetched.content),
    )
    ProxiedImage.objects.filter(pk=image.pk).update(
        status=ProxiedImage.Status.FETCHED,
        file=name,
        content_type=fetched.content_type,
        size=len(fetched.content),
        width=fetched.width,
        height=fetched.height,
        fetched_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    image.refresh_from_db()
    return image
