from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"

    def ready(self):
        from django.db.models.signals import post_delete

        from summaries import signals
        from summaries.models import Summary

        from . import receivers

        signals.summary_changed.connect(
            receivers.summary_changed, dispatch_uid="discovery-index-summary"
        )
        signals.summary_published.connect(
            receivers.summary_published, dispatch_uid="discovery-notify-requesters"
        )
        post_delete.connect(
            receivers.summary_deleted,
            sender=Summary,
            dispatch_uid="discovery-index-deleted-summary",
        )
