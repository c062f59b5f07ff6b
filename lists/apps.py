from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "lists"
    verbose_name = "Reading lists"

    def ready(self):
        from users.accounts import account_content_register

        from . import accounts

        account_content_register(
            "lists", export=accounts.lists_export, delete=accounts.lists_account_delete
        )
