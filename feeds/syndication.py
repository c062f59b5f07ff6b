"""Atom and RSS 2.0 feeds of public summaries, with the full text and MathML math.

Each feed class serves both formats: the URLconf makes one instance per format.
Entries carry the paper's arXiv id and DOI and the summary's score as extension
elements in the site's own namespace (see `links.namespace()`).
"""

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from papers.models import Keyword, Paper, Venue
from users.models import User

from . import selectors
from .html import excerpt, feed_html
from .links import absolute, namespace

LICENCE = "Summaries are published by their writers under CC BY 4.0."


class _ExtensionMixin:
    """Declare the site's namespace and write the extension elements of an item."""

    def _add_extensions(self, handler, item):
        if item.get("arxiv_id"):
            handler.addQuickElement("ss:arxiv", item["arxiv_id"])
        if item.get("doi"):
            handler.addQuickElement("ss:doi", item["doi"])
        handler.addQuickElement("ss:score", str(item["score"]))


class SummaryAtomFeed(_ExtensionMixin, Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:ss": namespace()}

    def add_item_elements(self, handler, item):
        # Atom's <summary> gets a short plain excerpt; the whole text goes in <content>.
        super().add_item_elements(handler, {**item, "description": item["excerpt"]})
        handler.addQuickElement("content", item["description"], {"type": "html"})
        self._add_extensions(handler, item)


class SummaryRssFeed(_ExtensionMixin, Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:ss": namespace()}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        self._add_extensions(handler, item)


FORMATS: dict[str, type[Atom1Feed] | type[Rss201rev2Feed]] = {
    "atom": SummaryAtomFeed,
    "rss": SummaryRssFeed,
}


class SummaryFeed(Feed):
    """Base feed: subclasses say which summaries, under which title and address."""

    url_name = ""
    feed_copyright = LICENCE

    def __init__(self, *, format: str):
        self.format = format
        self.feed_type = FORMATS[format]

    # Subclasses override these three.
    def items(self, obj):
        raise NotImplementedError

    def url_kwargs(self, obj) -> dict:
        return {}

    def page_path(self, obj) -> str:
        return reverse("home")

    def link(self, obj):
        return absolute(self.page_path(obj))

    def feed_url(self, obj):
        name = f"feeds:{self.url_name}-{self.format}"
        return absolute(reverse(name, kwargs=self.url_kwargs(obj)))

    def item_title(self, item):
        return f"Summary of {item.paper.title}"

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return absolute(item.get_absolute_url())

    item_guid_is_permalink = True

    def item_description(self, item):
        return feed_html(item.body_html)

    def item_author_name(self, item):
        return item.byline

    def item_author_link(self, item):
        if item.is_anonymous:
            return None
        return absolute(item.writer.get_absolute_url())

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [keyword.name for keyword in item.paper.keywords.all()]

    def item_extra_kwargs(self, item):
        return {
            "arxiv_id": item.paper.arxiv_id,
            "doi": item.paper.doi,
            "score": item.score,
            "excerpt": excerpt(item.body_html),
        }


class LatestFeed(SummaryFeed):
    url_name = "latest"
    title = "shortscience: latest summaries"
    description = "The newest summaries of research papers on shortscience."

    def items(self):
        return selectors.summary_list_for_feed()[: selectors.FEED_LENGTH]


class TopFeed(SummaryFeed):
    url_name = "top"
    title = "shortscience: top summaries"
    description = "The highest-rated summaries on shortscience."

    def items(self):
        return selectors.summary_list_for_feed(top=True)[: selectors.FEED_LENGTH]


class PaperFeed(SummaryFeed):
    url_name = "paper"

    def get_object(self, request, pk: int):
        return get_object_or_404(Paper, pk=pk)

    def title(self, obj):
        return f"shortscience: summaries of {obj.title}"

    def description(self, obj):
        return f"Summaries of the paper {obj.title}."

    def items(self, obj):
        return selectors.summary_list_for_feed(filters=Q(paper=obj))[
            : selectors.FEED_LENGTH
        ]

    def url_kwargs(self, obj):
        return {"pk": obj.pk}

    def page_path(self, obj):
        return obj.get_absolute_url()


class VenueFeed(SummaryFeed):
    url_name = "venue"

    def get_object(self, request, slug: str):
        return get_object_or_404(Venue, slug=slug)

    def title(self, obj):
        return f"shortscience: summaries of {obj.short_name} papers"

    def description(self, obj):
        return f"Summaries of papers from {obj.name}."

    def items(self, obj):
        return selectors.summary_list_for_feed(filters=Q(paper__venue=obj))[
            : selectors.FEED_LENGTH
        ]

    def url_kwargs(self, obj):
        return {"slug": obj.slug}

    def page_path(self, obj):
        return obj.get_absolute_url()


class VenueYearFeed(SummaryFeed):
    url_name = "venue-year"

    def get_object(self, request, slug: str, year: int):
        return get_object_or_404(Venue, slug=slug), year

    def title(self, obj):
        venue, year = obj
        return f"shortscience: summaries of {venue.short_name} {year} papers"

    def description(self, obj):
        venue, year = obj
        return f"Summaries of papers from {venue.name}, {year}."

    def items(self, obj):
        venue, year = obj
        filters = Q(paper__venue=venue, paper__year=year)
        return selectors.summary_list_for_feed(filters=filters)[: selectors.FEED_LENGTH]

    def url_kwargs(self, obj):
        venue, year = obj
        return {"slug": venue.slug, "year": year}

    def page_path(self, obj):
        venue, year = obj
        return reverse("papers:venue-year", kwargs={"slug": venue.slug, "year": year})


class KeywordFeed(SummaryFeed):
    url_name = "keyword"

    def get_object(self, request, slug: str):
        return get_object_or_404(Keyword, slug=slug)

    def title(self, obj):
        return f"shortscience: summaries on {obj.name}"

    def description(self, obj):
        return f"Summaries of papers about {obj.name}."

    def items(self, obj):
        return selectors.summary_list_for_feed(filters=Q(paper__keywords=obj))[
            : selectors.FEED_LENGTH
        ]

    def url_kwargs(self, obj):
        return {"slug": obj.slug}

    def page_path(self, obj):
        return obj.get_absolute_url()


class WriterFeed(SummaryFeed):
    url_name = "user"

    def get_object(self, request, username: str):
        return get_object_or_404(User, username=username, is_active=True)

    def title(self, obj):
        return f"shortscience: summaries by {obj.public_name}"

    def description(self, obj):
        return f"Summaries written by {obj.public_name}."

    def items(self, obj):
        return selectors.summary_list_for_writer_feed(writer=obj)[
            : selectors.FEED_LENGTH
        ]

    def url_kwargs(self, obj):
        return {"username": obj.username}

    def page_path(self, obj):
        return obj.get_absolute_url()
