from django.urls import path

from shortscience.cache import cache_anonymous, text

from . import views
from .query import MAX_LENGTH

# A search page shows what matches now: new matches reach it within SEARCH_FRESH_SECONDS
# (the freshness contract in the README); a change to a listed paper or summary shows
# at once. Only a search asked for twice within that time is kept, so one-off queries
# (or a flood of made-up ones) cost a counter, not a page.
SEARCH_FRESH_SECONDS = 60
SEARCH_PARAMS = {
    "q": text(MAX_LENGTH),
    "venue": text(100),
    "year_from": text(4),
    "year_to": text(4),
    "has_summaries": text(5),
    "cursor": text(200),
}

app_name = "discovery"

urlpatterns = [
    path(
        "search/",
        cache_anonymous(
            views.search,
            params=SEARCH_PARAMS,
            timeout=SEARCH_FRESH_SECONDS,
            admit_after=2,
        ),
        name="search",
    ),
    path("wanted/", views.wanted, name="wanted"),
    path("following/", views.following, name="following"),
    path("follow/", views.follow, name="follow"),
    path("papers/<int:pk>/request/", views.summary_request, name="summary-request"),
]
