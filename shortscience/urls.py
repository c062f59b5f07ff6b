from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("papers/<int:pk>/", views.paper_detail, name="paper-detail"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary-detail"),
    path("s/<str:token>/", views.summary_shared, name="summary-shared"),
    path("users/<str:username>/", views.user_detail, name="user-detail"),
    path("", include("papers.urls")),
    path("", include("discovery.urls")),
    path("", include("feeds.urls")),
    path("api/", include("api.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
