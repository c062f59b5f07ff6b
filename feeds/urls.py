from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import syndication, views
from .sitemaps import SITEMAPS

app_name = "feeds"


def _feed(route: str, feed_class, name: str) -> list:
    """Serve one feed as `<route>.atom` and `<route>.rss`, named `<name>-atom`/`-rss`."""
    return [
        path(f"{route}.{fmt}", feed_class(format=fmt), name=f"{name}-{fmt}")
        for fmt in syndication.FORMATS
    ]


urlpatterns = [
    *_feed("feeds/latest", syndication.LatestFeed, "latest"),
    *_feed("feeds/top", syndication.TopFeed, "top"),
    *_feed("feeds/papers/<int:pk>", syndication.PaperFeed, "paper"),
    *_feed("feeds/venues/<slug:slug>", syndication.VenueFeed, "venue"),
    *_feed(
        "feeds/venues/<slug:slug>/<int:year>", syndication.VenueYearFeed, "venue-year"
    ),
    *_feed("feeds/keywords/<slug:slug>", syndication.KeywordFeed, "keyword"),
    *_feed("feeds/users/<str:username>", syndication.WriterFeed, "user"),
    path("ns/1.0", views.feed_namespace, name="namespace"),
    # Exports
    path("papers/<int:pk>/bibtex", views.paper_bibtex, name="paper-bibtex"),
    path(
        "venues/<slug:slug>/<int:year>/bibtex",
        views.venue_year_bibtex,
        name="venue-year-bibtex",
    ),
    path("summaries/<int:pk>/bibtex", views.summary_bibtex, name="summary-bibtex"),
    path(
        "users/<str:username>/summaries.zip",
        views.writer_summaries_zip,
        name="writer-zip",
    ),
    path("dumps/latest.jsonl.gz", views.dump_latest, name="dump-latest"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS, "template_name": "feeds/sitemap.xml"},
        name="sitemap",
    ),
    # Old ShortScience addresses
    path("paper", views.legacy_paper, name="legacy-paper"),
    path("venue", views.legacy_venue, name="legacy-venue"),
    path("user", views.legacy_user, name="legacy-user"),
    path("rss.xml", views.legacy_rss, name="legacy-rss"),
    # Weekly digest
    path("settings/digest/", views.digest_settings, name="digest-settings"),
    path(
        "digest/unsubscribe/<str:token>/",
        views.digest_unsubscribe,
        name="digest-unsubscribe",
    ),
]
