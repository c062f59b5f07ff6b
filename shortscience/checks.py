"""Production refuses to start half-configured: one system check per missing service.

Without these, settings.prod would quietly fall back to the embedded defaults: SQLite,
tasks run in the web process, a cache each gunicorn worker keeps to itself (so a write in
one never reaches the pages another serves) and links to 127.0.0.1 in mail and feeds.

The checks run with `manage.py check` (and migrate, runserver) when PRODUCTION_CHECKS is
on, which settings.prod does; shortscience.wsgi and the Celery worker and beat run them
at start-up too (refuse_to_start_unless_configured), since gunicorn and Celery run none.
"""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def _error(id_: int, msg: str, hint: str) -> checks.Error:
    return checks.Error(msg, hint=hint, id=f"shortscience.E{id_:03d}")


def production_checks(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Return an error for each service production needs and was not given."""
    if not getattr(settings, "PRODUCTION_CHECKS", False):
        return []
    errors: list[checks.CheckMessage] = []
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        errors.append(
            _error(
                1,
                "DATABASE_URL does not name a Postgres database.",
                "Set DATABASE_URL=postgres://user:password@host:5432/name; production "
                "never runs on the SQLite file.",
            )
        )
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        errors.append(
            _error(
                2,
                "CACHE_URL does not name a shared (Redis) cache.",
                "Set CACHE_URL=redis://host:6379/1: a cache of files or memory is not "
                "shared by the web servers, so one server's writes never reach the "
                "pages another serves and rate limits count per server.",
            )
        )
    if not settings.CELERY_BROKER_URL:
        errors.append(
            _error(
                3,
                "CELERY_BROKER_URL is not set.",
                "Set CELERY_BROKER_URL=redis://host:6379/0: without a broker, imports, "
                "rendering and mail run inside web requests.",
            )
        )
    site = urlsplit(settings.SITE_URL or "")
    if site.scheme not in ("http", "https") or not site.hostname:
        errors.append(
            _error(
                4,
                "SITE_URL is not set.",
                "Set SITE_URL to the site's public address (https://example.org): mail "
                "and feeds link to it.",
            )
        )
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    if not hosts or "*" in hosts:
        errors.append(
            _error(
                5,
                "DJANGO_ALLOWED_HOSTS is not set (or allows every host).",
                "Set DJANGO_ALLOWED_HOSTS to the host names the site answers to, "
                "separated by commas.",
            )
        )
    for i, replica in enumerate(getattr(settings, "DATABASE_REPLICAS", [])):
        if not settings.DATABASES[replica]["ENGINE"].endswith("postgresql"):
            errors.append(
                _error(
                    6,
                    f"DATABASE_REPLICA_URLS entry {i + 1} does not name a Postgres database.",
                    "Each read replica is a postgres:// URL.",
                )
            )
    if getattr(settings, "IMAGE_PROXY_ALLOW_NETWORKS", []):
        errors.append(
            _error(
                7,
                "IMAGE_PROXY_ALLOW_NETWORKS is set.",
                "It lets the image proxy fetch from internal networks and is meant for "
                "tests only: unset IMAGE_PROXY_ALLOW_NETWORKS in production.",
            )
        )
    return errors


def refuse_to_start_unless_configured() -> None:
    """Raise ImproperlyConfigured naming each missing setting, when production checks are on."""
    errors = production_checks()
    if errors:
        lines = [f"{e.id}: {e.msg} {e.hint}" for e in errors]
        raise ImproperlyConfigured(
            "Production settings are incomplete:\n" + "\n".join(lines)
        )
