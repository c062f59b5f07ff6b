"""The pages that bring several apps together.

Included at the root, before the apps' own URLs, without a namespace: their names
("home", "paper-detail", ...) are reversed as they are.
"""

from django.urls import path

from shortscience.cache import cache_anonymous, one_of, page_number

from . import markdown, views

urlpatterns = [
    path(
        "",
        cache_anonymous(
            views.home,
            params={"tab": one_of(*views.HOME_TABS)},
            timeout=views.HOME_LAG_SECONDS,
            # Votes and new summaries reach the home page within its timeout.
            lags=("score", "reputation", "list"),
        ),
        name="home",
    ),
    path(
        "papers/<int:pk>/",
        cache_anonymous(
            views.paper_detail,
            params={"page": page_number},  # its summaries, SUMMARIES_PER_PAGE a page
            # Votes reach its scores and order within a minute (the voter's own page
            # is not cached); everything else it shows, at once.
            lags=("score",),
            lag_seconds=views.PAPER_SCORE_LAG_SECONDS,
        ),
        name="paper-detail",
    ),
    path(
        "summaries/<int:pk>/",
        cache_anonymous(views.summary_detail),
        name="summary-detail",
    ),
    path("s/<str:token>/", views.summary_shared, name="summary-shared"),
    path(
        "users/<str:username>/",
        cache_anonymous(views.user_detail, params={"page": page_number}),
        name="user-detail",
    ),
    # Markdown twins of the reading pages, and the site described for language models.
    path("llms.txt", cache_anonymous(markdown.llms_txt), name="llms-txt"),
    path(
        "papers/<int:pk>.md",
        cache_anonymous(markdown.paper_markdown),
        name="paper-markdown",
    ),
    path(
        "summaries/<int:pk>.md",
        cache_anonymous(markdown.summary_markdown),
        name="summary-markdown",
    ),
    path(
        "venues/<slug:slug>/<int:year>.md",
        cache_anonymous(markdown.venue_year_markdown),
        name="venue-year-markdown",
    ),
    path(
        "users/<str:username>.md",
        cache_anonymous(markdown.user_markdown),
        name="user-markdown",
    ),
    path("lists/<int:pk>.md", markdown.list_markdown, name="list-markdown"),
]
