from django.urls import path

from shortscience.cache import cache_anonymous, one_of, page_number

from . import views
from .models import Paper

app_name = "papers"
PAGED = {"page": page_number}
# A venue-year's papers, all of them ("") or those with one decision.
VENUE_YEAR = {**PAGED, "decision": one_of("", *Paper.Decision.values)}
venue_page = cache_anonymous(
    views.venue_detail,
    params=VENUE_YEAR,
    timeout=views.COUNTS_LAG_SECONDS,
    lags=("venue-papers",),
)

urlpatterns = [
    path("papers/add/", views.paper_add, name="paper-add"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("papers/add/search/<str:search_id>/", views.title_search, name="title-search"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import-retry"),
    path("venues/import/", views.venue_import, name="venue-import"),
    path(
        "venues/import/openreview/",
        views.venue_import_openreview,
        name="venue-import-openreview",
    ),
    path("venues/", cache_anonymous(views.venue_list), name="venue-list"),
    path("venues/<slug:slug>/", venue_page, name="venue-detail"),
    path("venues/<slug:slug>/<int:year>/", venue_page, name="venue-year"),
    path("years/", cache_anonymous(views.year_list), name="year-list"),
    path(
        "years/<int:year>/",
        cache_anonymous(views.year_detail, params=PAGED),
        name="year-detail",
    ),
    path(
        "keywords/<slug:slug>/",
        cache_anonymous(views.keyword_detail, params=PAGED),
        name="keyword-detail",
    ),
]
