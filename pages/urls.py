"""The pages that bring several apps together.

Included at the root, before the apps' own URLs, without a namespace: their names
("home", "paper-detail", ...) are reversed as they are.
"""

from django.urls import path

from shortscience.cache import cache_anonymous

from . import views

urlpatterns = [
    path("", cache_anonymous(views.home), name="home"),
    path("papers/<int:pk>/", cache_anonymous(views.paper_detail), name="paper-detail"),
    path(
        "summaries/<int:pk>/",
        cache_anonymous(views.summary_detail),
        name="summary-detail",
    ),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("s/<str:token>/", views.summary_shared, name="summary-shared"),
    path(
        "users/<str:username>/", cache_anonymous(views.user_detail), name="user-detail"
    ),
]
