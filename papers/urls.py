from django.urls import path

from . import views

app_name = "papers"

urlpatterns = [
    path("papers/add/", views.paper_add, name="paper-add"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import-retry"),
    path("venues/", views.venue_list, name="venue-list"),
    path("venues/<slug:slug>/", views.venue_detail, name="venue-detail"),
    path("venues/<slug:slug>/<int:year>/", views.venue_detail, name="venue-year"),
    path("years/", views.year_list, name="year-list"),
    path("years/<int:year>/", views.year_detail, name="year-detail"),
    path("keywords/<slug:slug>/", views.keyword_detail, name="keyword-detail"),
]
