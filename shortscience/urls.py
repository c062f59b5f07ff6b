from django.contrib import admin
from django.urls import include, path

# Apps are named by string only: this package imports no app.
urlpatterns = [
    # The operational endpoints (health checks, robots.txt...) first: a load balancer's
    # probe then resolves at the first pattern instead of after every app's.
    path("", include("pages.ops_urls")),
    # Cross-app pages next: "users/<str:username>/" must resolve before users.urls.
    path("", include("pages.urls")),
    path("", include("users.urls")),
    path("", include("papers.urls")),
    path("", include("authors.urls")),
    path("", include("summaries.urls")),
    path("", include("comments.urls")),
    path("", include("community.urls")),
    path("", include("discovery.urls")),
    path("", include("feeds.urls")),
    path("", include("lists.urls")),
    path("", include("shortscience.imageproxy.urls")),
    path("api/", include("api.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

# Named by string: shortscience imports no app.
handler500 = "pages.views.server_error"
