from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "display_name", "reputation", "is_staff")
    search_fields = ("username", "email", "display_name")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Profile",
            {"fields": ("display_name", "bio", "affiliation", "website", "orcid")},
        ),
        ("Community", {"fields": ("reputation",)}),
    )
    readonly_fields = ("reputation",)
