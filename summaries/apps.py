from django.apps import AppConfig


class SummariesConfig(AppConfig):
    name = "summaries"

    def ready(self):
        from authors.signals import claim_changed
        from papers.models import public_summary_rule_register
        from users.accounts import account_content_register

        from . import accounts, receivers
        from .models import public_q

        public_summary_rule_register(public_q)

        account_content_register(
            "summaries",
            directory=accounts.users_directory_writers,
            export=accounts.votes_export,
            files=accounts.summaries_export_files,
            delete=accounts.summaries_account_delete,
        )
        claim_changed.connect(
            receivers.on_claim_changed, dispatch_uid="summaries-claim-changed"
        )
