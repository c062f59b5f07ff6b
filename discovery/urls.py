from django.urls import path

from . import views

app_name = "discovery"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("wanted/", views.wanted, name="wanted"),
    path("following/", views.following, name="following"),
    path("follow/", views.follow, name="follow"),
    path("papers/<int:pk>/request/", views.summary_request, name="summary-request"),
]
