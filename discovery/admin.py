from django.contrib import admin

from .models import Follow, SummaryRequest


@admin.register(SummaryRequest)
class SummaryRequestAdmin(admin.ModelAdmin):
    list_display = ["paper", "user", "created_at", "notified_at"]
    list_filter = ["notified_at"]
    raw_id_fields = ["paper", "user"]
    search_fields = ["paper__title", "user__username"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "venue", "keyword", "writer", "created_at"]
    raw_id_fields = ["user", "venue", "keyword", "writer"]
    search_fields = ["user__username"]
