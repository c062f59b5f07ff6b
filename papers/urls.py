from django.urls import path

from shortscience.cache import cache_anonymous

from . import views

app_name = "papers"

urlpatterns = [
    path("papers/add/", views.paper_add, name="paper-add"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("papers/add/search/<str:search_id>/", views.title_search, name="title-search"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import-retry"),
    path("venues/", cache_anonymous(views.venue_list), name="venue-list"),
    path(
        "venues/<slug:slug>/", cache_anonymous(views.venue_detail), name="venue-detail"
    ),
    path(
        "venues/<slug:slug>/<int:year>/",
        cache_anonymous(views.venue_detail),
        name="venue-year",
    ),
    path("years/", cache_anonymous(views.year_list), name="year-list"),
    path("years/<int:year>/", cache_anonymous(views.year_detail), name="year-detail"),
    path(
        "keywords/<slug:slug>/",
        cache_anonymous(views.keyword_detail),
        name="keyword-detail",
    ),
]
