from django.contrib import admin

from .models import Comment
from .services import comment_save_from_admin


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "summary", "writer", "depth", "created_at", "deleted_at")
    raw_id_fields = ("summary", "writer", "parent")
    exclude = ("body_html", "rendered_by")
    readonly_fields = ("depth",)
    list_select_related = ("summary", "writer")

    def save_model(self, request, obj, form, change):
        comment_save_from_admin(comment=obj)
