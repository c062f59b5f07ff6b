from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from .mfa import second_factor_enrolled
        from .sessions import sessions_connect_signals

        authenticator_added.connect(second_factor_enrolled)
        sessions_connect_signals()
