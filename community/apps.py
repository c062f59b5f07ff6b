from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self):
        from authors.signals import claim_decided
        from comments.signals import comment_posted
        from users.probation import probation_hold_register

        from . import receivers, services

        probation_hold_register(services.report_held_post)
        comment_posted.connect(
            receivers.on_comment_posted, dispatch_uid="community-comment"
        )
        claim_decided.connect(
            receivers.on_claim_decided, dispatch_uid="community-claim"
        )
