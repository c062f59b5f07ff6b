"""Production: DJANGO_SECRET_KEY is required, HTTPS is assumed behind a proxy."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY")  # no default: refuse to start without it
DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Fail fast (shortscience/checks.py) ---------------------------------------------------
# No embedded defaults in production: without a Postgres DATABASE_URL, a Redis CACHE_URL, a
# broker, SITE_URL and DJANGO_ALLOWED_HOSTS, `manage.py check`, migrate, gunicorn (via
# shortscience.wsgi) and the Celery worker and beat refuse to start, naming what is missing
# (system checks shortscience.E001 to E006); E007 refuses IMAGE_PROXY_ALLOW_NETWORKS.
PRODUCTION_CHECKS = True
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
SITE_URL = env("SITE_URL", default="")

# --- Seeing it run --------------------------------------------------------------------------
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
# A line per request, at the level LOG_LEVEL lets through.
del LOGGING["loggers"]["shortscience.request"]  # noqa: F405
