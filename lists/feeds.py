"""The Atom feed of a public reading list: its papers, newest addition first."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from .models import ListItem, ReadingList
from .selectors import list_items

FEED_SIZE = 50


class ListAtomFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, pk: int):
        reading_list = get_object_or_404(
            ReadingList.objects.select_related("owner"), pk=pk
        )
        # Only public lists have feeds: a feed reader's link would leak an unlisted one.
        if not reading_list.is_public:
            raise Http404("No such list.")
        return reading_list

    def title(self, obj: ReadingList) -> str:
        return f"{obj.title}: a reading list by {obj.owner.public_name}"

    def subtitle(self, obj: ReadingList) -> str:
        return obj.description

    def link(self, obj: ReadingList) -> str:
        return obj.get_absolute_url()

    def items(self, obj: ReadingList):
        return list_items(reading_list=obj).order_by("-added_at", "-pk")[:FEED_SIZE]

    def item_title(self, item: ListItem) -> str:
        return item.paper.title

    def item_link(self, item: ListItem) -> str:
        return item.paper.get_absolute_url()

    def item_guid(self, item: ListItem) -> str:
        return f"list-{item.reading_list_id}-paper-{item.paper_id}"

    item_guid_is_permalink = False

    def item_description(self, item: ListItem) -> str:
        names = ", ".join(a.author.name for a in item.paper.authorships.all())
        return " — ".join(part for part in (names, item.note) if part)

    def item_pubdate(self, item: ListItem):
        return item.added_at
