from django.contrib import admin

from . import services
from .models import (
    ArxivHarvest,
    Author,
    Authorship,
    Keyword,
    Paper,
    PaperImport,
    Venue,
    VenueAlias,
    VenueSync,
)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("short_name", "name", "kind", "slug", "openreview_id")
    list_filter = ("kind",)
    search_fields = ("short_name", "name")
    prepopulated_fields = {"slug": ("short_name",)}

    def save_model(self, request, obj, form, change):
        services.venue_save(venue=obj)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    autocomplete_fields = ("author",)
    ordering = ("position",)


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ("title", "venue", "year", "arxiv_id", "doi", "source")
    list_filter = ("source", "decision", "venue", "year")
    search_fields = (
        "title",
        "arxiv_id",
        "doi",
        "bibtex_key",
        "dblp_key",
        "openreview_id",
    )
    autocomplete_fields = ("venue", "keywords")
    inlines = [AuthorshipInline]
    list_select_related = ("venue",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The venue-year the paper was in before the edit (its counts change too).
        was = (form.initial.get("venue"), form.initial.get("year"))
        services.paper_save_from_admin(paper=form.instance, was=was)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(VenueAlias)
class VenueAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "venue")
    search_fields = ("alias", "venue__short_name")
    autocomplete_fields = ("venue",)


@admin.register(PaperImport)
class PaperImportAdmin(admin.ModelAdmin):
    list_display = ("identifier", "source", "status", "attempts", "created_at", "paper")
    list_filter = ("status", "source")
    search_fields = ("identifier", "last_error")
    raw_id_fields = ("paper", "requested_by")
    readonly_fields = ("attempts", "last_error", "finished_at")


@admin.register(ArxivHarvest)
class ArxivHarvestAdmin(admin.ModelAdmin):
    list_display = ("set_spec", "harvested_until", "resumption_token", "last_error")
    readonly_fields = ("updated_at",)


@admin.register(VenueSync)
class VenueSyncAdmin(admin.ModelAdmin):
    list_display = ("ran_at", "source", "key", "year", "periodic", "created", "matched")
    list_filter = ("source", "periodic")
    search_fields = ("key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
