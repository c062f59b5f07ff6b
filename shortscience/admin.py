from django.contrib import admin

from .models import ProxiedImage


@admin.register(ProxiedImage)
class ProxiedImageAdmin(admin.ModelAdmin):
    """What the image proxy holds and why a fetch failed; rows are written by the fetch."""

    list_display = ["url", "status", "content_type", "size", "failures", "fetched_at"]
    list_filter = ["status"]
    search_fields = ["url", "digest"]
    readonly_fields = [f.name for f in ProxiedImage._meta.fields]

    def has_add_permission(self, request):
        return False
