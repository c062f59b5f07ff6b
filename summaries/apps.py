from django.apps import AppConfig


class SummariesConfig(AppConfig):
    name = "summaries"

    def ready(self):
        from users.accounts import account_content_register

        from . import accounts

        account_content_register(
            "summaries",
            directory=accounts.users_directory_writers,
            export=accounts.votes_export,
            files=accounts.summaries_export_files,
            delete=accounts.summaries_account_delete,
        )
