from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from users.accounts import account_content_register

        from . import accounts

        account_content_register(
            "comments",
            export=accounts.comments_export,
            delete=accounts.comments_account_delete,
        )
