from django.contrib import admin

from .models import AuthorClaim


@admin.register(AuthorClaim)
class AuthorClaimAdmin(admin.ModelAdmin):
    """Read-only: claims are decided in the moderation queue, which keeps the counts."""

    list_display = ("paper", "user", "status", "method", "created_at", "decided_at")
    list_filter = ("status", "method")
    search_fields = ("paper__title", "user__username", "orcid")
    raw_id_fields = ("paper", "user", "author", "decided_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
