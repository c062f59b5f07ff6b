"""The site's operational endpoints: health checks, CSP reports, robots.txt,
security.txt, the favicon, local media.

Included at the root before every app's URLs (they are asked for most), without a namespace.
"""

from django.conf import settings
from django.urls import path, re_path

from shortscience.observability import metrics_view

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("csp-report/", views.csp_report, name="csp-report"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("metrics", metrics_view, name="metrics"),
]

if not settings.AWS_STORAGE_BUCKET_NAME and settings.MEDIA_URL.startswith("/"):
    # Uploads on the local disk are served by the site itself; they are images the
    # site re-encoded, served with their image type and nosniff.
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>images/.+)$",
            views.media,
            name="media",
        )
    )
