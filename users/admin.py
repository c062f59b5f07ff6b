from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "email",
        "display_name",
        "reputation",
        "is_banned",
        "is_staff",
    )
    # BaseUserAdmin.list_filter, plus the ban.
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "is_banned")
    search_fields = ("username", "email", "display_name")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "Profile",
            {"fields": ("display_name", "bio", "affiliation", "website", "orcid")},
        ),
        ("E-mail preferences", {"fields": ("notify_on_comment", "notify_on_reply")}),
        ("Community", {"fields": ("reputation", "is_banned")}),
    )
    readonly_fields = ("reputation",)
