from django.urls import path, re_path

from . import views
from .v1 import api

app_name = "api"

urlpatterns = [
    path("openapi.json", views.openapi_json, name="openapi"),
    path("docs/", views.docs_page, name="docs"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    # Ahead of ninja's own root view, which only raises 404.
    path("v1/", views.index, name="index"),
    path("v1/", api.urls),
    # Any other address under v1/ (even one with a newline) answers in JSON too.
    re_path(r"^v1/(?P<rest>[\s\S]*)$", views.not_found),
]
