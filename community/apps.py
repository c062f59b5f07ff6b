from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self):
        from comments.signals import comment_posted

        from . import receivers

        comment_posted.connect(
            receivers.on_comment_posted, dispatch_uid="community-comment"
        )
