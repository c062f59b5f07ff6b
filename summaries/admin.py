from django.contrib import admin

from .models import Summary, Vote
from .services import summary_save_from_admin, summary_undelete


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = (
        "paper",
        "writer",
        "status",
        "is_anonymous",
        "is_private",
        "score",
        "published_at",
    )
    search_fields = ("paper__title", "writer__username", "body")
    raw_id_fields = ("paper", "writer")
    # Derived from the Markdown source by the renderer; never edited by hand.
    exclude = ("body_html", "rendered_by")
    readonly_fields = ("score", "share_token")
    list_select_related = ("paper", "writer")

    list_filter = (
        "status",
        "is_anonymous",
        "is_private",
        ("deleted_at", admin.EmptyFieldListFilter),
    )
    actions = ["restore_deleted"]

    def save_model(self, request, obj, form, change):
        summary_save_from_admin(summary=obj)

    @admin.action(description="Restore the selected deleted summaries")
    def restore_deleted(self, request, queryset):
        restored = 0
        for summary in queryset.filter(deleted_at__isnull=False):
            summary_undelete(summary=summary)
            restored += 1
        self.message_user(request, f"{restored} summaries restored.")


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("summary", "user", "value", "created_at")
    raw_id_fields = ("summary", "user")
