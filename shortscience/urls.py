from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from . import views
from .cache import cache_anonymous

urlpatterns = [
    path("", cache_anonymous(views.home), name="home"),
    path("papers/<int:pk>/", cache_anonymous(views.paper_detail), name="paper-detail"),
    path(
        "summaries/<int:pk>/",
        cache_anonymous(views.summary_detail),
        name="summary-detail",
    ),
    path("s/<str:token>/", views.summary_shared, name="summary-shared"),
    path(
        "users/<str:username>/", cache_anonymous(views.user_detail), name="user-detail"
    ),
    path("", include("users.urls")),
    path("", include("papers.urls")),
    path("", include("summaries.urls")),
    path("", include("comments.urls")),
    path("", include("community.urls")),
    path("", include("discovery.urls")),
    path("", include("feeds.urls")),
    path("api/", include("api.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("csp-report/", views.csp_report, name="csp-report"),
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
