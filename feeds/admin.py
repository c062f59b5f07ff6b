from django.contrib import admin

from .models import DigestDelivery, DigestSubscription


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "subscribed", "updated_at")
    list_filter = ("subscribed",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ("user", "week", "summary_count", "sent_at")
    list_filter = ("week",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
