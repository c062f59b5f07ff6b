from django.contrib import admin

from .models import Author, Authorship, Keyword, Paper, Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("short_name", "name", "kind", "slug")
    list_filter = ("kind",)
    search_fields = ("short_name", "name")
    prepopulated_fields = {"slug": ("short_name",)}


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    autocomplete_fields = ("author",)
    ordering = ("position",)


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ("title", "venue", "year", "arxiv_id", "doi", "source")
    list_filter = ("source", "venue", "year")
    search_fields = ("title", "arxiv_id", "doi", "bibtex_key")
    autocomplete_fields = ("venue", "keywords")
    inlines = [AuthorshipInline]
    list_select_related = ("venue",)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
