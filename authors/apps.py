from django.apps import AppConfig


class AuthorsConfig(AppConfig):
    name = "authors"
    verbose_name = "Authors' claims"

    def ready(self):
        from users.accounts import account_content_register

        from . import accounts

        account_content_register("author_claims", export=accounts.claims_export)
