from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    raw_id_fields = ("user",)
    # Tokens are made by their owners on /api/tokens/; staff can only revoke them.
    readonly_fields = ("token_hash", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False
