from django.contrib import admin

from .models import ListItem, ReadingList


class ListItemInline(admin.TabularInline):
    model = ListItem
    raw_id_fields = ["paper", "added_by"]
    extra = 0


@admin.register(ReadingList)
class ReadingListAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "visibility", "updated_at"]
    list_filter = ["visibility"]
    search_fields = ["title", "owner__username"]
    raw_id_fields = ["owner", "editors"]
    inlines = [ListItemInline]
